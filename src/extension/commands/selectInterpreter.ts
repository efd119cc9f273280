import * as vscode from 'vscode';
import type { Interpreter } from '../../core/discovery/types';
import { activeFolder } from '../folders';
import { interpreterRows } from '../interpreterItems';
import { selectionOf } from '../selection';
import type { Services } from '../services';

/**
 * "Venv Pilot: Select Interpreter" (also the status-bar click): "Create Environment…", then every
 * discovered interpreter as discovery finds it, the recommended one first. The choice is stored
 * for the active folder.
 */
export function registerSelectInterpreter(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand('venvPilot.selectInterpreter', async (): Promise<Interpreter | undefined> => {
    const folder = activeFolder();
    if (!folder) {
      void vscode.window.showWarningMessage('Open a folder to choose its Python interpreter.');
      return undefined;
    }
    type Item = vscode.QuickPickItem & { interpreter?: Interpreter };
    const rows = interpreterRows(folder.uri.fsPath, { current: services.selections.get(folder)?.path });
    const header: Item[] = [
      { label: '$(add) Create Environment…', description: 'a new .venv, seeded offline' },
      { label: 'Interpreters', kind: vscode.QuickPickItemKind.Separator },
    ];
    const picked = await services.quickInputs.pickOne<Item>({
      title: `Python interpreter for ${folder.name}`,
      placeholder: 'Select an interpreter',
      items: services.interpreters.liveItems((interpreters) => [...header, ...rows(interpreters)]),
    });
    if (!picked) return undefined;
    if (!picked.interpreter) {
      await vscode.commands.executeCommand('venvPilot.createEnvironment');
      return undefined;
    }
    await services.selections.set(folder, selectionOf(picked.interpreter));
    return picked.interpreter;
  });
}
