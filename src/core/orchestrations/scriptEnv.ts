/**
 * Script environments: every script runs in a venv made for exactly its requirements (its PEP 723
 * block, a `requirements.txt` beside it, or a file named with `-r`) and one interpreter, kept in
 * the cache (`$XDG_CACHE_HOME/venv-pilot/scripts/NAME-HASH`), created on the first run and
 * reused after that with nothing but a stat of its manifest. New requirements or another
 * interpreter make a new environment; environments unused for longer than a validity period
 * are pruned.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from '../leaves/atomicWrite';
import { UserError } from '../leaves/errors';
import { ensureFolder, folderSize } from '../leaves/folders';
import { venvPython } from '../leaves/layout';
import { scriptsCacheDir, seedCacheDir, userCacheDir } from '../leaves/paths';
import type { CommandLogger } from '../leaves/process';
import { firstProblem, parseDependencyString, parseRequirementSet, type RequirementsItem } from '../leaves/requirements/parser';
import { parseScriptMetadata, type ScriptMetadata } from '../leaves/scriptMetadata';
import type { BaseInterpreter } from '../parts/discovery/types';
import { storableIndexSettings } from '../parts/pip/indexState';
import type { PipSettings } from '../parts/pip/install';
import { lockIsHeld, removeCreated, withLock } from '../parts/venv/destination';

/** The manifest file in a script environment; written last, so its presence means "ready", and its mtime is the last use. */
export const SCRIPT_MANIFEST = 'venv-pilot-script.json';

/** What a script needs, and where that was read from. */
export interface ScriptRequirements {
  /** The script, absolute. */
  readonly script: string;
  /** `inline`: its PEP 723 block; `file`: a requirements file; `none`: it declares nothing. */
  readonly source: 'inline' | 'file' | 'none';
  /** The requirements file, for `file`. */
  readonly requirementsFile?: string;
  /** The requirements, normalised (PEP 503 names, no spaces) and sorted: what the identity hashes. */
  readonly requirements: readonly string[];
  /** `requires-python` from the block. */
  readonly requiresPython?: string;
  /** The block, for `inline`. */
  readonly metadata?: ScriptMetadata;
}

/** A script environment's manifest. */
export interface ScriptEnvManifest {
  readonly script: string;
  readonly source: ScriptRequirements['source'];
  readonly requirementsFile?: string;
  readonly requirements: readonly string[];
  readonly interpreter: { readonly path: string; readonly version: string };
  /** ISO 8601. */
  readonly created: string;
}

/** One script environment in the cache, as `scripts list` shows it. */
export interface ScriptEnvInfo {
  readonly dir: string;
  /** Undefined for a folder whose first run never finished. */
  readonly manifest?: ScriptEnvManifest;
  /** Last use (the manifest's mtime), else the folder's mtime, ms since the epoch. */
  readonly lastUsed: number;
  /** Bytes on disk, counting each file once. */
  readonly size: number;
}

/** One requirement item in the normal form the identity hashes. */
function normalForm(item: RequirementsItem): string | undefined {
  if (item.kind === 'option') return `${item.name}${item.value !== undefined ? ` ${item.value}` : ''}`;
  if (item.kind !== 'requirement') return undefined;
  const head = item.normalizedName && !item.url && !item.path ? `${item.normalizedName}${item.extras.length ? `[${[...item.extras].sort().join(',')}]` : ''}${item.specifier}` : `${item.editable ? '-e ' : ''}${item.text}`;
  return `${item.constraint ? '-c ' : ''}${head}${item.marker ? `; ${item.marker}` : ''}`;
}

const readScript = (script: string): string => {
  try {
    return readFileSync(script, 'utf8');
  } catch (error) {
    throw new UserError(`Could not read the script ${script}: ${(error as Error).message}`);
  }
};

/**
 * What `script` needs: its PEP 723 block; else `requirementFile` (`-r`); else a
 * `requirements.txt` beside it; else nothing. A block and `-r` together are refused rather than
 * one silently ignored.
 *
 * @throws {UserError} for an unreadable script, a malformed block or requirements file (with `file:line`), or a block with `-r`.
 */
export function scriptRequirements(script: string, requirementFile?: string): ScriptRequirements {
  const file = path.resolve(script);
  return scriptRequirementsOf(file, readScript(file), requirementFile);
}

/**
 * {@link scriptRequirements} of a script's text as it stands (an editor's unsaved buffer).
 *
 * @throws {UserError} as scriptRequirements does.
 */
