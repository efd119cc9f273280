import * as vscode from 'vscode';
import { activeFolder } from '../folders';
import type { SelectionStore } from '../selection';

/** An environment the Packages view can list: a venv, and the workspace folder it was found for. */
export interface PackagesTarget {
  readonly folder: vscode.WorkspaceFolder;
  readonly venv: string;
}

/**
 * Which environment the Packages view lists: the one chosen in the Environments view, else the
 * active folder's selected venv. Shared by the view and its title-bar commands (a title-bar
 * command gets no row to act on, so it asks here).
 */
export class ViewedEnvironment implements vscode.Disposable {
  private chosen: PackagesTarget | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when another environment is chosen. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly selections: SelectionStore) {}

  /** Lists `target` from now on; `undefined` follows the active folder's selection again. */
  choose(target: PackagesTarget | undefined): void {
    if (target?.venv === this.chosen?.venv && target?.folder === this.chosen?.folder) return;
    this.chosen = target;
    this.changed.fire();
  }

  /** The environment listed now. */
  target(): PackagesTarget | undefined {
    if (this.chosen) return this.chosen;
    const folder = activeFolder();
    const venv = folder?.uri.scheme === 'file' ? this.selections.get(folder)?.venv : undefined;
    return folder && venv ? { folder, venv } : undefined;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
