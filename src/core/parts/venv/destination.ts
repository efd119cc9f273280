/**
 * The folder a venv is created in: who may write it (one creator at a time, by lock), what is in
 * the way, and the mark a creation leaves until it has finished, so a creation that was killed
 * or failed can be told apart from a venv someone uses.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CancelledError, UserError } from '../../leaves/errors';
import { ensureFolder } from '../../leaves/folders';
import { listFolder, readPyvenvCfg } from '../../leaves/layout';

/** The file a creation writes first into the venv and removes last. */
export const INCOMPLETE_MARK = '.venv-pilot-incomplete';

/**
 * How far an unfinished creation got: `creating` (the venv may be partial; it is rebuilt) or
 * `installing` (the venv works; installing the requirements failed or was stopped, so the next
 * creation with the same interpreter continues with the requirements).
 */
export interface IncompleteMark {
  readonly stage: 'creating' | 'installing';
  /** The base interpreter's real path. */
  readonly executable: string;
  readonly version: string;
}

/** Writes (or updates) the mark. */
export function markIncomplete(dir: string, mark: IncompleteMark): void {
  writeFileSync(path.join(dir, INCOMPLETE_MARK), JSON.stringify(mark) + '\n');
}

/** Removes the mark: the venv is complete. */
export function markComplete(dir: string): void {
  rmSync(path.join(dir, INCOMPLETE_MARK), { force: true });
}

/** The mark of an unfinished creation in `dir`, if there is one. */
export function readIncompleteMark(dir: string): IncompleteMark | undefined {
  try {
    const mark = JSON.parse(readFileSync(path.join(dir, INCOMPLETE_MARK), 'utf8')) as Partial<IncompleteMark>;
    return { stage: mark.stage === 'installing' ? 'installing' : 'creating', executable: String(mark.executable ?? ''), version: String(mark.version ?? '') };
  } catch {
    // A mark that cannot be read still marks the folder as ours and unfinished.
    return existsSync(path.join(dir, INCOMPLETE_MARK)) ? { stage: 'creating', executable: '', version: '' } : undefined;
  }
}

/**
 * What creating a venv at `dir` does with what is there: `create` (absent or empty), `replace`
 * (an unfinished creation, or a venv with `clear`), `resume` (a working venv whose requirements
 * install did not finish, for the same interpreter), or `refuse` with the reason.
 */
export type DestinationAction = { readonly action: 'create' | 'replace' | 'resume' } | { readonly action: 'refuse'; readonly problem: string };

/**
 * Decides {@link DestinationAction} for `dir`. Only a venv (`pyvenv.cfg`) or a folder holding
 * the mark of an unfinished venv-pilot creation is ever replaced; anything else is refused.
 *
 * @param interpreter the base interpreter's path and version, to decide whether a resume fits.
 */
export function inspectDestination(dir: string, clear: boolean, interpreter: { readonly path: string; readonly version: string }): DestinationAction {
  if (!existsSync(dir)) return { action: 'create' };
  if (!statSync(dir).isDirectory()) return { action: 'refuse', problem: `${dir} exists and is not a folder; choose another location` };
  if (readdirSync(dir).length === 0) return { action: 'create' };
  const mark = readIncompleteMark(dir);
  if (mark) {
    const same = mark.executable === realpathOr(interpreter.path) && mark.version === interpreter.version;
    return mark.stage === 'installing' && same && !clear && readPyvenvCfg(dir) ? { action: 'resume' } : { action: 'replace' };
  }
  if (!clear) return { action: 'refuse', problem: `${dir} already exists and is not empty; choose another location, or replace an existing venv with --clear` };
  if (!readPyvenvCfg(dir)) return { action: 'refuse', problem: `${dir} is not a virtual environment (no pyvenv.cfg); refusing to delete it` };
  return { action: 'replace' };
}

/** `realpath`, or the path itself when it cannot be resolved. */
export function realpathOr(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** Removes what a creation wrote: the folder, or only its contents when the folder was there before. */
export function removeCreated(dir: string, keepFolder: boolean): void {
  if (!keepFolder) {
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  for (const entry of listFolder(dir)) removeEntry(path.join(dir, entry));
}

/**
 * Removes a file, link or folder. A link is unlinked, never followed: Node 24's `rmSync` with
 * `force` leaves a dangling symlink in place (`lib64` once `lib` is gone).
 */
function removeEntry(entry: string): void {
  try {
    if (!lstatSync(entry).isDirectory()) {
      unlinkSync(entry);
      return;
    }
  } catch {
    return;
  }
  rmSync(entry, { recursive: true, force: true });
}


/** Milliseconds between attempts to take a destination lock another process holds. */
const LOCK_POLL_MS = 150;
/** A lock not refreshed for this long belongs to a process that died (proper-lockfile's `stale`, ms). */
const LOCK_STALE_MS = 10_000;

/** The file in a held lock naming the process that holds it. */
const OWNER = 'owner';

/** True when the lock names its holder's pid and no process with that pid runs here any more. */
function ownerIsGone(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(lock, OWNER), 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * The lock file for creating `dir`: a hidden sibling, on the same file system, so every process
 * creating the same folder meets the same lock whatever its cache folder.
 */
export function lockPath(dir: string): string {
  return path.join(path.dirname(dir), `.${path.basename(dir)}.venv-pilot-lock`);
}

/**
 * Holds the lock of venv folder `dir` while `work` runs, so two processes creating or syncing
 * one venv never interleave: a second one waits (telling `onWait` once), then sees what the
 * first one left.
 * A lock whose holder's process is gone is taken over at once; one that names no holder goes
 * stale after {@link LOCK_STALE_MS} (proper-lockfile's rule) and is taken over then.
 * proper-lockfile does the locking (an atomic `mkdir`, refreshed while held).
 *
 * @throws {CancelledError} when `signal` aborts while waiting.
 * @throws whatever `work` throws, after releasing the lock.
 */
export async function withDestinationLock<T>(dir: string, work: () => Promise<T>, options: { signal?: AbortSignal; onWait?: () => void } = {}): Promise<T> {
  const { lock } = await import('proper-lockfile');
  ensureFolder(path.dirname(dir));
  let release: (() => Promise<void>) | undefined;
  let told = false;
  while (!release) {
    if (options.signal?.aborted) throw new CancelledError(`Waiting for another creation of ${dir}`);
    try {
      release = await lock(dir, { realpath: false, lockfilePath: lockPath(dir), stale: LOCK_STALE_MS, onCompromised: () => undefined });
      writeFileSync(path.join(lockPath(dir), OWNER), String(process.pid));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw new UserError(`Could not lock ${dir} for creation: ${(error as Error).message}`);
      // A holder killed outright leaves its lock behind: when its process is gone, take over at once.
      if (ownerIsGone(lockPath(dir))) {
        rmSync(lockPath(dir), { recursive: true, force: true });
        continue;
      }
      if (!told) options.onWait?.();
      told = true;
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    return await work();
  } finally {
    // proper-lockfile removes its folder with rmdir: empty it first.
    rmSync(path.join(lockPath(dir), OWNER), { force: true });
    await release().catch(() => undefined);
  }
}
