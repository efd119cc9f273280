import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { VenvPilotApi } from '../../src/extension/testApi';
import { activateExtension, runInTerminal, waitFor } from './helpers';

suite('A multi-root workspace: each folder has its own venv', () => {
  let api: VenvPilotApi;
  const folders = vscode.workspace.workspaceFolders ?? [];

  suiteSetup(async () => {
    api = await activateExtension();
  });

  test('each folder adopts the venv inside it', async () => {
    assert.deepEqual(folders.map((f) => f.name), ['alpha', 'beta']);
    for (const folder of folders) {
      await waitFor(`${folder.name}'s venv to be selected`, () => api.getActiveEnvironment(folder.uri)?.venv === path.join(folder.uri.fsPath, '.venv'));
    }
  });

  test('a terminal in each folder gets that folder\'s venv', async () => {
    for (const folder of folders) {
      const venv = await runInTerminal('echo "$VIRTUAL_ENV"', path.join(folder.uri.fsPath, 'venv.out'), { cwd: folder.uri });
      assert.equal(venv, path.join(folder.uri.fsPath, '.venv'), `terminal in ${folder.name}`);
      const python = await runInTerminal('command -v python', path.join(folder.uri.fsPath, 'python.out'), { cwd: folder.uri });
      assert.equal(python, path.join(folder.uri.fsPath, '.venv', 'bin', 'python'));
    }
  });

  test('when a selected venv disappears, the choice is kept and the recommended interpreter is offered', async () => {
    const beta = folders[1];
    assert.ok(beta);
    const venv = path.join(beta.uri.fsPath, '.venv');
    await vscode.commands.executeCommand('notifications.clearAll');
    rmSync(venv, { recursive: true, force: true });
    await vscode.commands.executeCommand('venvPilot.rediscover');
    assert.equal(api.getActiveEnvironment(beta.uri)?.venv, venv, 'not replaced silently');
    // The newest notification is the warning; its button offers the recommended interpreter.
    await vscode.commands.executeCommand('notification.acceptPrimaryAction');
    const chosen = await waitFor('the recommended interpreter to be selected', () => {
      const active = api.getActiveEnvironment(beta.uri);
      return active && !active.venv && active;
    });
    assert.ok(existsSync(chosen.path), `${chosen.path} exists`);
    const alpha = folders[0];
    assert.equal(alpha && api.getActiveEnvironment(alpha.uri)?.venv, alpha && path.join(alpha.uri.fsPath, '.venv'), 'the other folder is untouched');
  });
});
