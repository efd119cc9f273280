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
  /** The environment's name, e.g. a pyenv version or a conda env. */
  readonly envName?: string;
}

/** The selection that choosing `interpreter` records. */
export function selectionOf(interpreter: Interpreter): Selection {
  return { path: interpreter.path, version: interpreter.version, venv: interpreter.isVenv ? interpreter.prefix : undefined, kind: interpreter.kind, ...(interpreter.envName ? { envName: interpreter.envName } : {}) };
}

/** Without a stored choice, a folder uses its own venv (the first one discovery found inside it). */
export function defaultSelection(folder: string, interpreters: readonly Interpreter[]): Selection | undefined {
  const own = interpreters.find((i) => i.isVenv && i.inWorkspace && !path.relative(folder, i.path).startsWith('..'));
  return own && selectionOf(own);
}

/**
 * Status bar text: version and environment, as `3.12.1 ('.venv': venv)` (a venv by its path
 * relative to the folder), `3.12.1 ('3.12.1': pyenv)`, or `3.11.2 (system)` without a name.
 */
export function selectionLabel(selection: Selection, folder: string): string {
  const name = selection.venv ? path.relative(folder, selection.venv) || path.basename(selection.venv) : selection.envName;
  return name ? `${selection.version} ('${name}': ${selection.kind ?? 'venv'})` : `${selection.version} (${selection.kind})`;
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