export function scriptRequirementsOf(file: string, text: string, requirementFile?: string): ScriptRequirements {
  const metadata = parseScriptMetadata(text, file);
  if (metadata) {
    if (requirementFile !== undefined) throw new UserError(`${file} declares its dependencies in a PEP 723 "# /// script" block; -r ${requirementFile} would be ignored: drop one of them`);
    const items: RequirementsItem[] = [...metadata.problems.map((p) => ({ kind: 'error' as const, range: p.range, code: 'syntax' as const, message: p.message })), ...metadata.dependencies.map((d) => parseDependencyString(d.text, d.range))];
    const problem = firstProblem({ items, files: [file] });
    if (problem) throw new UserError(problem);
    return { script: file, source: 'inline', requirements: normalise(items), metadata, ...(metadata.requiresPython !== undefined ? { requiresPython: metadata.requiresPython } : {}) };
  }
  const beside = path.join(path.dirname(file), 'requirements.txt');
  const chosen = requirementFile !== undefined ? path.resolve(requirementFile) : existsSync(beside) ? beside : undefined;
  if (!chosen) return { script: file, source: 'none', requirements: [] };
  const parsed = parseRequirementSet([chosen]);
  const problem = firstProblem(parsed);
  if (problem) throw new UserError(problem);
  return { script: file, source: 'file', requirementsFile: chosen, requirements: normalise(parsed.items) };
}

const normalise = (items: readonly RequirementsItem[]): string[] => [...new Set(items.flatMap((i) => normalForm(i) ?? []))].sort();

/**
 * The environment's identity: a hash of the normalised requirements, the interpreter (path and
 * version) and the index settings (credentials left out), 16 hex digits.
 */
export function scriptEnvIdentity(requirements: ScriptRequirements, interpreter: { readonly path: string; readonly version: string }, pip: PipSettings = {}): string {
  const key = JSON.stringify({ requirements: requirements.requirements, interpreter: { path: interpreter.path, version: interpreter.version }, index: storableIndexSettings(pip) });
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** The environment's folder: `CACHE/scripts/NAME-HASH`, NAME the script's file name without `.py`, made safe. */
export function scriptEnvDir(cacheRoot: string, script: string, identity: string): string {
  return path.join(scriptsCacheDir(cacheRoot), `${scriptEnvName(script)}-${identity}`);
}

/** The NAME part of a script's environment folders: its file name without `.py`, made safe. */
const scriptEnvName = (script: string): string => path.basename(script).replace(/\.pyw?$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 40) || 'script';

/** Options for {@link ensureScriptEnv}. */
export interface ScriptEnvOptions {
  readonly requirements: ScriptRequirements;
  readonly interpreter: BaseInterpreter;
  /** Index settings for the first run's install, and part of the identity. */
  readonly pip?: PipSettings;
  /** The venv-pilot cache root; default `userCacheDir()`. */
  readonly cacheRoot?: string;
  readonly signal?: AbortSignal;
  /** Progress of a first run, in words. */
  readonly onProgress?: (message: string) => void;
  readonly log?: CommandLogger;
}

/** A script's environment, ready to run it. */
export interface ScriptEnv {
  readonly dir: string;
  readonly python: string;
  /** True when this call created it. */
  readonly created: boolean;
}

/** The manifest of a ready environment, or undefined: one stat, one read. */
function readManifest(dir: string): ScriptEnvManifest | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, SCRIPT_MANIFEST), 'utf8')) as ScriptEnvManifest;
  } catch {
    return undefined;
  }
}

/** Marks a use: the manifest's mtime is the last use, so a run writes nothing but a time stamp. */
function touch(dir: string): void {
  const now = new Date();
  try {
    utimesSync(path.join(dir, SCRIPT_MANIFEST), now, now);
  } catch {
    // A read-only cache still runs the script; only pruning sees an older last use.
  }
}

/**
 * The script's environment: when it exists (its manifest is there), only its use is recorded;
 * else it is created with venv-pilot's creator and seeder and the requirements installed, once
 * however many first runs start at the same time (the others wait for it, then use it).
 *
 * @throws {UserError} / {@link ProcessError} / {@link CancelledError} as `createVenv` does; the half-made environment is replaced on the next run.
 */
