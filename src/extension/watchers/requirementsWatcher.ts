import path from 'node:path';
import * as vscode from 'vscode';
import { isEmptySelection, readSources } from '../../core/parts/sources';
import { syncFolder } from '../workflows/syncFolder';
import type { Services } from '../services';
import { readSettings } from '../settings';
import { trackedSources } from '../trackedSources';

/** Quiet period after the last save before acting, ms: editors save in bursts. */
const DEBOUNCE_MS = 500;

/** The running watcher: disposable, and observable by tests. */
export interface RequirementsWatcher extends vscode.Disposable {
  /** Fires with the changed file's path when the "changed, sync?" message is shown. */
  readonly onDidOfferSync: vscode.Event<string>;
}

/**
 * Watches what a folder's environment tracks: its requirements files, everything they include,
 * and the pyproject.toml of a tracked project (its dependencies, extras and groups).
 * On a change (debounced), `venvPilot.requirements.syncOnChange` decides: sync at once, offer
 * "Sync", or nothing. Files venv-pilot wrote itself (a freeze) are ignored, so nothing loops.
 */
export function createRequirementsWatcher(services: Services): RequirementsWatcher {
  const pending = new Map<string, NodeJS.Timeout>();
  const offered = new vscode.EventEmitter<string>();
  // pyproject.toml by name: a project's dependencies, extras and groups live there.
  const watcher = vscode.workspace.createFileSystemWatcher('**/{*.txt,*.in,*.pip,pyproject.toml,uv.lock}', true, false, true);
  const onChange = (uri: vscode.Uri): void => {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return;
    const tracked = trackedSources(services.state, folder);
    // Every file the set was read from: requirements files, their includes, pyproject.toml.
    if (isEmptySelection(tracked) || !readSources(tracked).parsed.files.includes(uri.fsPath)) return;
    services.health.refresh();
    if (services.ownWrites.isOurs(uri.fsPath)) return;
    const mode = readSettings(folder).syncOnChange;
    if (mode === 'off') return;
    clearTimeout(pending.get(folder.uri.toString()));
    pending.set(folder.uri.toString(), setTimeout(() => {
      pending.delete(folder.uri.toString());
      void (mode === 'auto' ? syncFolder(services, folder) : offerSync(services, folder, uri.fsPath, offered));
    }, DEBOUNCE_MS));
  };
  const disposable = vscode.Disposable.from(watcher, offered, watcher.onDidChange(onChange), { dispose: () => pending.forEach((timer) => clearTimeout(timer)) });
  return { onDidOfferSync: offered.event, dispose: () => disposable.dispose() };
}

async function offerSync(services: Services, folder: vscode.WorkspaceFolder, file: string, offered: vscode.EventEmitter<string>): Promise<void> {
  const venv = services.selections.get(folder)?.venv;
  if (!venv) return;
  const name = path.relative(folder.uri.fsPath, venv) || path.basename(venv);
  const answer = vscode.window.showInformationMessage(`${path.basename(file)} changed. Sync ${name} with it?`, 'Sync');
  offered.fire(file);
  if ((await answer) === 'Sync') await syncFolder(services, folder);
}
