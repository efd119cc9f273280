import type * as vscode from 'vscode';

/** The requirements files a folder's environment was built from (absolute paths), in workspace state. */
export function trackedRequirements(state: vscode.Memento, folder: vscode.WorkspaceFolder): readonly string[] {
  return state.get<string[]>(key(folder), []);
}

/** Records the requirements files to watch for `folder`. */
export function setTrackedRequirements(state: vscode.Memento, folder: vscode.WorkspaceFolder, files: readonly string[]): Thenable<void> {
  return state.update(key(folder), [...files]);
}

const key = (folder: vscode.WorkspaceFolder): string => `requirements:${folder.uri.toString()}`;
