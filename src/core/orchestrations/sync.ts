import path from 'node:path';
import { UserError } from '../leaves/errors';
import type { CommandLogger } from '../leaves/process';
import { firstProblem } from '../leaves/requirements/parser';
import type { MarkerEnvironment } from '../leaves/requirements/pep508';
import { installArgs, isEmptySelection, readSources, type ProjectSelection, type ReadSources, type TrackedSources } from '../parts/sources';
import { planSync, stampFor, writeStamp, type SyncPlan } from '../parts/syncPlan';
import { effectiveIndexSettings, isEmptyIndexSettings, readIndexSettings, writeIndexSettings } from '../parts/pip/indexState';
import { installedDistributions } from '../parts/pip/installed';
import { withDestinationLock } from '../parts/venv/destination';
import { pipInstall, pipUninstall, type PipSettings } from '../parts/pip/install';
import { venvPython } from '../leaves/layout';

/** Options for {@link syncVenv}. */
export interface SyncOptions {
  /** Requirements files (roots); their includes are followed. */
  readonly requirements?: readonly string[];
  /** The parts of a `pyproject.toml` project tracked too: the project, extras, dependency groups (see `parts/sources`). */
  readonly project?: ProjectSelection;
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
 * What a line of pip's install output means to a user: per-package progress (`[3] Collecting
 * mdurl~=0.1`, "Installing 13 packages: …"), warnings and errors, or `undefined` for the chatter
 * ("Requirement already satisfied", download bars) that belongs in the log only. `seen` counts
 * the packages collected so far.
 */
export function progressOf(line: string, seen: number): { message: string; collected: boolean } | undefined {
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

/**
 * Brings the venv in line with its requirements: plans (see `planSync`), then runs
 * `pip install -r FILE...` (so each file's own index options apply) and, in exact mode,
 * `pip uninstall -y`, and stamps the venv. Nothing to do runs no pip at all. A failed pip leaves
 * the venv usable and throws pip's own error line. Two syncs (or a sync and a create) of one
 * venv take turns: the second waits, says so, and plans again on what the first left.
 *
 * @throws {UserError} for a requirements file pip would reject (with file and line), before anything runs.
 * @throws {ProcessError} when pip fails.
 * @throws {CancelledError} when `signal` aborts; pip's process tree is killed.
 */
export async function syncVenv(venvDir: string, options: SyncOptions): Promise<SyncPlan> {
  const tracked = trackedOf(options);
  if (isEmptySelection(tracked)) throw new UserError('Nothing to sync with: name a requirements file, or a project, extra or dependency group');
  const read = readSources(tracked, options.env);
  const problem = firstProblem(read.parsed);
  if (problem) throw new UserError(problem);
  const plan = (): SyncPlan => planSync(read.parsed, installedDistributions(venvDir), options.environment, { exact: options.exact, cwd: options.cwd ?? process.cwd(), declaredProjects: read.declaredProjects });
  if (options.dryRun) return plan();
  return withDestinationLock(venvDir, () => carryOut(venvDir, tracked, read, plan(), options), {
    signal: options.signal,
    onWait: () => options.onProgress?.(`Waiting for another venv-pilot process that is changing ${venvDir}; then planning again`),
  });
}

/** Installs, uninstalls and stamps, with the venv's lock held. */
async function carryOut(venvDir: string, tracked: TrackedSources, read: ReadSources, plan: SyncPlan, options: SyncOptions): Promise<SyncPlan> {
  const recorded = readIndexSettings(venvDir);
  const pip = effectiveIndexSettings(recorded, options.pip);
  if (options.pip && !isEmptyIndexSettings(options.pip)) await writeIndexSettings(venvDir, options.pip);
  const python = venvPython(venvDir);
  if (plan.install.length > 0) {
    let seen = 0;
    const pipVersion = installedDistributions(venvDir).find((d) => d.normalizedName === 'pip')?.version;
    await pipInstall(python, installArgs(tracked, read, pipVersion), {
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
  if (plan.uninstall.length > 0) {
    options.onProgress?.(`Uninstalling ${plan.uninstall.map((d) => d.name).join(', ')}`);
    await pipUninstall(python, plan.uninstall.map((d) => d.name), { signal: options.signal, log: options.log, settings: pip, env: options.env, cwd: options.cwd });
  }
  await writeStamp(venvDir, stampFor(tracked, read.parsed.files, options.interpreterIdentity));
  return plan;
}

/** The tracked set the options name: their requirements files (absolute) and project parts. */
export function trackedOf(options: { readonly requirements?: readonly string[]; readonly project?: ProjectSelection }): TrackedSources {
  return { requirements: (options.requirements ?? []).map((r) => path.resolve(r)), ...(options.project ? { project: { ...options.project, folder: path.resolve(options.project.folder) } } : {}) };
}
