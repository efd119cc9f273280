import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ScriptRun } from '../../src/extension/commands/runScript';
import type { VenvPilotApi } from '../../src/extension/testApi';
import { activateExtension, waitFor } from './helpers';

/**
 * A script whose PEP 723 block asks for remora. It prints to its terminal, and records what it
 * printed and whether its stdout is a terminal: the extension host cannot read a terminal's
 * screen (the end-to-end test reads it in the browser).
 */
const script = (dependencies: string[]): string => `# /// script
# dependencies = [${dependencies.map((d) => JSON.stringify(d)).join(', ')}]
# ///
import json, sys, remora
line = "tool ran with remora %s in %s" % (remora.__version__, sys.prefix)
print(line)
with open(__file__ + ".out", "w") as out:
    json.dump({"printed": line, "tty": sys.stdout.isatty(), "argv": sys.argv}, out)
`;

/** The CodeLens over the script's block, as the editor shows it. */
async function blockLens(uri: vscode.Uri, expected: RegExp): Promise<vscode.CodeLens> {
  return waitFor(`a CodeLens matching ${expected}`, async () => {
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
    return lenses.find((l) => l.command && expected.test(l.command.title));
  });
}

suite('Every script its own environment', () => {
  let api: VenvPilotApi;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const file = path.join(folder, 'tool.py');
  const config = vscode.workspace.getConfiguration('venvPilot');

  suiteSetup(async () => {
    api = await activateExtension();
    await api.interpreters.ready();
    // The script's block cannot name an index: the workspace's fixture wheels come from the settings.
    await config.update('pip.findLinks', [path.join(folder, 'wheels')], vscode.ConfigurationTarget.Workspace);
    await config.update('pip.offline', true, vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    await config.update('pip.findLinks', undefined, vscode.ConfigurationTarget.Workspace);
    await config.update('pip.offline', undefined, vscode.ConfigurationTarget.Workspace);
    rmSync(file, { force: true });
    rmSync(`${file}.out`, { force: true });
  });

  test('a script with an inline block runs from its CodeLens in a terminal; a changed block gets a new environment; Clean Up lists both', async () => {
    writeFileSync(file, script(['remora']));
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri);
    const lens = await blockLens(uri, /^\$\(play\) Run in its environment \(1 dependency, will be created\)$/);
    const first = (await vscode.commands.executeCommand<ScriptRun | undefined>(lens.command?.command ?? '', ...(lens.command?.arguments ?? []))) as ScriptRun;
    assert.ok(first, 'the run started');
    assert.equal(first.created, true);
    assert.ok(existsSync(path.join(first.env, 'pyvenv.cfg')));
    // The terminal stays open after the script, showing its exit code, until Enter.
    await waitFor('the script to record its run', () => existsSync(`${file}.out`), 60_000);
    assert.equal(first.terminal.exitStatus, undefined, 'the terminal is still open for reading');
    first.terminal.sendText('', true);
    const closed = await waitFor('the terminal to close after Enter', () => first.terminal.exitStatus, 30_000);
    assert.equal(closed.code, 0);
    const record = JSON.parse(readFileSync(`${file}.out`, 'utf8')) as { printed: string; tty: boolean; argv: string[] };
    assert.equal(record.printed, `tool ran with remora 0.3.0 in ${first.env}`);
    assert.equal(record.tty, true, "its output went to the terminal's pty, nothing typed into a shell");
    assert.deepEqual(record.argv, [file]);
    assert.equal(JSON.parse(readFileSync(path.join(first.env, 'venv-pilot-script.json'), 'utf8')).script, file);
    await blockLens(uri, /\(1 dependency, ready\)$/);

    // A new dependency: a new environment; the first one stays until it expires.
    writeFileSync(file, script(['remora', 'barnacle']));
    const changedLens = await blockLens(uri, /\(2 dependencies, will be created\)$/);
    const second = (await vscode.commands.executeCommand<ScriptRun | undefined>(changedLens.command?.command ?? '', ...(changedLens.command?.arguments ?? []))) as ScriptRun;
    assert.equal(second.created, true);
    assert.notEqual(second.env, first.env);
    await waitFor('the second run to record its run', () => existsSync(`${file}.out`) && JSON.parse(readFileSync(`${file}.out`, 'utf8')).printed.includes(second.env), 60_000);
    second.terminal.sendText('', true);
    await waitFor('the second terminal to close', () => second.terminal.exitStatus, 30_000);
    assert.equal(second.terminal.exitStatus?.code, 0);
    assert.ok(existsSync(first.env), 'the old environment is still there');

    const cleanUp = vscode.commands.executeCommand<string[]>('venvPilot.cleanUpEnvironments');
    const picker = await waitFor('the Clean Up picker', () => api.quickInputs.active?.title === 'Clean Up Environments' && api.quickInputs.active);
    await waitFor('Clean Up to finish loading', () => !picker.busy);
    const listed = picker.items.filter((i) => i.detail === first.env || i.detail === second.env);
    assert.deepEqual(listed.map((i) => i.label), ['$(play) tool.py', '$(play) tool.py']);
    assert.ok(listed.every((i) => i.description?.includes(`script environment of ${file}`) && /last run \d{4}-\d\d-\d\d/.test(i.description)));
    picker.hide();
    assert.deepEqual(await cleanUp, [], 'nothing deleted when the picker is dismissed');
  });
});
