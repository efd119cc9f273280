import path from 'node:path';
import * as vscode from 'vscode';
import type { Interpreter } from '../../core/parts/discovery/types';
import { activeFolder } from '../folders';
import { groupedRows, interpreterRows } from '../interpreterItems';
import { selectionOf } from '../selection';
import type { CommandHandler, Services } from '../services';

type Item = vscode.QuickPickItem & { interpreter?: Interpreter; action?: 'create' | 'path' };

/**
 * "Venv Pilot: Select Interpreter" (also the status-bar click): "Create Environment…",
 * "Enter interpreter path…", then the recommended interpreter and every discovered one grouped by
 * where it comes from, streaming in while discovery runs (with a refresh button). The choice is
 * stored for the active folder.
 */
export function selectInterpreter(services: Services): CommandHandler {
  return async (): Promise<Interpreter | undefined> => {
    const folder = activeFolder();
    if (!folder) {
      void vscode.window.showWarningMessage('Open a folder to choose its Python interpreter.');
      return undefined;
    }
    const rows = groupedRows(interpreterRows(folder.uri.fsPath, { current: services.selections.get(folder)?.path }));
    const header: Item[] = [
      { label: '$(add) Create Environment…', description: 'a new .venv, seeded offline', action: 'create' },
      { label: '$(folder-opened) Enter interpreter path…', description: 'any Python executable', action: 'path' },
    ];
    const picked = await services.quickInputs.pickOne<Item>({
      title: `Python interpreter for ${folder.name}`,
      placeholder: 'Select an interpreter',
      items: services.interpreters.liveItems((interpreters) => [...header, ...rows(interpreters)] as Item[]),
      buttons: [{ button: { iconPath: new vscode.ThemeIcon('refresh'), tooltip: 'Rediscover interpreters' }, run: () => void services.interpreters.refresh() }],
    });
    if (!picked) return undefined;
    if (picked.action === 'create') {
      await vscode.commands.executeCommand('venvPilot.createEnvironment');
      return undefined;
    }
    const interpreter = picked.action === 'path' ? await enterPath(services) : picked.interpreter;
    if (!interpreter) return undefined;
    await services.selections.set(folder, selectionOf(interpreter));
    return interpreter;
  };
}

/** Asks for an interpreter path and probes it; a path that is not a working interpreter is refused with the reason. */
async function enterPath(services: Services): Promise<Interpreter | undefined> {
  const typed = await services.quickInputs.pickOne({
    title: 'Interpreter path',
    placeholder: 'Type the path of a Python executable, e.g. /usr/bin/python3',
    items: [],
    custom: (value) => ({ label: value, description: 'use this interpreter' }),
  });
  if (!typed) return undefined;
  const exe = path.resolve(typed.label.replace(/^~(?=\/)/, process.env.HOME ?? '~'));
  const interpreter = await services.interpreters.describe(exe);
  if (!interpreter) {
    void services.failures.show(new Error(`${exe} is not a working Python interpreter`));
    return undefined;
  }
  return interpreter;
}
