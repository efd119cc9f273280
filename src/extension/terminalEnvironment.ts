import * as vscode from 'vscode';
import { activatedEnvironment, bashPromptHook } from '../core/parts/activation/environment';
import { localFolders } from './folders';
import type { Selection } from './selection';
import type { Services } from './services';
import { readSettings } from './settings';

/**
 * Puts the selected venv into new terminals of `folder` through the folder-scoped
 * EnvironmentVariableCollection (VS Code API docs: `getScoped`, `EnvironmentVariableMutatorOptions`).
 * Nothing is typed into terminals and no rc file is edited. With `applyAtShellIntegration`,
 * PATH is re-applied after ~/.bashrc ran, so pyenv shims cannot shadow the venv.
 */
export function applyTerminalEnvironment(context: vscode.ExtensionContext, folder: vscode.WorkspaceFolder, selection: Selection | undefined, enabled: boolean, promptPrefix = true): void {
  const collection = context.environmentVariableCollection.getScoped({ workspaceFolder: folder });
  collection.clear();
  if (!enabled || !selection?.venv) return;
  let activated;
  try {
    activated = activatedEnvironment(selection.venv);
  } catch {
    return; // The venv was deleted; leave terminals untouched.
  }
  const options: vscode.EnvironmentVariableMutatorOptions = { applyAtProcessCreation: true, applyAtShellIntegration: true };
  for (const m of activated.mutations) {
    if (m.op === 'prepend') collection.prepend(m.name, m.value, options);
    else if (m.op === 'replace') collection.replace(m.name, m.value, options);
    // The collection cannot unset a variable; Python treats an empty PYTHONHOME as unset.
    else collection.replace(m.name, '', options);
  }
  if (promptPrefix) collection.prepend('PROMPT_COMMAND', `${bashPromptHook()} `, options);
  collection.description = new vscode.MarkdownString(`Activates \`${activated.prompt}\` (Python ${selection.version}, ${activated.venv})`);
}

/**
 * Keeps every folder's terminal environment in step with its selection and the
 * `venvPilot.terminal.*` settings. An untrusted workspace gets none: putting its `bin` first on PATH
 * would run the workspace's programs in place of the system's.
 */
export function registerTerminalEnvironment(services: Services): vscode.Disposable {
  const update = (folder: vscode.WorkspaceFolder): void => {
    const settings = readSettings(folder);
    applyTerminalEnvironment(services.context, folder, services.selections.get(folder), settings.terminalActivate === 'env' && vscode.workspace.isTrusted, settings.promptPrefix);
  };
  const updateAll = (): void => localFolders().forEach(update);
  updateAll();
  return vscode.Disposable.from(
    services.selections.onDidChange(update),
    vscode.workspace.onDidChangeWorkspaceFolders(updateAll),
    vscode.workspace.onDidGrantWorkspaceTrust(updateAll),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('venvPilot.terminal') && updateAll()),
  );
}
