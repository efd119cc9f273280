import path from 'node:path';
import { UserError } from '../leaves/errors';
import type { CommandLogger } from '../leaves/process';
import { firstProblem } from '../leaves/requirements/parser';
import type { MarkerEnvironment } from '../leaves/requirements/pep508';
import { installArgs, isEmptySelection, readSources, UV_LOCK, type ProjectSelection, type ReadSources, type TrackedSources, type UvLockSelection } from '../parts/sources';
import { planSync, readStamp, stampFor, stampIsCurrent, writeStamp, type SyncPlan } from '../parts/syncPlan';
import { effectiveIndexSettings, isEmptyIndexSettings, readIndexSettings, storableIndexSettings, writeIndexSettings } from '../parts/pip/indexState';
import { installedDistributions } from '../parts/pip/installed';
import { withDestinationLock } from '../parts/venv/destination';
import type { PipSettings } from '../parts/pip/install';
import { installInto, uninstallFrom } from '../parts/installer';
import { lockedNames, uvSync } from '../parts/uv/commands';
import { resolveInstallers, uvCacheFile, type Installer, type InstallerChoice, type Installers, type UvBinary, type UvLookup } from '../parts/uv/find';
import { userCacheDir } from '../leaves/paths';
import { venvPython } from '../leaves/layout';

/** Options for {@link syncVenv}. */
export interface SyncOptions {
  /** Requirements files (roots); their includes are followed. */
  readonly requirements?: readonly string[];
  /** The parts of a `pyproject.toml` project tracked too: the project, extras, dependency groups (see `parts/sources`). */
  readonly project?: ProjectSelection;
  /** A uv project's `uv.lock`, installed by `uv sync` (which needs uv, whatever `installer` says). */
  readonly uvLock?: UvLockSelection;
  /** `venvPilot.installer`: `auto` (default) installs with uv when it is found, else with the venv's pip. */
  readonly installer?: InstallerChoice;
  /** Where to look for uv (`venvPilot.uv.path`, untrusted folders); the cache defaults to the user cache. */
  readonly uv?: UvLookup;
  /** Also uninstall what nothing requires. */
  readonly exact?: boolean;
  /** The venv interpreter's PEP 508 marker environment (from its probe). */
  readonly environment: MarkerEnvironment;
  /** The venv interpreter's identity for the stamp, e.g. `REALPATH|3.12.1`. */
  readonly interpreterIdentity: string;
  /** Compute the plan only. */
  readonly dryRun?: boolean;
  /** Index settings given now; when none are set, the ones the venv recorded apply (see `pip/indexState`). */
  readonly pip?: PipSettings;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
  /** Progress in words: per package ("[2] Collecting remora==0.3.0"), pip's warnings and errors, and what was installed. */
  readonly onProgress?: (message: string) => void;
  /** pip's other output lines ("Requirement already satisfied: …"), for a log. */
  readonly onDetail?: (line: string) => void;
  readonly log?: CommandLogger;
  /** The folder pip runs in and relative requirements (`-e .`) mean; default this process's. */
  readonly cwd?: string;
}

/**
 * What a line of pip's or uv's install output means to a user: per-package progress (pip's
 * `[3] Collecting mdurl~=0.1`, "Installing 13 packages: …"; uv's `[3] + mdurl==0.1.2`,
 * "Resolved 13 packages in 20ms"), warnings and errors, or `undefined` for the chatter
 * ("Requirement already satisfied", "Using Python 3.12.1 environment at: …", download bars) that
 * belongs in the log only. `seen` counts the packages collected (uv: changed) so far.
 */
export function progressOf(line: string, seen: number): { message: string; collected: boolean } | undefined {
  // uv lists each change as ` + name==version` (installed), ` - ` (removed), ` ~ ` (reinstalled).
  const changed = /^ ([+~-]) (\S.*)$/.exec(line);
  if (changed?.[2]) return { message: `[${seen + 1}] ${changed[1]} ${changed[2]}`, collected: true };
  if (/^(Resolved|Prepared|Installed|Uninstalled|Audited|Checked|Would (install|uninstall|download|make no changes)) /.test(line)) return { message: line, collected: false };
  if (/^(warning|error):/.test(line)) return { message: line, collected: false };
  const collecting = /^(Collecting|Processing|Obtaining) (.+?)(?: \(from .*\))?$/.exec(line);
  if (collecting?.[2]) return { message: `[${seen + 1}] ${collecting[1]} ${path.basename(collecting[2])}`, collected: true };
  const installing = /^Installing collected packages: (.*)$/.exec(line);
  if (installing?.[1]) {
    const names = installing[1].split(', ');
    return { message: `Installing ${names.length} package${names.length === 1 ? '' : 's'}: ${installing[1]}`, collected: false };
  }
  if (/^(Successfully installed|Successfully uninstalled|WARNING:|ERROR:|DEPRECATION:)/.test(line)) return { message: line, collected: false };
  return undefined;
}

