/**
 * `venv-pilot sync DEST [-r FILE...] [--project DIR] [--extra NAME...] [--group NAME...]
 * [--exact] [--dry-run] [index options]`: install what the requirements files and the project's
 * parts lack; with --exact, remove the rest. Without index options, the index the venv was
 * created or last synced with applies.
 */
import path from 'node:path';
import { describeInterpreter } from '../core/parts/discovery/describe';
import { UserError } from '../core/leaves/errors';
import { syncVenv } from '../core/orchestrations/sync';
import { readPyvenvCfg, venvPython } from '../core/leaves/layout';
import { INDEX_OPTIONS, indexSettingsFrom, one, print, printJson, PROJECT_OPTIONS, UsageError, wantsProject, warn, type Command } from './command';
import { projectFrom } from './project';
import { discoveryOptions } from './discovery';

export const command: Command = {
  options: { requirement: { type: 'string', short: 'r', multiple: true }, project: { type: 'string' }, ...PROJECT_OPTIONS, exact: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, ...INDEX_OPTIONS },
  run: async (positionals, values, signal) => {
    const dest = path.resolve(one(positionals, 'DEST'));
    const requirements = (values.requirement as string[] | undefined) ?? [];
    // The project is the venv's parent folder unless --project names another.
    const project = wantsProject(values) ? projectFrom(values, path.dirname(dest)) : undefined;
    if (requirements.length === 0 && !project) throw new UsageError('sync needs at least one -r FILE, or a project (--project DIR, --extra, --group)');
    const python = venvPython(dest);
    if (!readPyvenvCfg(dest)) throw new UserError(`${dest} is not a virtual environment (no pyvenv.cfg)`);
    const interpreter = await describeInterpreter(python, discoveryOptions(values, signal));
    const plan = await syncVenv(dest, {
      requirements,
      ...(project ? { project } : {}),
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
    };
    if (values.json) return printJson(summary);
    const nothing = summary.install.length === 0 && summary.uninstall.length === 0;
    const dry = values['dry-run'] === true;
    print(nothing ? `${dest} is in sync (${summary.satisfied} requirements satisfied)` : `${dry ? 'Would install' : 'Installed'}: ${summary.install.map((i) => i.requirement).join(', ') || 'nothing'}; ${dry ? 'would uninstall' : 'uninstalled'}: ${summary.uninstall.join(', ') || 'nothing'}`);
  },
};
