import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { VenvPilotApi } from '../../src/extension/testApi';
import { activateExtension, nextEvent } from './helpers';

suite('The public API other extensions use', () => {
  let api: VenvPilotApi;
  const folder = vscode.workspace.workspaceFolders?.[0];

  suiteSetup(async () => {
    api = await activateExtension();
  });

  test('planEnvironment reports what createEnvironment then does, and the new environment becomes active', async () => {
    assert.ok(folder);
    assert.equal(api.apiVersion, 1);
    const options = { folder: folder.uri, python: '3', location: 'api-env' };
    const plan = await api.planEnvironment(options);
    assert.equal(plan.dir, path.join(folder.uri.fsPath, 'api-env'));
    assert.equal(plan.creator, 'builtin');
    assert.deepEqual(plan.seeds.map((s) => s.project), ['pip']);
    assert.equal(existsSync(plan.dir), false, 'planning writes nothing');
    const changed = nextEvent(api.onDidChangeActiveEnvironment);
    const created = await api.createEnvironment(options);
    assert.equal(created?.dir, plan.dir);
    assert.equal(created?.creator, plan.creator);
    assert.deepEqual(created?.seeded.map((s) => [s.project, s.version, s.source]), plan.seeds.map((s) => [s.project, s.version, s.source]));
    assert.equal((await changed).uri.toString(), folder.uri.toString());
    assert.equal(api.getActiveEnvironment(folder.uri)?.venv, plan.dir);
    assert.equal((await api.planEnvironment(options)).problem, `${plan.dir} already exists and is not empty; choose another location, or replace an existing venv with --clear`);
  });
});
