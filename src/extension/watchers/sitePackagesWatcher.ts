import path from 'node:path';
import * as vscode from 'vscode';
import { writeFreeze } from '../workflows/writeFreeze';
import { localFolders } from '../folders';
import type { Services } from '../services';
import { readSettings } from '../settings';

/** Quiet period after the last change in site-packages, ms: one pip install touches many files. */
const DEBOUNCE_MS = 1000;

/**
 * Watches each folder's selected venv for installs and uninstalls (new or removed `*.dist-info`,
 * for example after `pip install` in a terminal): refreshes the status, and with
 * `venvPilot.freeze.onChange: "auto"` rewrites the lock file.
 */
export function registerSitePackagesWatcher(services: Services): vscode.Disposable {
  const watchers = new Map<string, vscode.Disposable>();
  const pending = new Map<string, NodeJS.Timeout>();
  const changed = (folder: vscode.WorkspaceFolder, venv: string): void => {
    clearTimeout(pending.get(venv));
    pending.set(venv, setTimeout(() => {
      pending.delete(venv);
      services.health.refresh();
      const settings = readSettings(folder);
      if (settings.freezeOnChange !== 'auto') return;
      writeFreeze(services, venv, path.resolve(folder.uri.fsPath, settings.freezeFile)).catch((error: unknown) => services.log.warn(`Automatic freeze failed: ${String(error)}`));
    }, DEBOUNCE_MS));
  };
  const update = (): void => {
    const wanted = new Map(localFolders().flatMap((folder) => {
      const venv = services.selections.get(folder)?.venv;
      return venv ? [[venv, folder] as const] : [];
    }));
    for (const [venv, watcher] of watchers) {
      if (!wanted.has(venv)) {
        watcher.dispose();
        watchers.delete(venv);
      }
    }
    for (const [venv, folder] of wanted) {
      if (watchers.has(venv)) continue;
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(venv), 'lib/*/site-packages/*.dist-info'));
      watchers.set(venv, vscode.Disposable.from(watcher, watcher.onDidCreate(() => changed(folder, venv)), watcher.onDidDelete(() => changed(folder, venv))));
    }
  };
  update();
  return vscode.Disposable.from(services.selections.onDidChange(update), vscode.workspace.onDidChangeWorkspaceFolders(update), {
    dispose: () => {
      watchers.forEach((w) => w.dispose());
      pending.forEach((t) => clearTimeout(t));
    },
  });
}
