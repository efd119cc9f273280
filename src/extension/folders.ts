import * as vscode from 'vscode';

/** The folder the user is working in: the active editor's, else the first one. */
export function activeFolder(): vscode.WorkspaceFolder | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
}

/** Local (file-scheme) workspace folders; venvs only exist there. */
export function localFolders(): readonly vscode.WorkspaceFolder[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
}

/**
 * The workspace folder a command was invoked for: a view row passes itself (its `folder`), the
 * palette and the status bar pass nothing; then the active folder.
 */
export function folderOf(arg: unknown): vscode.WorkspaceFolder | undefined {
  const folder = typeof arg === 'object' && arg !== null && 'folder' in arg ? (arg as { folder?: unknown }).folder : undefined;
  const given = typeof folder === 'object' && folder !== null && 'uri' in folder ? vscode.workspace.getWorkspaceFolder((folder as vscode.WorkspaceFolder).uri) : undefined;
  return given ?? activeFolder();
}
