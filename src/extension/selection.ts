import path from 'node:path';
import * as vscode from 'vscode';
import type { Interpreter } from '../core/discovery/types';

/** The interpreter chosen for a workspace folder, stored in workspace state so it shows before discovery ends. */
export interface Selection {
  /** Interpreter executable, e.g. `/ws/.venv/bin/python`. */
  readonly path: string;
  /** e.g. `3.12.1`. */
  readonly version: string;
  /** The venv folder when the interpreter is a venv's. */
  readonly venv?: string;
  readonly kind: Interpreter['kind'];
}

/** The selection that choosing `interpreter` records. */
export function selectionOf(interpreter: Interpreter): Selection {
  return { path: interpreter.path, version: interpreter.version, venv: interpreter.isVenv ? interpreter.prefix : undefined, kind: interpreter.kind };
}

/** Without a stored choice, a folder uses its own venv (the first one discovery found inside it). */
export function defaultSelection(folder: string, interpreters: readonly Interpreter[]): Selection | undefined {
  const own = interpreters.find((i) => i.isVenv && i.inWorkspace && !path.relative(folder, i.path).startsWith('..'));
  return own && selectionOf(own);
}

/** Status bar text: `3.12.1 (.venv)` for a venv (its path relative to the folder), `3.12.1 (pyenv)` (its kind) otherwise. */
export function selectionLabel(selection: Selection, folder: string): string {
  const where = selection.venv ? path.relative(folder, selection.venv) || path.basename(selection.venv) : selection.kind;
  return `${selection.version} (${where})`;
}

/** Per-folder selections in `workspaceState`. */
export class SelectionStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.WorkspaceFolder>();
  /** Fires with the folder whose selection changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly state: vscode.Memento) {}

  get(folder: vscode.WorkspaceFolder): Selection | undefined {
    return this.state.get<Selection>(key(folder));
  }

  async set(folder: vscode.WorkspaceFolder, selection: Selection | undefined): Promise<void> {
    await this.state.update(key(folder), selection);
    this.changed.fire(folder);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

const key = (folder: vscode.WorkspaceFolder): string => `selection:${folder.uri.toString()}`;
