/**
 * Finding uv: the path a setting gives, else `uv` on PATH, else the places uv's installer puts it
 * (uv docs, "Configuring the uv installer"; `uv-dirs` `user_executable_directory`). Each binary
 * is run once (`uv --version`) and the answer cached against its file identity, as interpreter
 * probes are; a binary inside an untrusted workspace folder is never run.
 */
import { accessSync, constants, readFileSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomically } from '../../leaves/atomicWrite';
import { describeError, UserError } from '../../leaves/errors';
import { ensureFolder } from '../../leaves/folders';
import { run, type CommandLogger } from '../../leaves/process';
import { fileKey, isFresh, type FileKey } from '../discovery/cache';
import { onPath } from '../../leaves/paths';

/** A uv binary that answered `uv --version`. */
export interface UvBinary {
  /** The binary's path as found (not resolved through links). */
  readonly path: string;
  /** Its version, e.g. `0.9.5`. */
  readonly version: string;
  /** Where it was found: the setting (`venvPilot.uv.path`, `--uv`), PATH, or an install location. */
  readonly source: 'setting' | 'path' | 'install-location';
}

/** How to look for uv. Everything has a default taken from this process. */
export interface UvLookup {
  /** `venvPilot.uv.path` / `--uv PATH`: used alone when set (nothing else is searched). */
  readonly path?: string;
  /** Folders whose binaries are never run (the workspace folders of an untrusted workspace). */
  readonly untrustedFolders?: readonly string[];
  /** The cache file (JSON) of `uv --version` answers; omit to run every candidate. See {@link uvCacheFile}. */
  readonly cacheFile?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly home?: string;
  readonly platform?: NodeJS.Platform;
  readonly signal?: AbortSignal;
  readonly log?: CommandLogger;
  /** Told about a candidate that was skipped (untrusted) or did not work, and a cache that could not be written. */
  readonly onWarning?: (message: string) => void;
}

/** The uv probe cache inside a cache folder (`userCacheDir()`). */
export function uvCacheFile(cacheDir: string): string {
  return path.join(cacheDir, 'uv.json');
}

/** `uv --version` gets this long (ms): the binary is native and answers in a few. */
const PROBE_TIMEOUT_MS = 5000;

/** One cached answer: the version, or why the binary failed. */
type CachedUv = FileKey & ({ readonly version: string } | { readonly error: string });

const CACHE_VERSION = 1;

/**
 * Where uv's standalone installer puts the binary, in its own order: `$UV_INSTALL_DIR`,
 * `$XDG_BIN_HOME`, `$XDG_DATA_HOME/../bin`, `~/.local/bin`; then `$CARGO_HOME/bin` (default
 * `~/.cargo/bin`), where installers before uv 0.5 put it and `cargo install` still does.
 */
export function uvInstallLocations(env: Readonly<Record<string, string | undefined>>, home: string, platform: NodeJS.Platform = process.platform): string[] {
  const exe = platform === 'win32' ? 'uv.exe' : 'uv';
  // Written as one string each: these are user folders, not a venv's (whose layout is layout.ts's business).
  const dirs = [env.UV_INSTALL_DIR, env.XDG_BIN_HOME, env.XDG_DATA_HOME && path.join(env.XDG_DATA_HOME, '../bin'), path.join(home, '.local/bin'), env.CARGO_HOME ? path.join(env.CARGO_HOME, './bin') : path.join(home, '.cargo/bin')];
  return [...new Set(dirs.filter((d): d is string => !!d && path.isAbsolute(d)).map((d) => path.join(path.resolve(d), exe)))];
}

const isExecutableFile = (file: string): boolean => {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const realpathOr = (file: string): string => {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
};

/** True when `file` (as given, or its real path) is at or below one of `folders` (or their real paths). */
function insideAny(file: string, folders: readonly string[]): boolean {
  const places = [path.resolve(file), realpathOr(file)];
  const roots = folders.flatMap((f) => [path.resolve(f), realpathOr(f)]);
  return places.some((p) => roots.some((root) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep)));
}

function loadCache(file: string | undefined): Record<string, CachedUv> {
  if (!file) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown; entries?: Record<string, CachedUv> } | null;
    return parsed?.version === CACHE_VERSION && parsed.entries && typeof parsed.entries === 'object' ? parsed.entries : {};
  } catch {
    return {};
  }
}

/** `uv 0.9.5 (abc 2025-01-01)` → `0.9.5`. */
export function parseUvVersion(output: string): string | undefined {
  return /^uv (\d+\.\d+\.\d+\S*)/m.exec(output)?.[1];
}

/**
 * Runs `uv --version` on `file`, or answers from the cache while the file is unchanged (path,
 * mtime, ctime and size, as interpreter probes are keyed). Writes a new answer back to the cache.
 *
 * @returns the version, or an error in words.
 * @throws {CancelledError} when `signal` aborts.
 */
async function probeUv(file: string, lookup: UvLookup, cache: Record<string, CachedUv>): Promise<{ version: string } | { error: string }> {
  const key = fileKey(file);
  if (!key) return { error: `${file} cannot be read` };
  const cached = cache[file];
  if (cached && isFresh(cached, key)) return cached;
  let outcome: CachedUv;
  try {
    const { stdout } = await run([file, '--version'], { signal: lookup.signal, log: lookup.log, timeoutMs: PROBE_TIMEOUT_MS, env: { UV_NO_CONFIG: '1' }, what: `${file} --version` });
    const version = parseUvVersion(stdout);
    outcome = version ? { ...key, version } : { ...key, error: `${file} --version printed ${JSON.stringify(stdout.slice(0, 80))}, not a uv version` };
  } catch (error) {
    if (lookup.signal?.aborted) throw error;
    outcome = { ...key, error: describeError(error) };
  }
  const { cacheFile } = lookup;
  if (cacheFile) {
    try {
      ensureFolder(path.dirname(cacheFile));
      // Re-read first: another process (a second window, the CLI) may have added entries meanwhile.
      await writeFileAtomically(cacheFile, JSON.stringify({ version: CACHE_VERSION, entries: { ...loadCache(cacheFile), [file]: outcome } }));
    } catch (error) {
      lookup.onWarning?.(`The uv cache ${cacheFile} could not be written (${describeError(error)}); uv is run once more next time`);
    }
  }
  return outcome;
}

