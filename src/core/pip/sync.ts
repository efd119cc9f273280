import path from 'node:path';
import { UserError } from '../errors';
import type { CommandLogger } from '../process/run';
import { parseRequirementSet, type RequirementsItem } from '../requirements/parser';
import type { MarkerEnvironment } from '../requirements/pep508';
import { planSync, requirementsHash, writeStamp, type SyncPlan } from '../requirements/sync';
import { effectiveIndexSettings, isEmptyIndexSettings, readIndexSettings, writeIndexSettings } from './indexState';
import { installedDistributions } from './installed';
import { pipInstall, pipUninstall, requirementArgs, type PipSettings } from './install';

/** Options for {@link syncVenv}. */
export interface SyncOptions {
  /** Requirements files (roots); their includes are followed. */
  readonly requirements: readonly string[];
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
  /** Progress in words, with a per-package count: "Installing package 2 (1 requested): remora-0.3.0-py3-none-any.whl". */
  readonly onProgress?: (message: string) => void;
  readonly log?: CommandLogger;
  /** The folder pip runs in and relative requirements (`-e .`) mean; default this process's. */
  readonly cwd?: string;
}

/** `file:line: message` for an error item, as compilers print it. */
function where(item: Extract<RequirementsItem, { kind: 'error' }>): string {
  return `${item.range.file}:${item.range.startLine + 1}: ${item.message}`;
}

/**
 * Brings the venv in line with its requirements: plans (see `planSync`), then runs
 * `pip install -r FILE...` (so each file's own index options apply) and, in exact mode,
 * `pip uninstall -y`, and stamps the venv. Nothing to do runs no pip at all. A failed pip leaves
 * the venv usable and throws pip's own error line.
 *
 * @throws {UserError} for a requirements file pip would reject (with file and line), before anything runs.
 * @throws {ProcessError} when pip fails.
 * @throws {CancelledError} when `signal` aborts; pip's process tree is killed.
 */
export async function syncVenv(venvDir: string, options: SyncOptions): Promise<SyncPlan> {
  const roots = options.requirements.map((r) => path.resolve(r));
  const parsed = parseRequirementSet(roots, options.env);
  const errors = parsed.items.filter((i): i is Extract<RequirementsItem, { kind: 'error' }> => i.kind === 'error');
  if (errors[0]) throw new UserError(`${where(errors[0])}${errors.length > 1 ? ` (and ${errors.length - 1} more problems)` : ''}`);
  const plan = planSync(parsed, installedDistributions(venvDir), options.environment, { exact: options.exact, cwd: options.cwd ?? process.cwd() });
  if (options.dryRun) return plan;
  const recorded = readIndexSettings(venvDir);
  const pip = effectiveIndexSettings(recorded, options.pip);
  if (options.pip && !isEmptyIndexSettings(options.pip)) await writeIndexSettings(venvDir, options.pip);
  const python = path.join(venvDir, 'bin', 'python');
  if (plan.install.length > 0) {
    let done = 0;
    const requested = plan.install.length;
    await pipInstall(python, requirementArgs(roots), {
      signal: options.signal,
      log: options.log,
      settings: pip,
      env: options.env,
      cwd: options.cwd,
      onLine: (line) => {
        const collecting = /^Collecting (\S+)/.exec(line) ?? /^Processing (\S+)/.exec(line);
        if (collecting?.[1]) options.onProgress?.(`Installing package ${++done} (${requested} requested): ${path.basename(collecting[1])}`);
        else if (/^(Successfully installed|Requirement already satisfied)/.test(line)) options.onProgress?.(line);
      },
    });
  }
  if (plan.uninstall.length > 0) {
    options.onProgress?.(`Uninstalling ${plan.uninstall.map((d) => d.name).join(', ')}`);
    await pipUninstall(python, plan.uninstall.map((d) => d.name), { signal: options.signal, log: options.log, settings: pip, env: options.env, cwd: options.cwd });
  }
  await writeStamp(venvDir, { requirementsHash: requirementsHash(parsed.files), interpreter: options.interpreterIdentity, files: parsed.files });
  return plan;
}
