/**
 * `venv-pilot sync DEST [-r FILE...] [--project DIR] [--extra NAME...] [--group NAME...]
 * [--uv-lock [--locked]] [--exact] [--dry-run] [--installer auto|pip|uv] [--uv PATH] [index options]`:
 * install what the requirements files and the project's parts lack (or, with --uv-lock, run
 * `uv sync` on the project's uv.lock); with --exact, remove the rest. Without index options, the
 * index the venv was created or last synced with applies.
 */
import path from 'node:path';
import { describeInterpreter } from '../core/parts/discovery/describe';
import { UserError } from '../core/leaves/errors';
import { syncVenv } from '../core/orchestrations/sync';
import { readPyvenvCfg, venvPython } from '../core/leaves/layout';
import { INDEX_OPTIONS, indexSettingsFrom, INSTALLER_OPTIONS, installerFrom, one, print, printJson, PROJECT_OPTIONS, UsageError, wantsProject, warn, type Command } from './command';
import { lockFrom, projectFrom } from './project';
import { discoveryOptions } from './discovery';

export const command: Command = {
  options: { requirement: { type: 'string', short: 'r', multiple: true }, project: { type: 'string' }, ...PROJECT_OPTIONS, exact: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, ...INDEX_OPTIONS, ...INSTALLER_OPTIONS },
  run: async (positionals, values, signal) => {
    const dest = path.resolve(one(positionals, 'DEST'));
    const requirements = (values.requirement as string[] | undefined) ?? [];
    const { installer, uv } = installerFrom(values);
    // The project is the venv's parent folder unless --project names another.
    const uvLock = values['uv-lock'] ? lockFrom(values, path.dirname(dest)) : undefined;
    const project = !uvLock && wantsProject(values) ? projectFrom(values, path.dirname(dest)) : undefined;
    if (requirements.length === 0 && !project && !uvLock) throw new UsageError('sync needs at least one -r FILE, a uv lock (--uv-lock), or a project (--project DIR, --extra, --group)');
    const python = venvPython(dest);
    if (!readPyvenvCfg(dest)) throw new UserError(`${dest} is not a virtual environment (no pyvenv.cfg)`);
    const interpreter = await describeInterpreter(python, discoveryOptions(values, signal));
    const plan = await syncVenv(dest, {
      requirements,
      ...(project ? { project } : {}),
      ...(uvLock ? { uvLock } : {}),
      installer,
      uv,
      exact: values.exact === true,
      dryRun: values['dry-run'] === true,
      environment: interpreter.markerEnvironment ?? {},
      interpreterIdentity: `${interpreter.executable}|${interpreter.version}`,
      pip: indexSettingsFrom(values),
      signal,
      onProgress: (message) => warn(message),
    });
    const summary = {
      install: plan.install.map((i) => ({ requirement: i.requirement.text, reason: i.reason, ...(i.installed ? { installed: i.installed } : {}) })),
      uninstall: plan.uninstall.map((d) => `${d.name}==${d.version}`),
      satisfied: plan.satisfied.length,
      skipped: plan.skipped.map((r) => r.text),
      ...(plan.locked ? { locked: plan.locked.changes } : {}),
      ...(plan.installer ? { installer: plan.installer.kind === 'uv' ? `uv ${plan.installer.uv.version}` : 'pip' } : {}),
    };
    if (values.json) return printJson(summary);
    const dry = values['dry-run'] === true;
    if (plan.locked) print(`${path.join(uvLock?.folder ?? '', 'uv.lock')}: ${plan.locked.changes.join(', ') || (dry ? 'no changes needed' : 'already in sync')}`);
    const nothing = summary.install.length === 0 && summary.uninstall.length === 0;
    print(nothing ? `${dest} is in sync (${summary.satisfied} requirements satisfied)` : `${dry ? 'Would install' : 'Installed'}: ${summary.install.map((i) => i.requirement).join(', ') || 'nothing'}; ${dry ? 'would uninstall' : 'uninstalled'}: ${summary.uninstall.join(', ') || 'nothing'}`);
  },
};
