import * as vscode from 'vscode';
import type { Interpreter } from '../../core/discovery/types';
import { activeFolder } from '../folders';
import { selectionOf } from '../selection';
import type { Services } from '../services';

/**
 * "Venv Pilot: Select Interpreter" (also the status-bar click): every discovered interpreter,
 * newest first, plus "Create Environment…". The choice is stored for the active folder.
 */
export function registerSelectInterpreter(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand('venvPilot.selectInterpreter', async (): Promise<Interpreter | undefined> => {
    const folder = activeFolder();
    if (!folder) {
      void vscode.window.showWarningMessage('Open a folder to choose its Python interpreter.');
      return undefined;
    }
    const { interpreters } = await services.interpreters.ready();
    const current = services.selections.get(folder)?.path;
    type Item = vscode.QuickPickItem & { interpreter?: Interpreter };
    const items: Item[] = [
      { label: '$(add) Create Environment…', description: 'a new .venv, seeded offline' },
      { label: 'Interpreters', kind: vscode.QuickPickItemKind.Separator },
      ...interpreters.map((interpreter) => ({
        label: `${interpreter.path === current ? '$(check) ' : ''}Python ${interpreter.version}`,
        description: [interpreter.implementation, interpreter.kind, interpreter.envName, interpreter.probed ? '' : 'not run: untrusted workspace'].filter(Boolean).join(' · '),
        detail: interpreter.path,
        interpreter,
      })),
    ];
    const picked = await services.quickInputs.pickOne<Item>({ title: `Python interpreter for ${folder.name}`, placeholder: 'Select an interpreter', items });
    if (!picked) return undefined;
    if (!picked.interpreter) {
      await vscode.commands.executeCommand('venvPilot.createEnvironment');
      return undefined;
    }
    await services.selections.set(folder, selectionOf(picked.interpreter));
    return picked.interpreter;
  });
}
