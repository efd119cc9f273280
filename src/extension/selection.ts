import { existsSync } from 'node:fs';
import path from 'node:path';
import { recommendInterpreter } from '../core/parts/discovery/recommend';
import * as vscode from 'vscode';
import type { Interpreter } from '../core/parts/discovery/types';

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

/** Per-folder selections in the workspace state. */
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

/**
 * After each discovery: a folder without a stored choice takes the venv found inside it; a folder
 * whose chosen interpreter is gone keeps its choice (never replaced silently) and is told so,
 * with the recommended interpreter offered in one click.
 */
export function adoptOrReportMissing(services: { readonly selections: SelectionStore; readonly log: vscode.LogOutputChannel }, interpreters: readonly Interpreter[]): void {
  for (const folder of (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file')) {
    const stored = services.selections.get(folder);
    if (!stored) {
      const fallback = defaultSelection(folder.uri.fsPath, interpreters);
      if (fallback) void services.selections.set(folder, fallback);
      continue;
    }
    if (existsSync(stored.path)) continue;
    const recommended = recommendInterpreter(interpreters, folder.uri.fsPath);
    const offer = recommended ? `Use Python ${recommended.interpreter.version} (${recommended.reason})` : undefined;
    services.log.warn(`The interpreter selected for ${folder.name}, ${stored.path}, is gone`);
    void vscode.window.showWarningMessage(`The Python interpreter selected for ${folder.name} (${stored.path}) is gone.`, ...(offer ? [offer] : [])).then((answer) => {
      if (answer && answer === offer && recommended) void services.selections.set(folder, selectionOf(recommended.interpreter));
    });
  }
}
