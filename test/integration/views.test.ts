import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { run } from '../../src/core/leaves/process';
import type { VenvPilotApi } from '../../src/extension/testApi';
import type { EnvironmentNode } from '../../src/extension/views/environmentsTree';
import type { PackageNode } from '../../src/extension/views/packagesTree';
import { activateExtension, answerQuickPick, runInTerminal, typeAndAccept, waitFor } from './helpers';

suite('Environments and Packages views', () => {
  let api: VenvPilotApi;
  const workspaceFolder = vscode.workspace.workspaceFolders?.[0];
  const folder = workspaceFolder?.uri.fsPath ?? '';
  const venv = path.join(folder, 'views-env');
  const requirements = path.join(folder, 'requirements-views.txt');
  const python = path.join(venv, 'bin', 'python');
  const other = path.join(folder, 'views-other');

  /** The Packages view's rows, as VS Code would fetch them. */
  const packageRows = (): PackageNode[] => api.views.packages.getChildren() as PackageNode[];
  const packageRow = (name: string): PackageNode | undefined => packageRows().find((n) => n.row.normalizedName === name);
  const itemOf = (node: PackageNode): vscode.TreeItem => api.views.packages.getTreeItem(node) as vscode.TreeItem;
  /** The workspace folder's rows in the Environments view. */
  const folderRows = (): EnvironmentNode[] => {
    const root = (api.views.environments.getChildren() as EnvironmentNode[]).find((n) => n.kind === 'folder');
    assert.ok(root, 'the Environments view has a row for the workspace folder');
    return api.views.environments.getChildren(root) as EnvironmentNode[];
  };

  suiteSetup(async () => {
    assert.ok(workspaceFolder);
    api = await activateExtension();
    writeFileSync(requirements, '--no-index\n--find-links wheels\npilotfish==1.0.0\n');
    const created = vscode.commands.executeCommand('venvPilot.createEnvironment');
    await answerQuickPick(api, 'Create Environment: interpreter', (items) => [items.find((i) => i.label.startsWith('Python 3.12')) ?? items[0]].filter((i) => i !== undefined));
    const location = await waitFor('the location picker', () => api.quickInputs.active?.title === 'Create Environment: location' && api.quickInputs.active);
    await typeAndAccept(location, 'views-env', (active) => active.label === 'views-env');
    await answerQuickPick(api, 'Create Environment: dependencies', (items) => items.filter((i) => i.label === 'requirements-views.txt'));
    assert.ok(await created, 'Create Environment made views-env');
    // Another venv in the folder, which discovery finds and the view lists after the selection.
    await run([python, '-m', 'venv', '--without-pip', other]);
    // A refresh may join the run Create Environment started before views-other existed.
    await waitFor('discovery to find views-other', async () => (await api.interpreters.refresh()).interpreters.some((i) => i.prefix === other));
  });

  suiteTeardown(() => {
    api.quickInputs.answerConfirmation = undefined;
  });

  test('after Create Environment, Environments lists the new venv first, selected and in sync, then the others and the machine, and Packages marks each package by role', async () => {
    const [first] = await waitFor('views-env first in the folder', () => {
      const rows = folderRows();
      return rows[0]?.kind === 'environment' && rows[0].venv === venv && rows.some((r) => r.kind === 'environment' && r.venv === other) && rows;
    });
    assert.ok(first);
    const item = api.views.environments.getTreeItem(first) as vscode.TreeItem;
    assert.equal(item.label, 'views-env');
    assert.equal(item.contextValue, 'environment.venv.selected', 'the selection is marked (and gets sync and recreate actions)');
    assert.match(String(item.description), /^selected · 3\.\d+\.\d+ · venv · in sync$/);
    const tooltip = (item.tooltip as vscode.MarkdownString).value;
    assert.ok(tooltip.includes(`Path: \`${python}\``), tooltip);
    assert.match(tooltip, /Base interpreter: `\/\S+` \(3\.\d+\.\d+\)/);
    assert.ok(tooltip.includes('Tracks: requirements-views.txt'), tooltip);
    const otherRow = folderRows().find((r) => r.kind === 'environment' && r.venv === other);
    assert.ok(otherRow);
    assert.equal((api.views.environments.getTreeItem(otherRow) as vscode.TreeItem).contextValue, 'environment.venv', 'another venv of the folder: selectable, not selected');
    const groups = folderRows().filter((r): r is Extract<EnvironmentNode, { kind: 'group' }> => r.kind === 'group');
    assert.ok(groups.length > 0, 'the machine interpreters follow, grouped');
    const groupItems = groups.map((g) => (api.views.environments.getTreeItem(g) as vscode.TreeItem).label);
    for (const label of groupItems) assert.ok(['Workspace', 'pyenv', 'asdf', 'mise', 'uv', 'conda', 'Environments', 'Windows', 'System'].includes(String(label)), `${String(label)} is a picker group`);
    const members = api.views.environments.getChildren(groups[0]) as EnvironmentNode[];
    assert.ok(members.length > 0 && members.every((m) => m.kind === 'environment' && !m.selected));

    await waitFor('the Packages view to list views-env', () => packageRow('pilotfish'));
    const roles = Object.fromEntries(packageRows().map((n) => [n.row.normalizedName, `${n.row.version} ${n.row.role}`]));
    assert.equal(roles.pilotfish, '1.0.0 required');
    assert.equal(roles.remora, '0.3.0 dependency');
    assert.match(roles.pip ?? '', / tooling$/);
    const pilotfish = packageRow('pilotfish');
    assert.ok(pilotfish);
    assert.equal(itemOf(pilotfish).description, '1.0.0 · required');
    assert.equal(itemOf(pilotfish).contextValue, 'package.installed');
  });

  test('a pip install in a terminal refreshes the Packages view, which shows the package as extra', async () => {
    let refreshes = 0;
    const counting = api.views.packages.onDidChangeTreeData(() => refreshes++);
    try {
      const shown = await runInTerminal('python -m pip install --no-index --find-links wheels tang==0.9.0 >/dev/null 2>&1; python -m pip show tang | head -1', path.join(folder, 'views-tang.txt'));
      assert.equal(shown, 'Name: tang', 'the terminal runs the selected views-env');
      const tang = await waitFor('tang in the Packages view after a refresh', () => refreshes > 0 && packageRow('tang'));
      assert.equal(tang.row.role, 'extra');
      assert.equal(itemOf(tang).description, '0.9.0 · extra');
    } finally {
      counting.dispose();
    }
  });

  test('a requirement added to the tracked file shows as missing, and is gone after Sync from its row', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    appendFileSync(requirements, 'wrasse==0.2.0\n');
    const missing = await waitFor('wrasse flagged missing', () => packageRow('wrasse'));
    assert.equal(missing.row.version, undefined);
    assert.deepEqual(missing.row.problem, { reason: 'missing', requirement: 'wrasse==0.2.0' });
    assert.equal(itemOf(missing).contextValue, 'package.missing');
    assert.equal(itemOf(missing).description, 'missing: wrasse==0.2.0');
    assert.equal(packageRows()[0]?.row.normalizedName, 'wrasse', 'flagged rows come first');
    await waitFor('views-env out of sync in Environments', () => {
      const [first] = folderRows();
      return first && String((api.views.environments.getTreeItem(first) as vscode.TreeItem).description).endsWith('out of sync');
    });
    // The row's inline action: Sync Environment, for the row's folder.
    const plan = (await vscode.commands.executeCommand('venvPilot.syncEnvironment', missing)) as { install: unknown[] } | undefined;
    assert.equal(plan?.install.length, 1);
    const wrasse = await waitFor('wrasse installed and required', () => packageRow('wrasse')?.row.version !== undefined && packageRow('wrasse'));
    assert.equal(wrasse.row.role, 'required');
    assert.equal(wrasse.row.problem, undefined);
    assert.ok(!packageRows().some((n) => n.row.problem), 'nothing is flagged any more');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  test('Install Package offers the find-links wheels, and Uninstall removes a package', async () => {
    const installing = vscode.commands.executeCommand('venvPilot.packages.install');
    await answerQuickPick(api, 'Install a package into views-env', (items) => {
      assert.ok(items.some((i) => i.label === 'pilotfish' && i.description === '1.0.0'), 'wheels from requirements-views.txt --find-links are offered');
      return items.filter((i) => i.label === 'zander');
    });
    assert.equal(await installing, true);
    assert.equal((await waitFor('zander listed', () => packageRow('zander'))).row.role, 'extra');

    const tang = packageRow('tang');
    assert.ok(tang);
    assert.equal(await vscode.commands.executeCommand('venvPilot.packages.uninstall', tang), true);
    await assert.rejects(run([python, '-m', 'pip', 'show', 'tang']), 'pip no longer knows tang');
    await waitFor('tang gone from the Packages view', () => !packageRow('tang'));
  });

  test('Delete asks first, does nothing on Cancel, and never deletes a folder without pyvenv.cfg', async () => {
    const asked: string[] = [];
    const answer = (reply: string | undefined) => (message: string): string | undefined => (asked.push(message), reply);
    const notAVenv = path.join(folder, 'not-a-venv');
    mkdirSync(notAVenv, { recursive: true });
    api.quickInputs.answerConfirmation = answer(undefined);
    const fake: EnvironmentNode = { kind: 'environment', folder: workspaceFolder as vscode.WorkspaceFolder, python: path.join(notAVenv, 'bin', 'python'), venv: notAVenv, selected: false };
    assert.equal(await vscode.commands.executeCommand('venvPilot.views.deleteEnvironment', fake), undefined);
    assert.ok(existsSync(notAVenv), 'a folder without pyvenv.cfg stays');
    assert.deepEqual(asked, [], 'and nothing was asked');

    const row = folderRows().find((r) => r.kind === 'environment' && r.venv === venv);
    assert.ok(row);
    assert.equal(await vscode.commands.executeCommand('venvPilot.views.deleteEnvironment', row), undefined);
    assert.deepEqual(asked, ['Delete the environment views-env?']);
    assert.ok(existsSync(venv), 'Cancel keeps it');

    api.quickInputs.answerConfirmation = answer('Delete');
    assert.equal(await vscode.commands.executeCommand('venvPilot.views.deleteEnvironment', row), venv);
    assert.equal(asked.length, 2);
    assert.equal(existsSync(venv), false);
    assert.notEqual(api.selections.get(workspaceFolder as vscode.WorkspaceFolder)?.venv, venv, 'the folder no longer selects it');
    await waitFor('views-env gone from the Environments view', () => !folderRows().some((r) => r.kind === 'environment' && r.venv === venv));
  });
});
