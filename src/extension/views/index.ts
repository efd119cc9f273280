/**
 * The "Venv Pilot" side bar: the Environments and Packages views, kept live. Every event that can
 * change what they show (discovery, a selection, the site-packages and requirements watchers
 * through `health`, the active editor's folder) schedules one refresh ~300 ms later, so a pip
 * install touching hundreds of files refreshes once; what a refresh re-reads is decided by the
 * Packages model's caches, not by the event.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { Services } from '../services';
import { EnvironmentsTree } from './environmentsTree';
import { PackagesTree } from './packagesTree';

/** Quiet period after the last event before the views refresh, ms. */
const DEBOUNCE_MS = 300;

/** The views as registered: disposable, and their data providers (the extension's tests read rows through them). */
export interface Views extends vscode.Disposable {
  readonly environments: EnvironmentsTree;
  readonly packages: PackagesTree;
}

/** Registers both views and what keeps them current. */
export function registerViews(services: Services): Views {
  const environments = new EnvironmentsTree(services);
  const packages = new PackagesTree(services);
  const environmentsView = vscode.window.createTreeView('venvPilot.environments', { treeDataProvider: environments, showCollapseAll: true });
  const packagesView = vscode.window.createTreeView('venvPilot.packages', { treeDataProvider: packages });
  let timer: NodeJS.Timeout | undefined;
  const due = { environments: false, packages: false };
  const schedule = (which: { environments?: boolean; packages?: boolean }): void => {
    due.environments ||= which.environments === true;
    due.packages ||= which.packages === true;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (due.environments) environments.refresh();
      if (due.packages) refreshPackages();
      due.environments = due.packages = false;
    }, DEBOUNCE_MS);
  };
  let listed: string | undefined;
  const refreshPackages = (): void => {
    const target = services.viewed.target();
    listed = target?.venv;
    packagesView.description = target ? `${target.folder.name}: ${path.relative(target.folder.uri.fsPath, target.venv) || path.basename(target.venv)}` : undefined;
    // The welcome content ("Create Environment") shows while there is nothing to list.
    void vscode.commands.executeCommand('setContext', 'venvPilot.hasEnvironment', target !== undefined);
    packages.refresh();
  };
  const both = { environments: true, packages: true };
  refreshPackages();
  const disposable = vscode.Disposable.from(
    environments,
    packages,
    environmentsView,
    packagesView,
    services.interpreters.onDidChange(() => schedule(both)),
    services.selections.onDidChange(() => schedule(both)),
    services.health.onDidChange(() => schedule(both)),
    services.viewed.onDidChange(() => schedule({ packages: true })),
    vscode.workspace.onDidChangeWorkspaceFolders(() => schedule(both)),
    // Only a switch to another folder's file can change what the Packages view lists.
    vscode.window.onDidChangeActiveTextEditor(() => services.viewed.target()?.venv !== listed && schedule({ packages: true })),
    // Choosing a venv row lists its packages; choosing anything else goes back to the active folder's selection.
    environmentsView.onDidChangeSelection(({ selection: [node] }) => services.viewed.choose(node?.kind === 'environment' && node.venv ? { folder: node.folder, venv: node.venv } : undefined)),
    { dispose: () => clearTimeout(timer) },
  );
  return { environments, packages, dispose: () => disposable.dispose() };
}
