import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { VenvPilotApi } from '../../src/extension/testApi';
import { activateExtension, waitFor } from './helpers';

/** Every "Venv Pilot" log file below `dir` (VS Code writes a LogOutputChannel to `NAME.log`). */
function logFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const entry = path.join(dir, name);
    if (statSync(entry).isDirectory()) return logFiles(entry);
    return name.endsWith('Venv Pilot.log') ? [entry] : [];
  });
}

suite('uv as the installer', () => {
  let api: VenvPilotApi;
  const folder = vscode.workspace.workspaceFolders?.[0];
  const config = vscode.workspace.getConfiguration('venvPilot');
  const uv = process.env.VENV_PILOT_TEST_UV;

  suiteSetup(async () => {
    api = await activateExtension();
  });

  suiteTeardown(async () => {
    await config.update('uv.path', undefined, vscode.ConfigurationTarget.Global);
  });

  test('Create Environment with uv present installs with it: the log shows the uv pip install command line', async function () {
    if (!uv) {
      console.log(`skipped: ${process.env.VENV_PILOT_TEST_UV_MISSING || 'no uv'}`);
      return this.skip();
    }
    assert.ok(folder);
    // venvPilot.installer stays "auto": uv is used because it is found. uv.path is machine-scoped: a workspace cannot point it at a binary of its own.
    await config.update('uv.path', uv, vscode.ConfigurationTarget.Global);
    const requirements = path.join(folder.uri.fsPath, 'requirements.txt');
    const created = await api.createEnvironment({ folder: folder.uri, python: '3', location: '.venv-uv', requirements: [requirements] });
    assert.ok(created, 'the environment was created');
    assert.equal(created.installer?.kind, 'uv');
    const python = path.join(created.dir, 'bin', 'python');
    assert.ok(existsSync(path.join(created.dir, 'pyvenv.cfg')) && existsSync(python));
    const [pythonDir = ''] = readdirSync(path.join(created.dir, 'lib'));
    const installed = readdirSync(path.join(created.dir, 'lib', pythonDir, 'site-packages'));
    assert.ok(installed.some((name) => /^pilotfish-1\.0\.0\.dist-info$/.test(name)), `pilotfish is installed: ${installed.join(', ')}`);
    const logRoot = path.dirname(api.logUri.fsPath);
    const line = await waitFor('the uv command line in the Venv Pilot log', () => {
      const text = logFiles(logRoot).map((file) => readFileSync(file, 'utf8')).join('\n');
      return text.split('\n').find((l) => l.includes(`run: ${uv} pip install --python ${python}`) && l.includes(requirements));
    });
    assert.match(line, / -r \S*requirements\.txt/);
  });
});