/** What a sync did (or, dry, would do): the plan for the sources venv-pilot plans, and what `uv sync` changed for a uv lock. */
export interface SyncResult extends SyncPlan {
  /** uv's own change lines for a tracked `uv.lock` (`+ remora==0.3.0`, `- barnacle==0.1.0`); absent when no lock is tracked. */
  readonly locked?: { readonly changes: readonly string[] };
  /** The installer that ran (absent when nothing needed one). */
  readonly installer?: Installer;
}

/**
 * Brings the venv in line with its requirements: plans (see `planSync`), then installs with the
 * installer in effect (`installer`: the venv's pip, or uv as `uv pip install --python`; see
 * `parts/installer`) — `-r FILE...`, so each file's own index options apply — and, in exact mode,
 * uninstalls, and stamps the venv. A tracked `uv.lock` is installed first by `uv sync --frozen`
 * (or `--locked`) into this venv; the other sources are then planned on what it left, and exact
 * mode never removes what the lock lists. Nothing to do runs no installer at all (a uv lock
 * always runs `uv sync`, which is itself a no-op check when nothing changed). A failed install
 * leaves the venv usable and throws the installer's own error line. Two syncs (or a sync and a
 * create) of one venv take turns: the second waits, says so, and plans again on what the first left.
 *
 * @throws {UserError} for a requirements file pip would reject (with file and line), before anything runs; for `installer: 'uv'` or a uv lock without uv.
 * @throws {ProcessError} when pip or uv fails.
 * @throws {CancelledError} when `signal` aborts; the installer's process tree is killed.
 */
export async function syncVenv(venvDir: string, options: SyncOptions): Promise<SyncResult> {
  const tracked = trackedOf(options);
  if (isEmptySelection(tracked)) throw new UserError('Nothing to sync with: name a requirements file, a uv lock, or a project, extra or dependency group');
  const read = readSources(tracked, options.env);
  const problem = firstProblem(read.parsed);
  if (problem) throw new UserError(problem);
  const keep = tracked.uvLock ? lockedNames(path.join(tracked.uvLock.folder, UV_LOCK)) : undefined;
  const plan = (): SyncPlan => planSync(read.parsed, installedDistributions(venvDir), options.environment, { exact: options.exact, cwd: options.cwd ?? process.cwd(), declaredProjects: read.declaredProjects, ...(keep ? { keep } : {}) });
  if (options.dryRun) {
    if (!tracked.uvLock) return plan();
    const { installer, uv } = await installersFor(options, true);
    return { ...plan(), ...(await syncLock(venvDir, tracked, uv, options, true)), installer };
  }
  if (!tracked.uvLock) {
    // Nothing to do and nothing to record: no lock, no write, no installer lookup (a no-op sync
    // is what a watcher or a script runs most). Another sync holding the lock changes nothing
    // this one would check.
    const now = plan();
    if (now.install.length === 0 && now.uninstall.length === 0 && isRecorded(venvDir, tracked, options)) return now;
  }
  return withDestinationLock(venvDir, () => carryOut(venvDir, tracked, read, plan, options), {
    signal: options.signal,
    onWait: () => options.onProgress?.(`Waiting for another venv-pilot process that is changing ${venvDir}; then planning again`),
  });
}

/** True when the venv's stamp and recorded index already say what a sync with `options` would write. */
function isRecorded(venvDir: string, tracked: TrackedSources, options: SyncOptions): boolean {
  const stamp = readStamp(venvDir);
  if (stamp?.interpreter !== options.interpreterIdentity || !stampIsCurrent(venvDir, tracked)) return false;
  const given = options.pip;
  return !given || isEmptyIndexSettings(given) || JSON.stringify(storableIndexSettings(given)) === JSON.stringify(readIndexSettings(venvDir));
}

/**
 * The installer the options choose, found once per sync, and with a uv lock the uv that runs
 * `uv sync` (see `resolveInstallers`).
 *
 * @throws {UserError} when uv is required (chosen, or a lock is tracked) and not found.
 */
