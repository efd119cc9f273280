import path from 'node:path';
import * as vscode from 'vscode';
import { venvInterpreterPath } from '../core/discovery/locators';
import { pipInstall, requirementArgs } from '../core/pip/install';
import { showFailure, withCancellableProgress } from './feedback';
import { logCommand, type Services } from './services';
import { readSettings } from './settings';
import { trackedRequirements } from './trackedRequirements';

/** Quiet period after the last save before offering to install, ms: editors save in bursts. */
const DEBOUNCE_MS = 500;

/**
 * Watches the requirements files a folder's environment was created from. When one changes,
 * offers "Install" and runs `pip install -r FILE` in the selected venv (setting `venvPilot.watchRequirements`).
 */
export function registerRequirementsWatcher(services: Services): vscode.Disposable {
  const pending = new Map<string, NodeJS.Timeout>();
  const watcher = vscode.workspace.createFileSystemWatcher('**/requirements*.txt', true, false, true);
  const onChange = (uri: vscode.Uri): void => {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder || !readSettings(folder).watchRequirements) return;
    if (!trackedRequirements(services.context.workspaceState, folder).includes(uri.fsPath)) return;
    clearTimeout(pending.get(uri.fsPath));
    pending.set(uri.fsPath, setTimeout(() => {
      pending.delete(uri.fsPath);
      void offerInstall(services, folder, uri.fsPath);
    }, DEBOUNCE_MS));
  };
  return vscode.Disposable.from(watcher, watcher.onDidChange(onChange), { dispose: () => pending.forEach((timer) => clearTimeout(timer)) });
}

async function offerInstall(services: Services, folder: vscode.WorkspaceFolder, file: string): Promise<void> {
  const venv = services.selections.get(folder)?.venv;
  if (!venv) return;
  const venvName = path.relative(folder.uri.fsPath, venv) || path.basename(venv);
  const choice = await vscode.window.showInformationMessage(`${path.basename(file)} changed. Install it into ${venvName}?`, 'Install');
  if (choice !== 'Install') return;
  try {
    await withCancellableProgress(`Installing ${path.basename(file)} into ${venvName}`, (signal, report) =>
      pipInstall(venvInterpreterPath(venv), requirementArgs([file]), {
        signal,
        log: logCommand(services.log),
        onLine: (line) => {
          services.log.info(line);
          report(line);
        },
      }),
    );
    void vscode.window.showInformationMessage(`Installed ${path.basename(file)} into ${venvName}.`);
  } catch (error) {
    void showFailure(services.log, error);
  }
}
