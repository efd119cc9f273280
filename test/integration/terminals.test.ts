import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { VenvPilotApi } from '../../src/extension/testApi';
import { activateExtension, answerQuickPick, runInTerminal, waitFor } from './helpers';

/** The machine's own home (passwd), not the harness's empty HOME. */
const machineHome = os.userInfo().homedir;

suite('Terminals open activated, whatever the shell and its rc files', () => {
  let api: VenvPilotApi;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const venv = path.join(folder, '.venv');
  const out = (name: string): string => path.join(folder, `${name}.out`);

  suiteSetup(async () => {
    api = await activateExtension();
    if (!api.statusBarItem.text.includes("('.venv': venv)")) {
      const picking = vscode.commands.executeCommand('venvPilot.selectInterpreter');
      await answerQuickPick(api, `Python interpreter for ${path.basename(folder)}`, (items) => items.filter((i) => i.detail === path.join(venv, 'bin', 'python')));
      await picking;
    }
    await waitFor('the workspace .venv to be selected', () => api.statusBarItem.text.includes("('.venv': venv)"));
  });

  test("bash with the machine's real ~/.bashrc (pyenv init puts its shims first) still runs the venv's python", async function () {
    const bashrc = path.join(machineHome, '.bashrc');
    if (!existsSync(bashrc) || !readFileSync(bashrc, 'utf8').includes('pyenv')) return this.skip();
    // The harness's HOME is empty: its .bashrc runs the machine's own, with the machine's HOME,
    // so `pyenv init` sees the real pyenv (and its rehash never writes shims that point here).
    const home = process.env.HOME ?? '';
    writeFileSync(path.join(home, '.bashrc'), `__harness_home="$HOME"; HOME=${JSON.stringify(machineHome)}; . ${JSON.stringify(bashrc)}; HOME="$__harness_home"\n`);
    try {
      const lines = (await runInTerminal('{ command -v python; echo "$PATH" | tr : "\\n" | grep -c pyenv/shims; }', out('bashrc'))).split('\n');
      assert.equal(lines[0], path.join(venv, 'bin', 'python'), "the venv's python wins");
      assert.ok(Number(lines[1]) >= 1, 'the rc file really did put pyenv shims on PATH');
    } finally {
      rmSync(path.join(home, '.bashrc'), { force: true });
    }
  });

  for (const shell of ['/usr/bin/zsh', '/usr/bin/fish', '/bin/sh']) {
    test(`${path.basename(shell)}: python is the venv's`, async function () {
      if (!existsSync(shell)) return this.skip();
      const prefix = await runInTerminal(`python -c "import sys; print(sys.prefix)"`, out(path.basename(shell)), { shellPath: shell });
      assert.equal(realpathSync(prefix), realpathSync(venv));
    });
  }

  test('bash gets a (.venv) prompt prefix once, and deactivate restores PATH and the prompt', async () => {
    const lines = (await runInTerminal('{ echo "${PS1@P}" | grep -o "(.venv) " | wc -l; deactivate; echo "${PS1@P}" | grep -c "(.venv) "; echo "$PATH" | tr : "\\n" | grep -c "/.venv/bin$"; echo "[${VIRTUAL_ENV:-}]"; command -v python || echo none; }', out('deactivate'), { shellPath: '/bin/bash' })).split('\n');
    assert.equal(lines[0]?.trim(), '1', 'the prompt carries the prefix once');
    assert.equal(lines[1], '0', 'deactivate took the prefix off the prompt');
    assert.equal(lines[2], '0', `deactivate took the venv's bin off PATH: ${lines.join(' | ')}`);
    assert.equal(lines[3], '[]', 'and unset VIRTUAL_ENV');
    assert.notEqual(lines[4], path.join(venv, 'bin', 'python'));
  });

  test('switching the environment changes what a new terminal gets', async () => {
    const picking = vscode.commands.executeCommand('venvPilot.selectInterpreter');
    await answerQuickPick(api, `Python interpreter for ${path.basename(folder)}`, (items) => items.filter((i) => i.detail && !i.detail.startsWith(folder)).slice(0, 1));
    await picking;
    assert.equal(await runInTerminal('echo "[${VIRTUAL_ENV:-}]"', out('switched')), '[]', 'a base interpreter activates no venv');
    const back = vscode.commands.executeCommand('venvPilot.selectInterpreter');
    await answerQuickPick(api, `Python interpreter for ${path.basename(folder)}`, (items) => items.filter((i) => i.detail === path.join(venv, 'bin', 'python')));
    await back;
    assert.equal(await runInTerminal('echo "$VIRTUAL_ENV"', out('back')), venv);
  });
});
