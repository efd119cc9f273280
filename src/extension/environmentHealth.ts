import * as vscode from 'vscode';
import { readPyvenvCfg } from '../core/leaves/layout';
import type { InterpreterService } from './interpreters';
import { isEmptySelection } from '../core/parts/sources';
import { stampIsCurrent } from '../core/parts/syncPlan';
import { venvHealth } from '../core/parts/venv/health';
import type { SelectionStore } from './selection';
import { trackedSources } from './trackedSources';

/** A folder's environment state for the status bar. */
export type FolderHealth = { readonly state: 'ok' } | { readonly state: 'broken' | 'out-of-sync'; readonly message: string };

/**
 * Answers "is this folder's venv usable and in sync?" from the file system (no Python runs), and
 * tells the status bar when to ask again.
 */
export class EnvironmentHealth implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Answers since the last refresh: the status bar asks on every editor switch, the files rarely change. */
  private readonly known = new Map<string, FolderHealth>();
  private readonly selectionChanged: vscode.Disposable;
  /** Fires when health may have changed: after a sync, a freeze, a change in site-packages. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly selections: SelectionStore,
    private readonly interpreters: InterpreterService,
  ) {
    this.selectionChanged = selections.onDidChange((folder) => this.known.delete(folder.uri.toString()));
  }

  /** The folder's selected venv's health, checked again after each {@link refresh} or selection change. */
  of(folder: vscode.WorkspaceFolder): FolderHealth {
    const key = folder.uri.toString();
    const known = this.known.get(key);
    if (known) return known;
    const health = this.check(folder);
    this.known.set(key, health);
    return health;
  }

  private check(folder: vscode.WorkspaceFolder): FolderHealth {
    const venv = this.selections.get(folder)?.venv;
    if (!venv) return { state: 'ok' };
    // pyvenv.cfg's `executable` (3.11+ and the builtin creator) is the base's real path.
    const executable = readPyvenvCfg(venv)?.executable;
    const base = executable ? this.interpreters.known().find((i) => !i.isVenv && i.realPath === executable) : undefined;
    const health = venvHealth(venv, base?.versionInfo.slice(0, 3).join('.'));
    if (!health.ok) return { state: 'broken', message: health.problem };
    const tracked = trackedSources(this.state, folder);
    if (!isEmptySelection(tracked) && !stampIsCurrent(venv, tracked)) {
      return { state: 'out-of-sync', message: 'The environment is out of sync with what it tracks (requirements files, pyproject.toml): run "Venv Pilot: Sync Environment with Requirements".' };
    }
    return { state: 'ok' };
  }

  refresh(): void {
    this.known.clear();
    this.changed.fire();
  }

  dispose(): void {
    this.selectionChanged.dispose();
    this.changed.dispose();
  }
}
