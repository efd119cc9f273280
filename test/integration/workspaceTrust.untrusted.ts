import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { VenvPilotApi } from '../../src/extension/testApi';
import { activateExtension, waitFor } from './helpers';

suite('An untrusted workspace (restricted mode)', () => {
  let api: VenvPilotApi;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const canary = path.join(folder, '.venv', 'bin', 'python');

  suiteSetup(async () => {
    api = await activateExtension();
  });

  test('the workspace really is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('its venv is listed from pyvenv.cfg, and never run', async () => {
    const { interpreters } = await api.interpreters.ready();
    const venv = interpreters.find((i) => i.path === canary);
    assert.ok(venv, 'the workspace .venv is listed');
    assert.equal(venv.probed, false);
    assert.equal(venv.version, '3.11.2');
    assert.ok(interpreters.some((i) => i.probed && !i.inWorkspace), 'interpreters outside the workspace are probed as usual');
    assert.equal(existsSync(`${canary}.ran`), false, 'the canary interpreter was never executed');
  });

  test('the picker says why the workspace venv was not run', async () => {
    const picking = vscode.commands.executeCommand('venvPilot.selectInterpreter');
    const qp = await waitFor('the interpreter picker', () => api.quickInputs.active);
    await waitFor('discovery to finish', () => !qp.busy);
    const row = qp.items.find((i) => i.detail === canary);
    assert.match(row?.description ?? '', /not run: the workspace is untrusted/);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await picking, undefined);
  });

  test('Create Environment refuses to install anything', async () => {
    assert.equal(await vscode.commands.executeCommand('venvPilot.createEnvironment'), undefined);
    assert.deepEqual(readdirSync(folder).sort(), ['.venv', 'requirements.txt']);
  });

  test('terminals are not activated with the workspace venv', async () => {
    // Opening a terminal here would ask for trust; the folder's collection is what a terminal would get.
    const workspaceFolder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(workspaceFolder);
    await waitFor('the workspace venv to be selected', () => api.statusBarItem.text.includes("('.venv': venv)"));
    const collection = api.terminalEnvironment(workspaceFolder);
    assert.equal(collection.get('PATH'), undefined, 'the workspace bin is not put on PATH');
    assert.equal(collection.get('VIRTUAL_ENV'), undefined);
  });
});
