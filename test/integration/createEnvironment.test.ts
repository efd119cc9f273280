import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { run } from '../../src/core/leaves/process';
import type { VenvPilotApi } from '../../src/extension/testApi';
import { activateExtension, answerQuickPick, nextEvent, runInTerminal, typeAndAccept, waitFor } from './helpers';

suite('Create Environment in a real VS Code', () => {
  let api: VenvPilotApi;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const venv = path.join(folder, '.venv');

  suiteSetup(async () => {
    assert.ok(folder, 'the harness opens a workspace folder');
    api = await activateExtension();
  });

  test('the palette command creates .venv, seeds pip offline and installs the chosen requirements', async () => {
    const created = vscode.commands.executeCommand('venvPilot.createEnvironment');
    const [interpreter] = await answerQuickPick(api, 'Create Environment: interpreter', (items) => {
      const preferred = items.find((i) => i.label.startsWith('Python 3.12')) ?? items[0];
      assert.ok(preferred, 'at least one base interpreter is offered');
      return [preferred];
    });
    await answerQuickPick(api, 'Create Environment: location', (items) => items.filter((i) => i.label === '.venv'));
    await answerQuickPick(api, 'Create Environment: dependencies', (items) => {
      assert.deepEqual(items.map((i) => [i.kind === vscode.QuickPickItemKind.Separator, i.label]), [[true, 'Requirements files'], [false, 'requirements.txt'], [false, 'requirements-dev.txt']], 'top-level requirements files under their heading, requirements.txt first');
      return items.filter((i) => i.kind !== vscode.QuickPickItemKind.Separator);
    });
    const result = (await created) as { python: string; creator: string; seeded: { project: string }[] } | undefined;
    assert.ok(result, 'the command resolves to the created venv');
    assert.equal(result.creator, 'builtin', 'the builtin creator wrote the venv');
    assert.deepEqual(result.seeded.map((s) => s.project), ['pip']);
    assert.equal(result.python, path.join(venv, 'bin', 'python'));
    assert.ok(existsSync(path.join(venv, 'bin', 'python')), '.venv/bin/python exists');

    const { stdout } = await run([path.join(venv, 'bin', 'python'), '-c', 'import pilotfish, remora, barnacle, pip, sys; print(pilotfish.__version__, remora.__version__, barnacle.__version__, sys.version.split()[0])']);
    const [pilotfish, remora, barnacle, version] = stdout.split(' ');
    assert.equal(pilotfish, '1.0.0');
    assert.equal(remora, '0.3.0');
    assert.equal(barnacle, '0.1.0', 'requirements-dev.txt, ticked in the multi-select, was installed too');
    assert.equal(`Python ${version}`, interpreter);
    const { stdout: script } = await run([path.join(venv, 'bin', 'pilotfish')]);
    assert.equal(script, 'pilotfish 1.0.0 with remora 0.3.0', 'the console script runs from the venv');
  });

  test('the status bar names the new .venv', async () => {
    await waitFor('status bar text naming .venv', () => api.statusBarItem.text.includes("('.venv': venv)"));
    assert.match(api.statusBarItem.text, /^\$\(python\) 3\.\d+\.\d+ \('\.venv': venv\)$/);
  });

  test('a new integrated terminal runs the venv python without any activate command', async () => {
    const prefix = await runInTerminal(`python -c "import sys; print(sys.prefix)"`, path.join(folder, 'prefix.txt'));
    assert.equal(realpathSync(prefix), realpathSync(venv));
    const env = await runInTerminal('echo "$VIRTUAL_ENV|$VIRTUAL_ENV_PROMPT"', path.join(folder, 'env.txt'));
    assert.equal(env, `${venv}|.venv`);
    const workspaceFolder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(workspaceFolder);
    assert.match(api.terminalEnvironment(workspaceFolder).description?.toString() ?? '', /^Activates `\.venv` \(Python 3\.\d+\.\d+, /);
  });

  test('the status-bar picker switches the folder to another interpreter and back', async () => {
    const picked = vscode.commands.executeCommand('venvPilot.selectInterpreter');
    const [label] = await answerQuickPick(api, `Python interpreter for ${path.basename(folder)}`, (items) => {
      assert.equal(items[0]?.label, '$(add) Create Environment…', 'the picker offers Create Environment first');
      const base = items.find((i) => i.detail && !i.detail.startsWith(folder) && i.kind !== vscode.QuickPickItemKind.Separator);
      assert.ok(base, 'base interpreters are listed');
      return [base];
    });
    await picked;
    const version = label?.replace(/^Python /, '');
    await waitFor('status bar showing the base interpreter', () => api.statusBarItem.text.startsWith(`$(python) ${version} (`) && !api.statusBarItem.text.includes('.venv'));

    const back = vscode.commands.executeCommand('venvPilot.selectInterpreter');
    await answerQuickPick(api, `Python interpreter for ${path.basename(folder)}`, (items) => items.filter((i) => i.detail === path.join(venv, 'bin', 'python')));
    await back;
    await waitFor('status bar back on .venv', () => api.statusBarItem.text.includes("('.venv': venv)"));
  });

  test('editing a tracked requirements file offers Sync, and Sync installs the new requirement into .venv', async () => {
    const requirements = path.join(folder, 'requirements.txt');
    await vscode.commands.executeCommand('notifications.clearAll');
    const offered = nextEvent(api.requirementsWatcher.onDidOfferSync);
    writeFileSync(requirements, readFileSync(requirements, 'utf8') + 'wrasse==0.2.0\n');
    assert.equal(await offered, requirements);
    await waitFor('the status bar to say out of sync', () => api.statusBarItem.text.includes('out of sync'));
    // The newest notification is the offer; its primary action is "Sync".
    await vscode.commands.executeCommand('notification.acceptPrimaryAction');
    const python = path.join(venv, 'bin', 'python');
    const version = await waitFor('wrasse to be installed into .venv', () => run([python, '-c', 'import wrasse; print(wrasse.__version__)']).then((r) => r.stdout, () => undefined), 60_000);
    assert.equal(version, '0.2.0');
    await waitFor('the status bar to be back in sync', () => !api.statusBarItem.text.includes('out of sync'));
  });

  test('pip install in the terminal, then Freeze Environment writes a lock file listing both packages', async () => {
    await runInTerminal('pip install --no-index --find-links wheels tang==0.9.0 >/dev/null 2>&1; pip show tang | head -2', path.join(folder, 'tang.txt'));
    const freezing = vscode.commands.executeCommand('venvPilot.freezeEnvironment');
    await answerQuickPick(api, 'Freeze Environment: file', (items) => items.filter((i) => i.label === 'requirements.lock'));
    const file = (await freezing) as string | undefined;
    assert.equal(file, path.join(folder, 'requirements.lock'));
    const lock = readFileSync(file, 'utf8');
    assert.match(lock, /^wrasse==0\.2\.0$/m, 'the package the sync installed');
    assert.match(lock, /^tang==0\.9\.0$/m, 'the package pip installed in the terminal');
    const { stdout } = await run([path.join(venv, 'bin', 'python'), '-m', 'pip', 'freeze']);
    assert.equal(lock, `${stdout}\n`, 'exactly what pip freeze prints');
  });

  test('freezing over a hand-written, tracked requirements.txt asks first, writes through the open editor, and triggers no sync', async () => {
    const requirements = path.join(folder, 'requirements.txt');
    const document = await vscode.workspace.openTextDocument(requirements);
    await vscode.window.showTextDocument(document);
    let offers = 0;
    const counting = api.requirementsWatcher.onDidOfferSync(() => offers++);
    const freezing = vscode.commands.executeCommand('venvPilot.freezeEnvironment');
    await answerQuickPick(api, 'Freeze Environment: file', (items) => items.filter((i) => i.label === 'requirements.txt'));
    await answerQuickPick(api, 'requirements.txt is written by hand', (items) => items.filter((i) => i.label === 'Overwrite'));
    assert.equal(await freezing, requirements);
    const { stdout } = await run([path.join(venv, 'bin', 'python'), '-m', 'pip', 'freeze']);
    assert.equal(document.getText(), `${stdout}\n`, 'the open editor shows the freeze');
    assert.equal(document.isDirty, false, 'and it was saved');
    assert.equal(readFileSync(requirements, 'utf8'), `${stdout}\n`);
    // Longer than the watcher's debounce: a write of our own must not come back as a sync offer.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    counting.dispose();
    assert.equal(offers, 0, 'no sync was offered for our own write');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('the language server flags a requirement that is not installed, and its "Sync environment now" action fixes it', async () => {
    const requirements = path.join(folder, 'requirements.txt');
    writeFileSync(requirements, `--no-index\n--find-links wheels\n${readFileSync(requirements, 'utf8')}zander==0.1.0\n`);
    const document = await vscode.workspace.openTextDocument(requirements);
    await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'pip-requirements');
    const codeOf = (d: vscode.Diagnostic): string => String(typeof d.code === 'object' ? d.code.value : d.code);
    const diagnostic = await waitFor('a not-installed diagnostic on zander', () => vscode.languages.getDiagnostics(document.uri).find((d) => codeOf(d) === 'not-installed' && d.message.startsWith('zander')), 30_000);
    assert.equal(diagnostic.range.start.line, document.getText().split('\n').findIndex((l) => l.startsWith('zander')));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, diagnostic.range);
    const sync = actions.find((a) => a.title === 'Sync environment now');
    assert.ok(sync?.command, 'the quick fix is offered');
    await vscode.commands.executeCommand(sync.command.command, ...(sync.command.arguments ?? []));
    assert.equal((await run([path.join(venv, 'bin', 'python'), '-c', 'import zander; print(zander.__version__)'])).stdout, '0.1.0');
    await waitFor('the diagnostic to disappear', () => !vscode.languages.getDiagnostics(document.uri).some((d) => codeOf(d) === 'not-installed'), 30_000);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test("a requirement pip cannot find fails with pip's own message, and the working venv is kept", async () => {
    writeFileSync(path.join(folder, 'requirements-broken.txt'), '--no-index\n--find-links wheels\nno-such-package==1.0\n');
    const failure = nextEvent(api.failures.onDidShow);
    const created = vscode.commands.executeCommand('venvPilot.createEnvironment');
    await answerQuickPick(api, 'Create Environment: interpreter', (items) => items.slice(0, 1));
    const location = await waitFor('the location picker', () => api.quickInputs.active?.title === 'Create Environment: location' && api.quickInputs.active);
    await typeAndAccept(location, 'broken-env', (active) => active.label === 'broken-env');
    await answerQuickPick(api, 'Create Environment: dependencies', (items) => items.filter((i) => i.label === 'requirements-broken.txt'));
    assert.equal(await created, undefined);
    assert.match(await failure, /ERROR: No matching distribution found for no-such-package==1\.0$/);
    await run([path.join(folder, 'broken-env', 'bin', 'python'), '-m', 'pip', '--version']);
    await waitFor('status bar on the kept venv, flagged out of sync', () => api.statusBarItem.text.endsWith("('broken-env': venv) $(warning) out of sync"));
  });

  test('a venv whose interpreter is gone shows as broken, and Recreate Environment rebuilds it', async () => {
    const brokenEnv = path.join(folder, 'broken-env');
    writeFileSync(path.join(folder, 'requirements-broken.txt'), '--no-index\n--find-links wheels\nremora==0.3.0\n');
    rmSync(path.join(brokenEnv, 'bin', 'python'));
    symlinkSync('/nonexistent/python3', path.join(brokenEnv, 'bin', 'python'));
    await vscode.commands.executeCommand('venvPilot.rediscover');
    await waitFor('the status bar to flag the broken venv', () => api.statusBarItem.text.includes('broken') && api.statusBarItem.command === 'venvPilot.recreateEnvironment');
    const recreating = vscode.commands.executeCommand('venvPilot.recreateEnvironment');
    await answerQuickPick(api, 'Recreate broken-env', (items) => items.filter((i) => i.label === 'Recreate'));
    const recreated = (await recreating) as { python: string } | undefined;
    assert.equal(recreated?.python, path.join(brokenEnv, 'bin', 'python'));
    assert.equal((await run([recreated.python, '-c', 'import remora; print(remora.__version__)'])).stdout, '0.3.0');
    await waitFor('the status bar to be healthy again', () => api.statusBarItem.text.endsWith("('broken-env': venv)"));
  });

  test('Clean Up Environments lists the venvs with their size and deletes the chosen one after confirmation', async () => {
    const brokenEnv = path.join(folder, 'broken-env');
    const cleaning = vscode.commands.executeCommand('venvPilot.cleanUpEnvironments');
    await answerQuickPick(api, 'Clean Up Environments', (items) => {
      const row = items.find((i) => i.detail === brokenEnv);
      assert.match(row?.description ?? '', /^[\d.]+ MB · changed \d{4}-\d\d-\d\d$/);
      assert.ok(items.some((i) => i.detail === venv), 'the workspace .venv is listed too');
      return row ? [row] : [];
    });
    await answerQuickPick(api, 'Delete 1 environment?', (items) => items.filter((i) => i.label === 'Delete'));
    assert.deepEqual(await cleaning, [brokenEnv]);
    assert.equal(existsSync(brokenEnv), false);
    assert.ok(existsSync(venv), 'only the chosen environment was deleted');
  });
});