export async function ensureScriptEnv(options: ScriptEnvOptions): Promise<ScriptEnv> {
  const { requirements, interpreter } = options;
  const cacheRoot = options.cacheRoot ?? userCacheDir();
  const dir = scriptEnvDir(cacheRoot, requirements.script, scriptEnvIdentity(requirements, interpreter, options.pip));
  const python = venvPython(dir);
  if (existsSync(path.join(dir, SCRIPT_MANIFEST))) {
    touch(dir);
    return { dir, python, created: false };
  }
  const lock = path.join(path.dirname(dir), `.${path.basename(dir)}.first-run-lock`);
  ensureFolder(path.dirname(dir));
  return withLock(lock, `another first run of ${requirements.script}`, async () => {
    if (readManifest(dir)) {
      touch(dir);
      return { dir, python, created: false };
    }
    options.onProgress?.(`Creating the environment of ${path.basename(requirements.script)} at ${dir}`);
    // Loaded only to create: a warm run never pays for the creator, seeder and installer.
    const { createVenv } = await import('./create');
    await createVenv({
      interpreter,
      dest: dir,
      // Ours alone: whatever a killed first run left there is replaced (createVenv never deletes a folder that is not a venv).
      clear: true,
      noVcsIgnore: true,
      prompt: path.basename(requirements.script),
      ...(requirements.source === 'file' && requirements.requirementsFile ? { requirements: [requirements.requirementsFile] } : {}),
      ...(requirements.source === 'inline' ? { script: requirements.script } : {}),
      pip: options.pip,
      cacheDir: seedCacheDir(cacheRoot),
      cwd: path.dirname(requirements.script),
      signal: options.signal,
      log: options.log,
      onProgress: (_step, message) => options.onProgress?.(message),
    });
    const manifest: ScriptEnvManifest = {
      script: requirements.script,
      source: requirements.source,
      ...(requirements.requirementsFile ? { requirementsFile: requirements.requirementsFile } : {}),
      requirements: requirements.requirements,
      interpreter: { path: interpreter.path, version: interpreter.version },
      created: new Date().toISOString(),
    };
    await writeFileAtomically(path.join(dir, SCRIPT_MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
    return { dir, python, created: true };
  }, { signal: options.signal, onWait: () => options.onProgress?.(`Waiting for another run of ${path.basename(requirements.script)} that is creating its environment`) });
}

/**
 * The ready environment a script last ran in with these requirements (whatever interpreter),
 * else the one it last ran in at all, else undefined: what the language server checks a block
 * against (so a dependency just added shows as not installed yet). Reads only the manifests of
 * the folders named after the script.
 */
export function findScriptEnv(requirements: ScriptRequirements, cacheRoot: string = userCacheDir()): string | undefined {
  const root = scriptsCacheDir(cacheRoot);
  const prefix = `${scriptEnvName(requirements.script)}-`;
  let best: { dir: string; used: number; same: boolean } | undefined;
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith(prefix));
  } catch {
    return undefined;
  }
  const wanted = JSON.stringify(requirements.requirements);
  for (const name of names) {
    const dir = path.join(root, name);
    const manifest = readManifest(dir);
    if (!manifest || manifest.script !== requirements.script) continue;
    const same = JSON.stringify(manifest.requirements) === wanted;
    const used = statSync(path.join(dir, SCRIPT_MANIFEST)).mtimeMs;
    if (!best || (same && !best.same) || (same === best.same && used > best.used)) best = { dir, used, same };
  }
  return best?.dir;
}


/** Every script environment in the cache, most recently used first. */
export function listScriptEnvs(cacheRoot: string = userCacheDir()): ScriptEnvInfo[] {
  const root = scriptsCacheDir(cacheRoot);
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => !n.startsWith('.'));
  } catch {
    return [];
  }
  const infos: ScriptEnvInfo[] = [];
  for (const name of names) {
    const dir = path.join(root, name);
    const manifest = readManifest(dir);
    let lastUsed: number;
    try {
      lastUsed = statSync(manifest ? path.join(dir, SCRIPT_MANIFEST) : dir).mtimeMs;
    } catch {
      continue;
    }
    infos.push({ dir, ...(manifest ? { manifest } : {}), lastUsed, size: folderSize(dir) });
  }
  return infos.sort((a, b) => b.lastUsed - a.lastUsed);
}

/** Milliseconds in a day. */
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes the script environments unused for more than `maxAgeDays` (and unfinished ones as
 * old), except one whose first run is under way. `now` in ms since the epoch.
 *
 * @returns what was deleted.
 */
export function pruneScriptEnvs(maxAgeDays: number, options: { cacheRoot?: string; now?: number } = {}): ScriptEnvInfo[] {
  if (!(maxAgeDays >= 0)) throw new UserError(`The maximum age must be a number of days, 0 or more; got ${maxAgeDays}`);
  const cacheRoot = options.cacheRoot ?? userCacheDir();
  const cutoff = (options.now ?? Date.now()) - maxAgeDays * DAY_MS;
  const removed: ScriptEnvInfo[] = [];
  for (const env of listScriptEnvs(cacheRoot)) {
    if (env.lastUsed >= cutoff) continue;
    if (lockIsHeld(path.join(path.dirname(env.dir), `.${path.basename(env.dir)}.first-run-lock`))) continue;
    // Entry by entry first: a venv's lib64 link is unlinked, never followed.
    removeCreated(env.dir, true);
    rmSync(env.dir, { recursive: true, force: true });
    removed.push(env);
  }
  return removed;
}
