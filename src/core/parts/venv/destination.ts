/**
 * The folder a venv is created in: who may write it (one creator at a time, by lock), what is in
 * the way, and the mark a creation leaves until it has finished, so a creation that was killed
 * or failed can be told apart from a venv someone uses.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { CancelledError, describeFsError, UserError } from '../../leaves/errors';
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
/** A lock not refreshed for this long belongs to a process that died elsewhere (ms; proper-lockfile's default rule). */
const LOCK_STALE_MS = 10_000;
/** How often a held lock's modification time is refreshed (ms): well inside {@link LOCK_STALE_MS}. */
const LOCK_REFRESH_MS = 2_000;

/** The file in a held lock naming the process that holds it: `PID HOSTNAME`. */
const OWNER = 'owner';

/** This process's mark in a lock it holds. */
const ownerMark = (): string => `${process.pid} ${hostname()}`;

/** True when the lock names a holder on this machine and no process with that pid runs any more. */
function ownerIsGone(lock: string): boolean {
  let pid: number;
  try {
    const [pidText, host] = readFileSync(path.join(lock, OWNER), 'utf8').split(' ');
    // A pid means nothing on another machine sharing the folder: only the lock's age tells there.
    if (host !== undefined && host !== hostname()) return false;
    pid = Number(pidText);
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

/** True when the lock has not been refreshed for {@link LOCK_STALE_MS}: its holder died without a trace we can check. */
function isStale(lock: string): boolean {
  try {
    return Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS;
  } catch {
    return false;
  }
}

/** True when someone holds the lock folder `lock`: it exists, its holder still runs, and it is fresh. */
export function lockIsHeld(lock: string): boolean {
  try {
    statSync(lock);
  } catch {
    return false;
  }
  return !ownerIsGone(lock) && !isStale(lock);
}

/**
 * Takes the lock folder `lock` with an atomic `mkdir` and marks it with this process. `false`
 * when another process holds it.
 *
 * @throws {UserError} when the folder cannot be made for another reason (permissions, a full disk).
 */
function tryLock(lock: string): boolean {
  try {
    mkdirSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new UserError(`Could not lock ${lock}: ${describeFsError(error)}`);
  }
  writeFileSync(path.join(lock, OWNER), ownerMark());
  return true;
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
 *
 * The lock is a folder ({@link lockPath}) made with an atomic `mkdir`, holding an `owner` file
 * (`PID HOSTNAME`); its modification time is refreshed while held. A lock whose holder's process
 * is gone from this machine is taken over at once; any other goes stale when not refreshed for
 * {@link LOCK_STALE_MS} (the rule proper-lockfile follows) and is taken over then.
 *
 * @throws {CancelledError} when `signal` aborts while waiting.
 * @throws {UserError} when the lock folder cannot be made (permissions, a full disk).
 * @throws whatever `work` throws, after releasing the lock.
 */
export function withDestinationLock<T>(dir: string, work: () => Promise<T>, options: { signal?: AbortSignal; onWait?: () => void } = {}): Promise<T> {
  ensureFolder(path.dirname(dir));
  return withLock(lockPath(dir), `another creation of ${dir}`, work, options);
}

/**
 * Holds the lock folder `lock` while `work` runs, as {@link withDestinationLock} describes;
 * `what` names the holder in the message of a cancelled wait.
 *
 * @throws {CancelledError} when `signal` aborts while waiting.
 * @throws {UserError} when the lock folder cannot be made.
 */
export async function withLock<T>(lock: string, what: string, work: () => Promise<T>, options: { signal?: AbortSignal; onWait?: () => void } = {}): Promise<T> {
  let told = false;
  while (!tryLock(lock)) {
    if (options.signal?.aborted) throw new CancelledError(`Waiting for ${what}`);
    // A holder killed outright leaves its lock behind: take it over once nobody holds it.
    if (ownerIsGone(lock) || isStale(lock)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!told) options.onWait?.();
    told = true;
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
  const refresh = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(lock, now, now);
    } catch {
      // Gone or taken over: the work goes on; the release below leaves another holder's lock alone.
    }
  }, LOCK_REFRESH_MS);
  refresh.unref();
  try {
    return await work();
  } finally {
    clearInterval(refresh);
    let mine = false;
    try {
      mine = readFileSync(path.join(lock, OWNER), 'utf8') === ownerMark();
    } catch {
      // Already gone.
    }
    if (mine) rmSync(lock, { recursive: true, force: true });
  }
}
