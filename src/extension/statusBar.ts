import * as vscode from 'vscode';
import { activeFolder } from './folders';
import type { EnvironmentHealth } from './environmentHealth';
import { selectionLabel, type SelectionStore } from './selection';

/**
 * The status-bar interpreter item for the active folder, e.g. `$(python) 3.12.1 (.venv)`.
 * Clicking it runs "Venv Pilot: Select Interpreter". It shows the stored selection at once.
 */
export function createStatusBar(selections: SelectionStore, health: EnvironmentHealth): { item: vscode.StatusBarItem; disposables: vscode.Disposable[] } {
  const item = vscode.window.createStatusBarItem('venvPilot.interpreter', vscode.StatusBarAlignment.Left, 100);
  item.name = 'Venv Pilot: Interpreter';
  item.command = 'venvPilot.selectInterpreter';
  const update = (): void => {
    const folder = activeFolder();
    if (!folder) return item.hide();
    const selection = selections.get(folder);
    const state = health.of(folder);
    const flag = state.state === 'broken' ? ' $(error) broken' : state.state === 'out-of-sync' ? ' $(warning) out of sync' : '';
    item.text = selection ? `$(python) ${selectionLabel(selection, folder.uri.fsPath)}${flag}` : '$(python) Select Interpreter';
    item.command = state.state === 'broken' ? 'venvPilot.recreateEnvironment' : 'venvPilot.selectInterpreter';
    item.backgroundColor = !selection || state.state === 'out-of-sync' ? new vscode.ThemeColor('statusBarItem.warningBackground') : state.state === 'broken' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    const where = selection && `${selection.path}\n${selection.kind}${selection.envName ? ` · ${selection.envName}` : ''}`;
    item.tooltip = where ? `${where}\n${state.state === 'ok' ? 'Click to choose another interpreter' : state.state === 'broken' ? `${state.message}\nClick to recreate it` : state.message}` : 'No Python environment selected: click to choose an interpreter or create an environment';
    item.show();
  };
  update();
  return { item, disposables: [item, selections.onDidChange(update), health.onDidChange(update), vscode.window.onDidChangeActiveTextEditor(update), vscode.workspace.onDidChangeWorkspaceFolders(update)] };
}
