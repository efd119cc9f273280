import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { run } from '../../src/core/leaves/process';
import type { VenvPilotApi } from '../../src/extension/testApi';
import { activateExtension, answerQuickPick, nextEvent, waitFor } from './helpers';

/** The picker's rows as `[section, label]`, in order, separators left out. */
function rowsBySection(items: readonly vscode.QuickPickItem[]): [string, string][] {
  let section = '';
  const rows: [string, string][] = [];
  for (const item of items) {
    if (item.kind === vscode.QuickPickItemKind.Separator) section = item.label;
    else rows.push([section, item.label]);
  }
  return rows;
}

suite('Dependency sources: a pyproject.toml project and a requirements folder', () => {
  let api: VenvPilotApi;
  const folders = vscode.workspace.workspaceFolders ?? [];
  const shoal = folders.find((f) => f.name === 'shoal');
  const layered = folders.find((f) => f.name === 'layered');
  const shoalDir = shoal?.uri.fsPath ?? '';
  const pyproject = path.join(shoalDir, 'pyproject.toml');
  const python = path.join(shoalDir, '.venv', 'bin', 'python');

  suiteSetup(async () => {
    assert.ok(shoal && layered, 'the harness opens examples/shoal and examples/layered');
    api = await activateExtension();
  });

  /** Runs Create Environment in `folder` up to the dependencies picker (interpreter: a 3.11+, for the example's tomllib backend). */
  async function openSourcesPicker(folder: vscode.WorkspaceFolder): Promise<{ created: Thenable<unknown> }> {
    const created = vscode.commands.executeCommand('venvPilot.createEnvironment');
    await answerQuickPick(api, 'Create Environment: workspace folder', (items) => items.filter((i) => i.label === folder.name));
    await answerQuickPick(api, 'Create Environment: interpreter', (items) => {
      const preferred = ['3.12', '3.13', '3.11'].map((v) => items.find((i) => i.label.startsWith(`Python ${v}`))).find(Boolean);
      assert.ok(preferred, 'a Python 3.11+ is offered');
      return [preferred];
    });
    await answerQuickPick(api, 'Create Environment: location', (items) => items.filter((i) => i.label === '.venv'));
    // Wrapped: an async function returning the thenable itself would wait for the whole command.
    return { created };
  }

  test('a requirements folder: the picker offers requirements/base.txt and requirements/dev.txt under "Requirements files"', async () => {
    assert.ok(layered);
    const { created } = await openSourcesPicker(layered);
    const qp = await waitFor('the dependencies picker', () => api.quickInputs.active?.title === 'Create Environment: dependencies' && api.quickInputs.active);
    assert.deepEqual(rowsBySection(qp.items), [
      ['Requirements files', 'requirements/base.txt'],
      ['Requirements files', 'requirements/dev.txt'],
    ]);
    assert.equal(qp.canSelectMany, true);
    // Dismissing the last step creates nothing.
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await created, undefined);
  });

  test('a pyproject.toml project: the picker groups the project, extras and groups; the project, an extra and a group are installed and tracked', async () => {
    assert.ok(shoal);
    const { created } = await openSourcesPicker(shoal);
    await answerQuickPick(api, 'Create Environment: dependencies', (items) => {
      assert.deepEqual(rowsBySection(items), [
        ['Project', 'shoal (editable)'],
        ['Extras', 'shiny'],
        ['Dependency groups', 'test'],
        ['Dependency groups', 'dev'],
      ]);
      assert.deepEqual(items.filter((i) => i.picked).map((i) => i.label), ['shoal (editable)', 'dev'], 'the project and the dev group are ticked by default');
      assert.equal(items.find((i) => i.label === 'dev')?.description, 'group: tang>=0.9, wrasse>=0.2', 'a group shows what it installs, includes expanded');
      return items.filter((i) => ['shoal (editable)', 'shiny', 'dev'].includes(i.label));
    });
    const result = (await created) as { python: string } | undefined;
    assert.equal(result?.python, python);
    const { stdout } = await run([python, '-c', 'import shoal, barnacle, tang, wrasse; print(shoal.school(), barnacle.__version__, tang.__version__, wrasse.__version__)']);
    assert.equal(stdout, 'shoal 0.1.0 follows pilotfish 1.0.0 0.1.0 0.9.0 0.2.0', 'the project (editable, with its dependency), the extra and the group with its include');
    const { stdout: where } = await run([python, '-c', 'import shoal; print(shoal.__file__)']);
    assert.equal(where, path.join(shoalDir, 'shoal', '__init__.py'), 'the project is installed editable, from its folder');
    assert.deepEqual(api.trackedSources(shoal), { requirements: [], project: { folder: shoalDir, self: true, extras: ['shiny'], groups: ['dev'] } });
  });

  test('adding a dependency to pyproject.toml offers Sync, and Sync installs it', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    const offered = nextEvent(api.requirementsWatcher.onDidOfferSync);
    writeFileSync(pyproject, readFileSync(pyproject, 'utf8').replace('"pilotfish>=1.0",\n', '"pilotfish>=1.0",\n    "zander>=0.1",\n'));
    assert.equal(await offered, pyproject);
    // The newest notification is the offer ("pyproject.toml changed. Sync .venv with it?"); its primary action is "Sync".
    await vscode.commands.executeCommand('notification.acceptPrimaryAction');
    const version = await waitFor('zander to be installed into .venv', () => run([python, '-c', 'import zander; print(zander.__version__)']).then((r) => r.stdout, () => undefined), 60_000);
    assert.equal(version, '0.1.0');
    const { stdout } = await run([python, '-c', 'from importlib.metadata import requires; print(requires("shoal"))']);
    assert.match(stdout, /zander>=0\.1/, "the editable install's metadata follows pyproject.toml (the in-tree backend reads it)");
  });

  test('the language server flags a dependency in pyproject.toml that the venv does not satisfy', async () => {
    const text = readFileSync(pyproject, 'utf8').replace('"pilotfish>=1.0",', '"pilotfish>=2",');
    writeFileSync(pyproject, text);
    const document = await vscode.workspace.openTextDocument(pyproject);
    await vscode.window.showTextDocument(document);
    const line = text.split('\n').findIndex((l) => l.includes('"pilotfish>=2"'));
    const start = (text.split('\n')[line] ?? '').indexOf('pilotfish>=2');
    const codeOf = (d: vscode.Diagnostic): string => String(typeof d.code === 'object' ? d.code.value : d.code);
    const diagnostic = await waitFor(
      'a not-installed or version-mismatch diagnostic on pilotfish>=2 in pyproject.toml',
      () => vscode.languages.getDiagnostics(document.uri).find((d) => ['not-installed', 'version-mismatch'].includes(codeOf(d)) && d.range.start.line === line),
      30_000,
    );
    assert.equal(codeOf(diagnostic), 'version-mismatch');
    // As in a requirements file, a version mismatch is marked on the specifier, inside the dependency string's characters.
    assert.equal(diagnostic.message, 'installed 1.0.0, required >=2');
    assert.deepEqual([diagnostic.range.start.line, diagnostic.range.start.character, diagnostic.range.end.line, diagnostic.range.end.character], [line, start + 'pilotfish'.length, line, start + 'pilotfish>=2'.length], 'the range is the specifier in the dependency string');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.commands.executeCommand('notifications.clearAll');
  });
});
