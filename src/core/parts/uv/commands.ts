/**
 * Installing through uv: `uv pip install|uninstall --python VENV_PYTHON` in place of the venv's
 * pip, and `uv sync` for a uv project (`uv.lock`) into a venv of ours. pip's index settings are
 * passed as uv's own flags (uv docs, "The pip interface"; `uv pip install --help`); pip's
 * configuration that uv does not read is reported, never silently dropped.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProcessError, lastMeaningfulLine, run } from '../../leaves/process';
import { isolatedEnv } from '../../leaves/pythonScripts';
import type { PipOptions, PipSettings } from '../pip/install';
import type { UvBinary } from './find';

/** How `uv sync` treats the lock: `frozen` installs it as written; `locked` first checks it matches `pyproject.toml` (and fails if not). */
export type UvSyncMode = 'frozen' | 'locked';

/**
 * uv's flags for pip's index settings: `--index-url`, `--extra-index-url`, `--find-links`,
 * `--no-index` (offline: find-links only, as pip's `--no-index`), trusted hosts as
 * `--allow-insecure-host`; a proxy goes in `HTTPS_PROXY`/`HTTP_PROXY`, which uv reads.
 */
export function uvIndexArgs(settings: PipSettings = {}): { args: string[]; env: Record<string, string> } {
  const args: string[] = [];
  if (settings.indexUrl) args.push('--index-url', settings.indexUrl);
  for (const url of settings.extraIndexUrls ?? []) args.push('--extra-index-url', url);
  for (const dir of settings.findLinks ?? []) args.push('--find-links', dir);
  for (const host of settings.trustedHosts ?? []) args.push('--allow-insecure-host', host);
  if (settings.offline) args.push('--no-index');
  return { args, env: settings.proxy ? { HTTPS_PROXY: settings.proxy, HTTP_PROXY: settings.proxy } : {} };
}

/** pip's configuration keys and variables that decide where packages come from, and the setting that replaces each. */
const PIP_INDEX_KEYS: readonly { key: string; variable: string; setting: keyof PipSettings }[] = [
  { key: 'index-url', variable: 'PIP_INDEX_URL', setting: 'indexUrl' },
  { key: 'extra-index-url', variable: 'PIP_EXTRA_INDEX_URL', setting: 'extraIndexUrls' },
  { key: 'find-links', variable: 'PIP_FIND_LINKS', setting: 'findLinks' },
  { key: 'trusted-host', variable: 'PIP_TRUSTED_HOST', setting: 'trustedHosts' },
  { key: 'no-index', variable: 'PIP_NO_INDEX', setting: 'offline' },
  { key: 'proxy', variable: 'PIP_PROXY', setting: 'proxy' },
];

/**
 * pip's configuration files in pip's order (pip docs, "Configuration: location"), or none when
 * `PIP_CONFIG_FILE` is `os.devnull` (pip then loads no file at all).
 */
function pipConfigFiles(env: Readonly<Record<string, string | undefined>>, home: string): string[] {
  const configFile = env.PIP_CONFIG_FILE;
  if (configFile === os.devNull) return [];
  const xdgDirs = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(path.delimiter).filter(Boolean);
  return [...xdgDirs.map((d) => path.join(d, 'pip', 'pip.conf')), '/etc/pip.conf', path.join(home, '.pip', 'pip.conf'), path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'pip', 'pip.conf'), ...(configFile ? [configFile] : [])];
}

/**
 * What pip would take from its configuration (`PIP_*` variables, `pip.conf` files) to find
 * packages that uv does not read and the settings given do not replace, as one sentence; or
 * `undefined` when there is none. Told once per install, so an index that pip would use is never
 * silently skipped.
 */
export function pipConfigUvIgnores(settings: PipSettings = {}, env: Readonly<Record<string, string | undefined>> = process.env, home = os.homedir()): string | undefined {
  const unset = PIP_INDEX_KEYS.filter(({ setting }) => {
    const value = settings[setting];
    return value === undefined || value === false || (Array.isArray(value) && value.length === 0);
  });
  const found: string[] = unset.filter(({ variable }) => env[variable]).map(({ variable }) => variable);
  for (const file of pipConfigFiles(env, home)) {
    let text: string;
    try {
      text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    } catch {
      continue;
    }
    const keys = unset.filter(({ key }) => new RegExp(`^\\s*${key}\\s*[=:]`, 'm').test(text)).map(({ key }) => key);
    if (keys.length) found.push(`${keys.join(', ')} in ${file}`);
  }
  if (found.length === 0) return undefined;
  return `uv does not read pip's configuration, so ${found.join('; ')} ${found.length === 1 ? 'does' : 'do'} not apply to this install; set them as venv-pilot's index settings (venvPilot.pip.*, or --index-url/--find-links) to use them with uv`;
}

/**
 * The line a user needs from a failed uv: its last `error:` line with the indented `cause:` and
 * `hint:` lines that follow it, joined (`error: No solution found when resolving dependencies:
 * Because x was not found ...`); on a terminal uv draws `×` and `╰─▶` instead, read the same way.
 */
export function uvErrorLine(output: string): string | undefined {
  const lines = output.split(/\r?\n/);
  const start = lines.findLastIndex((l) => /^error:/.test(l) || /^\s*× /.test(l));
  if (start < 0) return lastMeaningfulLine(output);
  const parts = [(lines[start] ?? '').trim().replace(/^× /, 'error: ')];
  for (const line of lines.slice(start + 1)) {
    if (!/^\s+\S/.test(line)) break;
    parts.push(line.trim().replace(/^(cause:|Caused by:|╰─▶|│)\s*/, ''));
  }
  return parts.filter(Boolean).join(': ').replace(/:: /g, ': ');
}

