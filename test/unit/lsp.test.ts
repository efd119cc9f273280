import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, CompletionItem, Diagnostic, DocumentLink, Hover } from 'vscode-languageserver-protocol';
import { run } from '../../src/core/process/run';
import { createVenv } from '../../src/core/venv/create';
import { startLsp, type LspSession } from '../fixtures/lspClient';
import { baseInterpreter, pyenvPython, tempDir } from '../fixtures/machine';
import { useHermeticPip } from '../fixtures/pipEnv';
import { buildWheels, DEMO_PACKAGES } from '../fixtures/wheels';

useHermeticPip();

const DOCUMENT = [
  '--no-index', // 0
  '--find-links wheels', // 1
  '--indx-url https://example.com/simple', // 2
  'pilotfish>=2', // 3
  'remora==0.3.0', // 4
  'barnacle', // 5
  'only-win; sys_platform == "win32"', // 6
  'remora', // 7
  '-r missing.txt', // 8
  '--extra-index-url https://example.com/extra', // 9
  'pilotfish==', // 10
  '',
].join('\n');

describe('language server over stdio (venv-pilot lsp --stdio)', () => {
  let root: string;
  let session: LspSession;
  let uri: string;
  let diagnostics: Diagnostic[];

  before(async () => {
    root = tempDir();
    const exe = pyenvPython('3.12') ?? '/usr/bin/python3';
    buildWheels(path.join(root, 'wheels'), [...DEMO_PACKAGES, { name: 'pilotfish', version: '2.0.0', requires: ['remora>=0.2'] }]);
    const venv = await createVenv({ interpreter: await baseInterpreter(exe), dest: path.join(root, '.venv'), cacheDir: path.join(root, 'cache') });
    await run([venv.python, '-m', 'pip', 'install', '--no-index', '--find-links', path.join(root, 'wheels'), 'pilotfish==1.0.0']);
    // No venv given: the server finds the workspace's .venv itself.
    session = await startLsp(root);
    const file = path.join(root, 'requirements.txt');
    const published = session.nextDiagnostics(`file://${file}`);
    uri = await session.open(file, DOCUMENT);
    diagnostics = (await published).diagnostics;
  });
  after(() => session.close());

  const at = (line: number): Diagnostic[] => diagnostics.filter((d) => d.range.start.line === line);
  const range = (line: number, start: number, end: number): Diagnostic['range'] => ({ start: { line, character: start }, end: { line, character: end } });

  it('flags a misspelt option with a suggestion', () => {
    assert.deepEqual(at(2).map((d) => [d.code, d.message, d.range]), [['unknown-option', 'Unknown option --indx-url; did you mean --index-url?', range(2, 0, 10)]]);
  });

  it('checks requirements against the venv: version mismatch on the specifier, not installed on the name', () => {
    assert.deepEqual(at(3).map((d) => [d.code, d.message, d.range]), [['version-mismatch', 'installed 1.0.0, required >=2', range(3, 9, 12)]]);
    assert.deepEqual(at(5).map((d) => [d.code, d.message, d.range]), [['not-installed', 'barnacle is not installed in .venv', range(5, 0, 8)]]);
    assert.deepEqual(at(4), [], 'remora==0.3.0 is installed and satisfied');
    assert.deepEqual(at(6), [], 'a requirement its marker excludes is never flagged');
  });

  it('flags duplicates and missing includes', () => {
    assert.deepEqual(at(7).map((d) => [d.code, d.message, d.range]), [['duplicate', 'remora is already required on line 5', range(7, 0, 6)]]);
    assert.deepEqual(at(8).map((d) => [d.code, d.message, d.range]), [['missing-include', 'Requirements file missing.txt does not exist', range(8, 3, 14)]]);
  });

  it('hovers: installed version and summary of a requirement, documentation of an option', async () => {
    const requirement = (await session.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 3 } })) as Hover;
    assert.match(JSON.stringify(requirement.contents), /pilotfish 1\.0\.0\*\* installed, does not satisfy >=2.*Guides you to the right venv/);
    const option = (await session.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 4 } })) as Hover;
    assert.match(JSON.stringify(option.contents), /--no-index.*Ignore package index/);
  });

  it('completes versions from find-links after ==, names from the venv and find-links, and options', async () => {
    const complete = async (line: number, character: number): Promise<string[]> =>
      ((await session.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line, character } })) as CompletionItem[]).map((i) => i.label);
    assert.deepEqual((await complete(10, 11)).sort(), ['1.0.0', '2.0.0']);
    const names = await complete(11, 0);
    for (const name of ['pilotfish', 'remora', 'barnacle', 'pip']) assert.ok(names.includes(name), `${name} offered: ${names.join(', ')}`);
    assert.ok((await complete(0, 2)).includes('--require-hashes'));
  });

  it('offers code actions: pin to the installed version, sync now, remove the duplicate, fix the option', async () => {
    const actions = (await session.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: range(3, 0, 12), context: { diagnostics } })) as CodeAction[];
    const pin = actions.find((a) => a.title === 'Pin to installed version (==1.0.0)');
    assert.deepEqual(pin?.edit?.changes?.[uri], [{ range: range(3, 9, 12), newText: '==1.0.0' }]);
    assert.ok(actions.some((a) => a.title === 'Sync environment now' && a.command?.command === 'venvPilot.syncEnvironment'));
    assert.deepEqual(actions.find((a) => a.title === 'Remove duplicate')?.edit?.changes?.[uri], [{ range: { start: { line: 7, character: 0 }, end: { line: 8, character: 0 } }, newText: '' }]);
    assert.deepEqual(actions.find((a) => a.title === 'Change to --index-url')?.edit?.changes?.[uri], [{ range: range(2, 0, 10), newText: '--index-url' }]);
  });

  it('links -r targets and URLs', async () => {
    const links = (await session.connection.sendRequest('textDocument/documentLink', { textDocument: { uri } })) as DocumentLink[];
    assert.deepEqual(links.map((l) => [l.range.start.line, l.target]), [[8, `file://${path.join(root, 'missing.txt')}`], [9, 'https://example.com/extra']]);
  });

  it('flags duplicates across -r includes, and invalid specifiers and markers with their own codes', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(root, 'base.txt'), 'remora\n');
    const file = path.join(root, 'requirements-dev.txt');
    const published = session.nextDiagnostics(`file://${file}`);
    await session.open(file, '-r base.txt\nremora==0.3.0\nflask~=2..0\nclick; python_version <\n');
    assert.deepEqual((await published).diagnostics.map((d) => [d.code, d.range.start.line, d.message]), [
      ['duplicate', 1, 'remora is already required in base.txt (line 1)'],
      ['invalid-specifier', 2, `Invalid requirement: 'flask~=2..0': Invalid version specifier "~=2..0".`],
      ['invalid-marker', 3, `Invalid requirement: 'click; python_version <': Expected a marker variable or a quoted string after "<".`],
    ]);
  });

  it('flags missing hashes under --require-hashes, and follows a new active environment', async () => {
    const file = path.join(root, 'hashed.txt');
    const published = session.nextDiagnostics(`file://${file}`);
    await session.open(file, '--require-hashes\nremora==0.3.0 --hash=sha256:abc\npilotfish==1.0.0\n');
    assert.deepEqual((await published).diagnostics.map((d) => [d.code, d.range.start.line]), [['missing-hash', 2]]);
    const empty = await createVenv({ interpreter: await baseInterpreter(pyenvPython('3.12') ?? '/usr/bin/python3'), dest: path.join(root, 'empty-env'), seed: [], cacheDir: path.join(root, 'cache') });
    const again = session.nextDiagnostics(uri);
    await session.connection.sendNotification('venvPilot/activeEnvironment', { venv: empty.dir });
    const notInstalled = (await again).diagnostics.filter((d) => d.code === 'not-installed').map((d) => d.message);
    assert.ok(notInstalled.includes('pilotfish is not installed in empty-env'), notInstalled.join('; '));
  });
});
