import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { VenvPilotApi } from '../../src/extension/services';
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
});