async function installersFor(options: SyncOptions, lock: boolean): Promise<Installers> {
  const lookup: UvLookup = { cacheFile: uvCacheFile(userCacheDir()), signal: options.signal, log: options.log, onWarning: (m) => options.onProgress?.(`warning: ${m}`), ...options.uv };
  return resolveInstallers(options.installer, lookup, lock);
}

/** Runs `uv sync` for the tracked lock (dry: `--dry-run`), with its change lines as progress. */
async function syncLock(venvDir: string, tracked: TrackedSources, uv: UvBinary | undefined, options: SyncOptions, dryRun: boolean): Promise<Pick<SyncResult, 'locked'>> {
  const lock = tracked.uvLock;
  if (!lock || !uv) return {};
  const settings = effectiveIndexSettings(readIndexSettings(venvDir), options.pip);
  const changes: string[] = [];
  let seen = 0;
  options.onProgress?.(`${dryRun ? 'Checking' : 'Syncing'} ${path.join(lock.folder, UV_LOCK)} with uv ${uv.version} (${lock.mode})`);
  // Other sources beside the lock: uv must not remove what they installed; the plan's exact mode does that, sparing the lock's packages.
  const alone = tracked.requirements.length === 0 && !tracked.project && !tracked.script;
  await uvSync(uv, { folder: lock.folder, venvDir, python: venvPython(venvDir), mode: lock.mode, extras: lock.extras, groups: lock.groups, exact: options.exact === true && alone, dryRun }, {
    signal: options.signal,
    log: options.log,
    settings,
    env: options.env,
    onLine: (line) => {
      const progress = progressOf(line, seen);
      if (progress?.collected) {
        seen++;
        changes.push(line.trim());
      }
      if (progress) options.onProgress?.(progress.message);
      else options.onDetail?.(line);
    },
  });
  return { locked: { changes } };
}

/** Installs, uninstalls and stamps, with the venv's lock held: a uv lock first, then the plan made on what it left. */
async function carryOut(venvDir: string, tracked: TrackedSources, read: ReadSources, planNow: () => SyncPlan, options: SyncOptions): Promise<SyncResult> {
  const recorded = readIndexSettings(venvDir);
  const pip = effectiveIndexSettings(recorded, options.pip);
  if (options.pip && !isEmptyIndexSettings(options.pip)) await writeIndexSettings(venvDir, options.pip);
  const python = venvPython(venvDir);
  const found = tracked.uvLock ? await installersFor(options, true) : undefined;
  const locked = await syncLock(venvDir, tracked, found?.uv, options, false);
  const plan = planNow();
  const installer = found?.installer ?? (plan.install.length > 0 || plan.uninstall.length > 0 ? (await installersFor(options, false)).installer : undefined);
  if (plan.install.length > 0 && installer) {
    let seen = 0;
    const pipVersion = installer.kind === 'pip' ? installedDistributions(venvDir).find((d) => d.normalizedName === 'pip')?.version : undefined;
    await installInto(installer, python, installArgs(tracked, read, pipVersion), {
      signal: options.signal,
      log: options.log,
      settings: pip,
      env: options.env,
      cwd: options.cwd,
      onLine: (line) => {
        const progress = progressOf(line, seen);
        if (progress?.collected) seen++;
        if (progress) options.onProgress?.(progress.message);
        else options.onDetail?.(line);
      },
    });
  }
  if (plan.uninstall.length > 0 && installer) {
    options.onProgress?.(`Uninstalling ${plan.uninstall.map((d) => d.name).join(', ')}`);
    await uninstallFrom(installer, python, plan.uninstall.map((d) => d.name), { signal: options.signal, log: options.log, settings: pip, env: options.env, cwd: options.cwd, onLine: (line) => options.onDetail?.(line) });
  }
  await writeStamp(venvDir, stampFor(tracked, read.parsed.files, options.interpreterIdentity));
  return { ...plan, ...locked, ...(installer ? { installer } : {}) };
}

/** The tracked set the options name: their requirements files (absolute), project parts and uv lock. */
export function trackedOf(options: { readonly requirements?: readonly string[]; readonly project?: ProjectSelection; readonly uvLock?: UvLockSelection }): TrackedSources {
  return {
    requirements: (options.requirements ?? []).map((r) => path.resolve(r)),
    ...(options.project ? { project: { ...options.project, folder: path.resolve(options.project.folder) } } : {}),
    ...(options.uvLock ? { uvLock: { ...options.uvLock, folder: path.resolve(options.uvLock.folder) } } : {}),
  };
}