/**
 * Finds a working uv: the lookup's `path` alone when given, else the first of `uv` on PATH and
 * uv's install locations ({@link uvInstallLocations}) that answers `uv --version`. A candidate
 * inside an untrusted folder is skipped (with a warning) and never run.
 *
 * @returns the binary, or `undefined` when none was found.
 * @throws {UserError} when the given `path` is missing, untrusted or not a working uv: the user named it.
 * @throws {CancelledError} when `signal` aborts.
 */
export async function findUv(lookup: UvLookup = {}): Promise<UvBinary | undefined> {
  const env = lookup.env ?? process.env;
  const untrusted = lookup.untrustedFolders ?? [];
  const cache = loadCache(lookup.cacheFile);
  if (lookup.path) {
    const file = path.resolve(lookup.path);
    if (!isExecutableFile(file)) throw new UserError(`The uv path ${file} (venvPilot.uv.path or --uv) does not exist; fix the setting, or clear it to search PATH`);
    if (insideAny(file, untrusted)) throw new UserError(`The uv path ${file} is inside an untrusted workspace folder and was not run; trust the workspace, or point the setting elsewhere`);
    const probed = await probeUv(file, lookup, cache);
    if ('error' in probed) throw new UserError(`The uv path ${file} is not a working uv: ${probed.error}`);
    return { path: file, version: probed.version, source: 'setting' };
  }
  const exe = (lookup.platform ?? process.platform) === 'win32' ? 'uv.exe' : 'uv';
  const onPathUv = onPath(exe, env.PATH ?? '');
  const candidates: { file: string; source: UvBinary['source'] }[] = [
    ...(onPathUv ? [{ file: onPathUv, source: 'path' as const }] : []),
    ...uvInstallLocations(env, lookup.home ?? os.homedir(), lookup.platform).filter(isExecutableFile).map((file) => ({ file, source: 'install-location' as const })),
  ];
  for (const { file, source } of candidates) {
    if (insideAny(file, untrusted)) {
      lookup.onWarning?.(`uv at ${file} is inside an untrusted workspace folder and was not run`);
      continue;
    }
    const probed = await probeUv(file, lookup, cache);
    if ('version' in probed) return { path: file, version: probed.version, source };
    lookup.onWarning?.(`uv at ${file} does not work (${probed.error}); looking further`);
  }
  return undefined;
}

/** `venvPilot.installer` / `--installer`: uv when found (`auto`), or one of them. */
export type InstallerChoice = 'auto' | 'pip' | 'uv';

/** The installer in effect: pip (`python -m pip` in the venv), or a uv binary (`uv pip --python`). */
export type Installer = { readonly kind: 'pip' } | { readonly kind: 'uv'; readonly uv: UvBinary };

/**
 * The installer a choice means: `pip` is pip; `uv` is the uv {@link findUv} finds; `auto` is uv
 * when found, else pip (nothing is run when the choice is `pip`).
 *
 * @throws {UserError} for `uv` when none is found (naming where it looked), or for a bad `venvPilot.uv.path`.
 * @throws {CancelledError} when `signal` aborts.
 */
export async function resolveInstaller(choice: InstallerChoice | undefined, lookup: UvLookup = {}): Promise<Installer> {
  if ((choice ?? 'auto') === 'pip') return { kind: 'pip' };
  const uv = await findUv(lookup);
  if (uv) return { kind: 'uv', uv };
  if (choice === 'uv') {
    const places = uvInstallLocations(lookup.env ?? process.env, lookup.home ?? os.homedir(), lookup.platform).join(', ');
    throw new UserError(`uv was not found (looked on PATH and in ${places}); install uv, set venvPilot.uv.path (--uv PATH), or choose the pip installer`);
  }
  return { kind: 'pip' };
}

/** The installer for requirements, and the uv that runs `uv sync` when a uv lock is installed too. */
export interface Installers {
  readonly installer: Installer;
  /** Set when a lock is installed (`lock`), whatever the installer is. */
  readonly uv?: UvBinary;
}

/**
 * {@link resolveInstaller}, plus, with a uv lock (`lock`), uv itself whatever the choice: the
 * lock is installed by `uv sync`, and with `pip` chosen pip still installs the other sources.
 *
 * @throws {UserError} when uv is required (chosen, or a lock is installed) and not found.
 * @throws {CancelledError} when `signal` aborts.
 */
export async function resolveInstallers(choice: InstallerChoice | undefined, lookup: UvLookup, lock: boolean): Promise<Installers> {
  if (!lock) return { installer: await resolveInstaller(choice, lookup) };
  const found = await resolveInstaller('uv', lookup).catch((error: unknown) => {
    throw error instanceof UserError ? new UserError(`uv.lock is installed by \`uv sync\`, and ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}`) : error;
  });
  return { installer: choice === 'pip' ? { kind: 'pip' } : found, ...(found.kind === 'uv' ? { uv: found.uv } : {}) };
}
