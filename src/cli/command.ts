/**
 * What every `venv-pilot` command module shares with the dispatcher in `src/cli.ts`: the shape of
 * a command, usage errors, and output helpers. Kept free of core imports, so loading it costs
 * nothing a command does not need.
 */
import { writeSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { ParseArgsConfig } from 'node:util';

/** Parsed option values, as `node:util` `parseArgs` returns them. */
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One CLI command: its options (beyond `--json` and `--help`) and what it does. */
export interface Command {
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /**
   * Resolves when done, with the exit code when it is not 0 by default (`run` passes on its
   * script's); throws {@link UsageError} (exit 2) or any other error (exit 1).
   */
  run(positionals: string[], values: Values, signal: AbortSignal): Promise<void | number>;
}

/**
 * Wrong arguments: the CLI prints the message and the usage text, and exits with code 2. The
 * dispatcher and each command are separate bundles with their own copy of this class, so it is
 * recognised by its code, never by `instanceof`.
 */
export class UsageError extends Error {
  readonly code = 'ERR_USAGE';
}

/** True for a {@link UsageError} or a `parseArgs` complaint, from whichever bundle it was thrown. */
export function isUsageError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code === 'ERR_USAGE' || code.startsWith('ERR_PARSE_ARGS'));
}

/**
 * Writes all of `text` to a file descriptor (1 stdout, 2 stderr) synchronously. Node's
 * `process.stdout` would load the whole streams machinery, a sizeable share of a short command's
 * start-up. A closed pipe (`venv-pilot discover | head`) ends the process quietly.
 */
export function writeTo(fd: 1 | 2, text: string): void {
  let bytes = Buffer.from(text);
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(fd, bytes));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
      // A non-blocking pipe that is full: wait for the reader rather than drop output.
      if (code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

/** Writes one line to stdout. */
export function print(text: string): void {
  writeTo(1, text + '\n');
}

/** Writes one line to stderr (progress, warnings). */
export function warn(text: string): void {
  writeTo(2, text + '\n');
}

/** Writes exactly one JSON document to stdout (`--json`: one document, nothing else, on stdout). */
export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

/**
 * The single positional argument a command takes.
 *
 * @throws {UsageError} when there is not exactly one.
 */
export function one(positionals: readonly string[], name: string): string {
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError(`Expected exactly one ${name}`);
  return positionals[0];
}

/** The index options `create` and `sync` share: where pip (and, for create, a missing seed) looks. */
export const INDEX_OPTIONS = {
  'index-url': { type: 'string' },
  'extra-index-url': { type: 'string', multiple: true },
  'find-links': { type: 'string', multiple: true },
  offline: { type: 'boolean' },
} as const satisfies Command['options'];

/** The index settings given on the command line (`find-links` folders made absolute); unset ones stay unset. */
export function indexSettingsFrom(values: Values): { indexUrl?: string; extraIndexUrls?: string[]; findLinks?: string[]; offline?: boolean } {
  const list = (name: string): string[] | undefined => {
    const given = values[name] as string[] | undefined;
    return given?.length ? given : undefined;
  };
  const findLinks = list('find-links')?.map((dir) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(dir) ? dir : resolvePath(dir)));
  return {
    ...(typeof values['index-url'] === 'string' ? { indexUrl: values['index-url'] } : {}),
    ...(list('extra-index-url') ? { extraIndexUrls: list('extra-index-url') } : {}),
    ...(findLinks ? { findLinks } : {}),
    ...(values.offline === true ? { offline: true } : {}),
  };
}

/** The project options `create` and `sync` share (read by `./project` when one is given). */
export const PROJECT_OPTIONS = {
  extra: { type: 'string', multiple: true },
  group: { type: 'string', multiple: true },
  'all-extras': { type: 'boolean' },
  'all-groups': { type: 'boolean' },
  'no-install-project': { type: 'boolean' },
} as const satisfies Command['options'];

/** True when any project option (or `--project`) is given. */
export function wantsProject(values: Values): boolean {
  return values.project !== undefined || Object.keys(PROJECT_OPTIONS).some((name) => values[name] !== undefined);
}

/** The installer options `create` and `sync` share: which installer (`--installer`), which uv (`--uv`), a uv lock (`--uv-lock`, `--locked`). */
export const INSTALLER_OPTIONS = {
  installer: { type: 'string' },
  uv: { type: 'string' },
  'uv-lock': { type: 'boolean' },
  locked: { type: 'boolean' },
} as const satisfies Command['options'];

/**
 * The installer options given: `--installer auto|pip|uv` (default auto: uv when found, else pip)
 * and `--uv PATH` (then only that uv is tried).
 *
 * @throws {UsageError} for another installer name, or `--locked` without `--uv-lock`.
 */
export function installerFrom(values: Values): { installer: 'auto' | 'pip' | 'uv'; uv: { path?: string } } {
  const installer = (values.installer as string | undefined) ?? 'auto';
  if (installer !== 'auto' && installer !== 'pip' && installer !== 'uv') throw new UsageError(`--installer takes auto, pip or uv, not ${JSON.stringify(installer)}`);
  if (values.locked && !values['uv-lock']) throw new UsageError('--locked goes with --uv-lock');
  return { installer, uv: typeof values.uv === 'string' ? { path: resolvePath(values.uv) } : {} };
}

