import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { VenvPilotApi } from '../../src/extension/testApi';
import { activateExtension, nextEvent, typeAndAccept, waitFor } from './helpers';

suite('The interpreter picker', () => {
  let api: VenvPilotApi;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const title = `Python interpreter for ${path.basename(folder)}`;

  suiteSetup(async () => {
    api = await activateExtension();
  });

  /** Opens the picker and waits until discovery has filled it. */
  async function openPicker(): Promise<{ picking: Thenable<unknown>; qp: vscode.QuickPick<vscode.QuickPickItem> }> {
    const picking = vscode.commands.executeCommand('venvPilot.selectInterpreter');
    const qp = await waitFor('the picker', () => api.quickInputs.active?.title === title && api.quickInputs.active);
    await waitFor('discovery to finish', () => !qp.busy);
    return { picking, qp };
  }

  /** Types into a picker until the workbench reports `label` as the active row, then accepts it. */
  const choose = (qp: vscode.QuickPick<vscode.QuickPickItem>, value: string, label: string): Promise<void> => typeAndAccept(qp, value, (active) => active.label === label);

  test('groups interpreters by where they come from, newest first within a group, with a refresh button', async () => {
    const { picking, qp } = await openPicker();
    const labels = qp.items.map((i) => (i.kind === vscode.QuickPickItemKind.Separator ? `-- ${i.label}` : i.label));
    assert.deepEqual(labels.slice(0, 2), ['$(add) Create Environment…', '$(folder-opened) Enter interpreter path…']);
    const groups = labels.filter((l) => l.startsWith('-- ')).map((l) => l.slice(3));
    const order = ['Workspace', 'pyenv', 'asdf', 'mise', 'uv', 'conda', 'Environments', 'Windows', 'System'];
    assert.deepEqual(groups, [...groups].sort((a, b) => order.indexOf(a) - order.indexOf(b)), 'groups in a fixed order');
    assert.ok(groups.includes('Workspace') && groups.length >= 2, `groups: ${groups.join(', ')}`);
    // Within a group, versions never go up.
    let previous: number[] | undefined;
    for (const item of qp.items.slice(2)) {
      if (item.kind === vscode.QuickPickItemKind.Separator) previous = undefined;
      else if (!item.description?.includes('Recommended')) {
        const version = (/Python (\d+)\.(\d+)\.(\d+)/.exec(item.label) ?? []).slice(1).map(Number);
        if (previous) assert.ok(version[0]! * 1e6 + version[1]! * 1e3 + version[2]! <= previous[0]! * 1e6 + previous[1]! * 1e3 + previous[2]!, `${item.label} after ${previous.join('.')}`);
        previous = version;
      }
    }
    assert.equal(qp.buttons.length, 1, 'a refresh button');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await picking, undefined);
  });

  test('"Enter interpreter path…" probes the path and selects it; a path that is no interpreter is refused with the reason', async () => {
    const python = ['/usr/bin/python3', '/usr/bin/pypy3'].find((p) => existsSync(p)) ?? '';
    const { picking, qp } = await openPicker();
    await choose(qp, 'Enter interpreter path', '$(folder-opened) Enter interpreter path…');
    const entry = await waitFor('the path box', () => api.quickInputs.active?.title === 'Interpreter path' && api.quickInputs.active);
    await choose(entry, python, python);
    const chosen = (await picking) as { path: string; version: string } | undefined;
    assert.equal(chosen?.path, python);
    assert.equal(api.getActiveEnvironment(vscode.Uri.file(folder))?.path, python);

    const again = await openPicker();
    await choose(again.qp, 'Enter interpreter path', '$(folder-opened) Enter interpreter path…');
    const box = await waitFor('the path box', () => api.quickInputs.active?.title === 'Interpreter path' && api.quickInputs.active);
    const failure = nextEvent(api.failures.onDidShow);
    await choose(box, '/nonexistent/python3', '/nonexistent/python3');
    assert.equal(await failure, '/nonexistent/python3 is not a working Python interpreter');
    assert.equal(await again.picking, undefined);
    assert.equal(api.getActiveEnvironment(vscode.Uri.file(folder))?.path, python, 'the selection was kept');
  });
});