/** Options for the uv invocations: pip's, plus where pip's own configuration is read from (for the notice). */
export interface UvOptions extends PipOptions {
  /** The home folder pip's configuration files are under; default this user's. */
  readonly home?: string;
}

/**
 * Runs uv with the venv-pilot environment (PYTHONHOME/PYTHONPATH removed, no progress bars, no
 * Python downloads), every line to `onLine`, and on failure uv's own error line in the
 * {@link ProcessError}. Cancellation kills uv's process tree (see `run`).
 */
async function runUv(uv: UvBinary, args: readonly string[], options: UvOptions, what: string, extraEnv: Readonly<Record<string, string>> = {}, usesIndex = true): Promise<void> {
  const notice = usesIndex ? pipConfigUvIgnores(options.settings, { ...process.env, ...options.env }, options.home) : undefined;
  if (notice) options.onLine?.(`warning: ${notice}`);
  const index = uvIndexArgs(usesIndex ? options.settings : {});
  const argv = [uv.path, ...args, ...index.args];
  try {
    await run(argv, {
      signal: options.signal,
      log: options.log,
      cwd: options.cwd,
      onLine: (line) => options.onLine?.(line),
      env: { ...isolatedEnv(), VIRTUAL_ENV: undefined, UV_NO_PROGRESS: '1', UV_PYTHON_DOWNLOADS: 'never', ...index.env, ...extraEnv, ...options.env },
      what,
    });
  } catch (error) {
    if (!(error instanceof ProcessError) || error.timedOut || error.exitCode === undefined) throw error;
    const detail = uvErrorLine(error.stderr) ?? uvErrorLine(error.stdout);
    throw new ProcessError(`${what} exited with code ${error.exitCode}${detail ? `: ${detail}` : ''}`, error.commandLine, error.exitCode, error.stdout, error.stderr, false);
  }
}

/**
 * `uv pip install --python PYTHON ARGS` plus the index settings as uv flags: installs into the
 * venv whose interpreter `python` is, without pip in it. Relative paths mean `options.cwd`.
 *
 * @throws {ProcessError} with uv's error line, e.g. "error: No solution found when resolving dependencies: Because x was not found ...".
 * @throws {CancelledError} when `signal` aborts; uv's process tree is killed.
 */
export async function uvPipInstall(uv: UvBinary, python: string, args: readonly string[], options: UvOptions = {}): Promise<void> {
  await runUv(uv, ['pip', 'install', '--python', python, ...args], options, `uv pip install ${args.join(' ')}`);
}

/**
 * `uv pip uninstall --python PYTHON NAMES`.
 *
 * @throws {ProcessError} with uv's error line.
 * @throws {CancelledError} when `signal` aborts.
 */
export async function uvPipUninstall(uv: UvBinary, python: string, names: readonly string[], options: UvOptions = {}): Promise<void> {
  // Uninstalling needs no index: uv rejects the index flags here, and the notice would mislead.
  await runUv(uv, ['pip', 'uninstall', '--python', python, ...names], options, `uv pip uninstall ${names.join(' ')}`, {}, false);
}

/** What `uv sync` installs from a uv project. */
export interface UvSyncRequest {
  /** The project folder (where `pyproject.toml` and `uv.lock` are), absolute. */
  readonly folder: string;
  /** The venv synced (`UV_PROJECT_ENVIRONMENT`), absolute. */
  readonly venvDir: string;
  /** The venv's interpreter: passed as `--python`, so uv uses the venv as it is and never recreates it for another Python. */
  readonly python: string;
  readonly mode: UvSyncMode;
  readonly extras?: readonly string[];
  readonly groups?: readonly string[];
  /** Remove what the lock does not list (uv's default); otherwise `--inexact`. */
  readonly exact?: boolean;
  /** `--dry-run`: uv says what it would change, and changes nothing. */
  readonly dryRun?: boolean;
}

/**
 * `uv sync --frozen|--locked` in the project folder into the venv at `venvDir`, through
 * `UV_PROJECT_ENVIRONMENT` (uv docs, "Project environment path"), with `--python VENV_PYTHON`
 * and `--no-python-downloads`, the extras and groups asked for, and the index settings as uv flags.
 *
 * @throws {ProcessError} with uv's error line (a lock that needs updating in `locked` mode, a package not found).
 * @throws {CancelledError} when `signal` aborts.
 */
export async function uvSync(uv: UvBinary, request: UvSyncRequest, options: UvOptions = {}): Promise<void> {
  const args = [
    'sync',
    `--${request.mode}`,
    '--project',
    request.folder,
    '--python',
    request.python,
    '--no-python-downloads',
    ...(request.exact ? [] : ['--inexact']),
    ...(request.dryRun ? ['--dry-run'] : []),
    ...(request.extras ?? []).flatMap((e) => ['--extra', e]),
    ...(request.groups ?? []).flatMap((g) => ['--group', g]),
  ];
  await runUv(uv, args, { ...options, cwd: request.folder }, `uv sync --${request.mode} in ${request.folder}`, { UV_PROJECT_ENVIRONMENT: request.venvDir });
}

/**
 * The normalized names of every package `uv.lock` lists (each `[[package]]`'s `name`, the
 * format uv writes), for any platform: what an exact sync of other sources beside the lock must
 * not uninstall.
 */
export function lockedNames(lockFile: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(lockFile, 'utf8');
  } catch {
    return new Set();
  }
  return new Set([...text.matchAll(/^\[\[package\]\]\r?\nname = "([^"]+)"/gm)].map((m) => (m[1] ?? '').toLowerCase().replace(/[-_.]+/g, '-')));
}
