import * as vscode from 'vscode';
import { PythonExtension } from '@vscode/python-extension';
import { localFolders } from './folders';
import type { Services } from './services';

const PYTHON = 'ms-python.python';
const PYTHON_ENVS = 'ms-python.vscode-python-envs';
const ASKED = 'venvPilot.askedAboutDoubleActivation';

/**
 * Living beside Microsoft's Python extensions:
 * - tells ms-python which interpreter each folder uses (`environments.updateActiveEnvironmentPath`),
 *   so its language features use the same venv;
 * - when their terminal activation is on too, asks once which one should activate terminals, so
 *   nothing activates twice.
 * Without those extensions this does nothing.
 */
export function registerPythonExtensionInterop(services: Services): vscode.Disposable {
  const python = vscode.extensions.getExtension(PYTHON);
  if (!python) return new vscode.Disposable(() => undefined);
  const tell = async (folder: vscode.WorkspaceFolder): Promise<void> => {
    const selected = services.selections.get(folder)?.path;
    if (!selected) return;
    try {
      const api = await PythonExtension.api();
      await api.environments.updateActiveEnvironmentPath(selected, folder);
    } catch (error) {
      services.log.warn(`Could not tell the Python extension about ${selected}: ${String(error)}`);
    }
  };
  void askAboutDoubleActivation(services);
  localFolders().forEach((folder) => void tell(folder));
  return services.selections.onDidChange((folder) => void tell(folder));
}

async function askAboutDoubleActivation(services: Services): Promise<void> {
  if (services.context.globalState.get<boolean>(ASKED)) return;
  const theirs = vscode.workspace.getConfiguration('python').get<boolean>('terminal.activateEnvironment', true) || (vscode.extensions.getExtension(PYTHON_ENVS) !== undefined && vscode.workspace.getConfiguration('python-envs').get<string>('terminal.autoActivationType', 'command') !== 'off');
  const ours = vscode.workspace.getConfiguration('venvPilot').get<string>('terminal.activate', 'env') === 'env';
  if (!theirs || !ours) return;
  await services.context.globalState.update(ASKED, true);
  const keepOurs = 'Let Venv Pilot activate terminals';
  const keepTheirs = "Let the Python extension activate them";
  const answer = await vscode.window.showInformationMessage('Both Venv Pilot and the Python extension activate the environment in new terminals, so it would happen twice. Which one should?', keepOurs, keepTheirs);
  if (answer === keepOurs) {
    await vscode.workspace.getConfiguration('python').update('terminal.activateEnvironment', false, vscode.ConfigurationTarget.Global);
    if (vscode.extensions.getExtension(PYTHON_ENVS)) await vscode.workspace.getConfiguration('python-envs').update('terminal.autoActivationType', 'off', vscode.ConfigurationTarget.Global);
  } else if (answer === keepTheirs) {
    await vscode.workspace.getConfiguration('venvPilot').update('terminal.activate', 'off', vscode.ConfigurationTarget.Global);
  }
}
