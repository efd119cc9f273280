import path from 'node:path';
import * as vscode from 'vscode';
import { recommendInterpreter } from '../../core/parts/discovery/recommend';
import { parseSpec, pickInterpreter } from '../../core/parts/discovery/spec';
import type { CreatedVenv } from '../../core/orchestrations/create';
import { describeSources, isEmptySelection } from '../../core/parts/sources';
import { readPyvenvCfg } from '../../core/leaves/layout';
import { folderOf } from '../folders';
import type { CommandHandler, Services } from '../services';
import { trackedSources } from '../trackedSources';
import { createInFolder } from '../workflows/createInFolder';

/**
 * "Venv Pilot: Recreate Environment": rebuilds the active folder's venv (or the venv of the view row it was invoked on) with the same Python
 * version (X.Y from its pyvenv.cfg, newest patch found), else the recommended interpreter, and
 * what it tracks (requirements files, a pyproject.toml project's parts). Offered by the status bar when the venv is broken.
 */
export function recreateEnvironment(services: Services): CommandHandler {
  return async (arg?: unknown): Promise<CreatedVenv | undefined> => {
    const folder = folderOf(arg);
    const venv = folder && services.selections.get(folder)?.venv;
    if (!folder || !venv || !readPyvenvCfg(venv)) {
      void vscode.window.showWarningMessage('There is no selected environment to recreate; use "Venv Pilot: Create Environment".');
      return undefined;
    }
    const { interpreters } = await services.interpreters.refresh();
    const version = readPyvenvCfg(venv)?.version?.split('.').slice(0, 2).join('.');
    const interpreter = (version && pickInterpreter(interpreters, parseSpec(version))) || recommendInterpreter(interpreters, folder.uri.fsPath, { forCreate: true })?.interpreter;
    if (!interpreter) {
      void vscode.window.showErrorMessage(`No Python ${version ?? '3'} interpreter is left to recreate ${path.basename(venv)} with; install one, then run "Venv Pilot: Rediscover Interpreters".`);
      return undefined;
    }
    const tracked = trackedSources(services.state, folder);
    const answer = await services.quickInputs.pickOne({
      title: `Recreate ${path.relative(folder.uri.fsPath, venv) || path.basename(venv)}`,
      placeholder: `With Python ${interpreter.version}${isEmptySelection(tracked) ? '' : ` and ${describeSources(tracked)}`}`,
      items: [{ label: 'Recreate', description: 'delete the environment and create it again' }, { label: 'Cancel' }],
    });
    if (answer?.label !== 'Recreate') return undefined;
    return createInFolder(services, folder, interpreter, venv, tracked, true);
  };
}
