/**
 * What every `venv-pilot` command module shares with the dispatcher in `src/cli.ts`: the shape of
 * a command, usage errors, and output helpers. Kept free of core imports, so loading it costs
 * nothing a command does not need.
 */
import type { ParseArgsConfig } from 'node:util';

/** Parsed option values, as `node:util` `parseArgs` returns them. */
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One CLI command: its options (beyond `--json` and `--help`) and what it does. */
export interface Command {
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Resolves when done; throws {@link UsageError} (exit 2) or any other error (exit 1). */
  run(positionals: string[], values: Values, signal: AbortSignal): Promise<void>;
}

/** Wrong arguments: the CLI prints the message and the usage text, and exits with code 2. */
export class UsageError extends Error {}

/** Writes one line to stdout. */
export function print(text: string): void {
  process.stdout.write(text + '\n');
}

/** Writes exactly one JSON document to stdout (DESIGN.md §4: `--json`). */
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
