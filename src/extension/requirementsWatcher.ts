import path from 'node:path';
import * as vscode from 'vscode';
import { venvInterpreterPath } from '../core/discovery/locators';
import { pipInstall, requirementArgs } from '../core/pip/install';
import { withCancellableProgress } from './feedback';
import { logCommand, type Services } from './services';
import { readSettings } from './settings';
import { trackedRequirements } from './trackedRequirements';

/** Quiet period after the last save before offering to install, ms: editors save in bursts. */
const DEBOUNCE_MS = 500;

/** The running watcher: disposable, and observable by tests. */
export interface RequirementsWatcher extends vscode.Disposable {
  /** Fires with the file's path when the "changed, install it?" message is shown. */
  readonly onDidOfferInstall: vscode.Event<string>;
}

/**
 * Watches the requirements files a folder's environment was created from. When one changes,
 * offers "Install" and runs `pip install -r FILE` in the selected venv (setting `venvPilot.watchRequirements`).
 */
export function createRequirementsWatcher(services: Services): RequirementsWatcher {
  const pending = new Map<string, NodeJS.Timeout>();
  const offered = new vscode.EventEmitter<string>();
  const watcher = vscode.workspace.createFileSystemWatcher('**/requirements*.txt', true, false, true);
  const onChange = (uri: vscode.Uri): void => {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder || !readSettings(folder).watchRequirements) return;
    if (!trackedRequirements(services.context.workspaceState, folder).includes(uri.fsPath)) return;
    clearTimeout(pending.get(uri.fsPath));
    pending.set(uri.fsPath, setTimeout(() => {
      pending.delete(uri.fsPath);
      void offerInstall(services, folder, uri.fsPath, offered);
    }, DEBOUNCE_MS));
  };
  const disposable = vscode.Disposable.from(watcher, offered, watcher.onDidChange(onChange), { dispose: () => pending.forEach((timer) => clearTimeout(timer)) });
  return { onDidOfferInstall: offered.event, dispose: () => disposable.dispose() };
}

async function offerInstall(services: Services, folder: vscode.WorkspaceFolder, file: string, offered: vscode.EventEmitter<string>): Promise<void> {
  const venv = services.selections.get(folder)?.venv;
  if (!venv) return;
  const venvName = path.relative(folder.uri.fsPath, venv) || path.basename(venv);
  const answer = vscode.window.showInformationMessage(`${path.basename(file)} changed. Install it into ${venvName}?`, 'Install');
  offered.fire(file);
  const choice = await answer;
  if (choice !== 'Install') return;
  try {
    await withCancellableProgress(`Installing ${path.basename(file)} into ${venvName}`, (signal, report) =>
      pipInstall(venvInterpreterPath(venv), requirementArgs([file]), {
        signal,
        settings: readSettings(folder).pip,
        log: logCommand(services.log),
        onLine: (line) => {
          services.log.info(line);
          report(line);
        },
      }),
    );
    void vscode.window.showInformationMessage(`Installed ${path.basename(file)} into ${venvName}.`);
  } catch (error) {
    void services.failures.show(error);
  }
}
