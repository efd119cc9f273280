import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, CompletionItem, Diagnostic, DocumentLink, Hover, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { run } from '../../src/core/leaves/process';
import { parsePyproject } from '../../src/core/leaves/pyproject';
import { createVenv } from '../../src/core/orchestrations/create';
import { startLsp, type LspSession } from '../fixtures/lspClient';
import { baseInterpreter, pyenvPython, tempDir } from '../fixtures/machine';
import { useHermeticPip } from '../fixtures/pipEnv';
import { writeProject } from '../fixtures/projects';
import { buildWheels, DEMO_PACKAGES } from '../fixtures/wheels';

useHermeticPip();

/** A license the size of numpy's (46,792 characters over 978 lines), its first line longer than a hover shows. */
const HUGE_LICENSE = [
  'Copyright (c) 2005-2025, Kelp Developers and the many contributors listed in the THANKS file, all rights reserved throughout.',
  ...Array.from({ length: 977 }, (_, i) => `${i % 40 === 0 ? '' : 'Redistribution and use in source and binary forms, with or without modification, are permitted '}${i}`),
].join('\n');
const LONG_SUMMARY = `Kelp ${'forests '.repeat(400)}`.trim();

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
    buildWheels(path.join(root, 'wheels'), [...DEMO_PACKAGES, { name: 'pilotfish', version: '2.0.0', requires: ['remora>=0.2'] }, { name: 'kelp', version: '3.1.0', summary: LONG_SUMMARY, license: HUGE_LICENSE }]);
    const venv = await createVenv({ interpreter: await baseInterpreter(exe), dest: path.join(root, '.venv'), cacheDir: path.join(root, 'cache') });
    await run([venv.python, '-m', 'pip', 'install', '--no-index', '--find-links', path.join(root, 'wheels'), 'pilotfish==1.0.0', 'kelp']);
    // Local projects: fin installed editable, shark (and the folder holding it) never installed.
    await run([venv.python, '-m', 'pip', 'install', '--no-index', '-e', writeProject(path.join(root, 'fin'), 'fin', '0.1.0')]);
    writeProject(path.join(root, 'shark'), 'shark', '0.1.0');
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

  it('suggests an installed or find-links name for a misspelt requirement, with a fix', async () => {
    const file = path.join(root, 'requirements-typos.txt');
    const published = session.nextDiagnostics(`file://${file}`);
    const typos = await session.open(file, ['--find-links wheels', 'pilotfsh', 'remroa==0.3.0', 'barnalce', 'KELP', 'shark', 'pi', 'kelp'].join('\n') + '\n');
    const found = (await published).diagnostics;
    assert.deepEqual(found.map((d) => [d.code, d.range.start.line, d.message]), [
      ['not-installed', 1, 'pilotfsh is not installed in .venv; did you mean pilotfish?'],
      ['not-installed', 2, 'remroa is not installed in .venv; did you mean remora?'],
      ['not-installed', 3, 'barnalce is not installed in .venv; did you mean barnacle?'],
      ['duplicate', 7, 'kelp is already required on line 5'],
      ['not-installed', 5, 'shark is not installed in .venv'],
      ['not-installed', 6, 'pi is not installed in .venv'],
    ].sort((a, b) => Number(a[1]) - Number(b[1])));
    const actions = (await session.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: typos }, range: range(1, 0, 8), context: { diagnostics: found.filter((d) => d.range.start.line === 1) } })) as CodeAction[];
    assert.deepEqual(actions.find((a) => a.title === 'Change to pilotfish')?.edit?.changes?.[typos], [{ range: range(1, 0, 8), newText: 'pilotfish' }]);
    const shark = (await session.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: typos }, range: range(5, 0, 5), context: { diagnostics: found.filter((d) => d.range.start.line === 5) } })) as CodeAction[];
    assert.deepEqual(shark.map((a) => a.title), ['Sync environment now'], 'no rename offered without a suggestion');
  });

  it('flags a local project (-e ., ./path) that no installed distribution came from', async () => {
    const file = path.join(root, 'requirements-local.txt');
    const published = session.nextDiagnostics(`file://${file}`);
    await session.open(file, '-e ./fin\n-e ./shark\n./shark\n');
    assert.deepEqual((await published).diagnostics.map((d) => [d.code, d.message, d.range]), [
      ['not-installed', 'The project at ./shark is not installed in .venv', range(1, 3, 10)],
      ['not-installed', 'The project at ./shark is not installed in .venv', range(2, 0, 7)],
    ]);
    const inside = path.join(root, 'shark', 'requirements.txt');
    const insidePublished = session.nextDiagnostics(`file://${inside}`);
    await session.open(inside, '-e .\n');
    assert.deepEqual((await insidePublished).diagnostics.map((d) => [d.code, d.message, d.range]), [['not-installed', 'The project at . is not installed in .venv', range(0, 3, 4)]]);
    const finHover = (await session.connection.sendRequest('textDocument/hover', { textDocument: { uri: pathToFileURL(file).toString() }, position: { line: 0, character: 5 } })) as Hover;
    assert.match(JSON.stringify(finHover.contents), /fin 0\.1\.0\*\* installed/);
  });

  it('hovers on any part of an option line with pip\'s help for that option', async () => {
    const file = path.join(root, 'requirements-options.txt');
    const lines = ['--no-deps', '--index-url https://example.com/simple', '-r base.txt', '--pre  # not --no-index', '--index=https://example.com/prefix', '-ihttps://example.com/short', 'remora==0.3.0 --hash=sha256:abc', 'remora -Ckey=value', '--pypi-url https://example.com/old'];
    const options = await session.open(file, lines.join('\n') + '\n');
    const hoverAt = async (line: number, character: number): Promise<string> => {
      const answer = (await session.connection.sendRequest('textDocument/hover', { textDocument: { uri: options }, position: { line, character } })) as Hover | null;
      return answer ? (answer.contents as { value: string }).value : '';
    };
    assert.match(await hoverAt(0, 4), /^\*\*--no-deps\*\*\n\nDon't install package dependencies\.\n\n.*not in a requirements file/s);
    for (const character of [3, 20]) assert.match(await hoverAt(1, character), /^\*\*--index-url\*\* \(-i\)\n\nBase URL of the Python Package Index/);
    for (const character of [1, 6]) assert.match(await hoverAt(2, character), /^\*\*--requirement\*\* \(-r\)\n\nInstall from the given requirements file\./);
    assert.match(await hoverAt(3, 2), /^\*\*--pre\*\*\n\nInclude pre-release and development versions\. By default, pip only finds stable versions\.$/);
    assert.match(await hoverAt(3, 18), /--pre/, 'a comment is not an option');
    assert.match(await hoverAt(4, 20), /^\*\*--index-url\*\*/, 'an unambiguous prefix, as optparse accepts');
    assert.match(await hoverAt(5, 10), /^\*\*--index-url\*\*/, 'a short option with its value attached');
    assert.match(await hoverAt(6, 18), /^\*\*--hash\*\*\n\nVerify that the package's archive matches this hash before installing\./);
    assert.match(await hoverAt(6, 2), /remora 0\.3\.0\*\* installed/);
    assert.match(await hoverAt(7, 9), /^\*\*--config-settings\*\* \(-C\)\n\nConfiguration settings/, 'the short form the parser knows, from the same table');
    assert.match(await hoverAt(8, 3), /^\*\*--index-url\*\* \(-i\)/, 'an old spelling, from the same table');
  });

  it('hovers a package with a huge multi-line License and a long Summary in a few lines', async () => {
    const file = path.join(root, 'requirements-kelp.txt');
    const kelp = await session.open(file, 'kelp\n');
    const answer = (await session.connection.sendRequest('textDocument/hover', { textDocument: { uri: kelp }, position: { line: 0, character: 1 } })) as Hover;
    const value = (answer.contents as { value: string }).value;
    assert.ok(value.length < 1_000, `${value.length} characters`);
    const license = /^License: (.*)$/m.exec(value)?.[1] ?? '';
    assert.equal(license, `${HUGE_LICENSE.slice(0, 100).trimEnd()}…`);
    assert.ok(!value.includes('Redistribution'), 'only the first line of the License');
    assert.match(value, /^\*\*kelp 3\.1\.0\*\* installed\n\nKelp forests forests .*…$/m);
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

  describe('pyproject.toml: dependencies, extras and dependency groups', () => {
    const PYPROJECT = [
      '[project]', // 0
      'name = "demo"', // 1
      'version = "0.1.0"', // 2
      'dependencies = [', // 3
      `  "pilotfish>=2; python_version >= '3'",`, // 4
      '  "remora==0.3.0",', // 5
      '  "barnacle",', // 6
      `  "only-win; sys_platform == 'win32'",`, // 7
      '  "flask~=2..0",', // 8
      '  "REMORA",', // 9
      ']', // 10
      '', // 11
      '[project.optional-dependencies]', // 12
      'docs = ["kelp>=3", "click; python_version <"]', // 13
      'bad = "kelp"', // 14
      '', // 15
      '[dependency-groups]', // 16
      'test = ["pilotfsh", "remora<0.3"]', // 17
      'dev = [{include-group = "test"}, "kelp"]', // 18
      'loop-a = [{include-group = "loop-b"}]', // 19
      'loop-b = [{include-group = "loop-a"}]', // 20
      'typo = [{include-group = "tset"}]', // 21
      '',
    ].join('\n');
    let file: string;
    let pyproject: string;
    let found: Diagnostic[];

    before(async () => {
      // The suite above ends on another venv: come back to the one with the packages.
      await session.connection.sendNotification('venvPilot/activeEnvironment', { venv: path.join(root, '.venv') });
      file = path.join(root, 'pyproject.toml');
      const published = session.nextDiagnostics(pathToFileURL(file).toString());
      // The client names the language as it likes (the fixture says pip-requirements): the server goes by the file name.
      pyproject = await session.open(file, PYPROJECT);
      found = (await published).diagnostics;
    });

    const edited = (edits: readonly TextEdit[] | undefined): string => TextDocument.applyEdits(TextDocument.create(pyproject, 'toml', 1, PYPROJECT), [...(edits ?? [])]);
    const actionsAt = async (line: number): Promise<CodeAction[]> =>
      (await session.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: pyproject }, range: range(line, 0, 0), context: { diagnostics: found.filter((d) => d.range.start.line === line) } })) as CodeAction[];

    it('flags each dependency string at its characters inside the quotes, list by list, and bad includes and shapes', () => {
      assert.deepEqual(found.map((d) => [d.code, d.message, d.range]), [
        ['version-mismatch', 'installed 1.0.0, required >=2', range(4, 12, 15)],
        ['not-installed', 'barnacle is not installed in .venv', range(6, 3, 11)],
        ['invalid-specifier', `Invalid requirement: 'flask~=2..0': Invalid version specifier "~=2..0".`, range(8, 3, 14)],
        ['duplicate', 'REMORA is already required on line 6', range(9, 3, 9)],
        ['invalid-marker', `Invalid requirement: 'click; python_version <': Expected a marker variable or a quoted string after "<".`, range(13, 20, 43)],
        ['invalid-pyproject', '[project.optional-dependencies] bad must be an array of strings (PEP 621)', range(14, 6, 12)],
        ['not-installed', 'pilotfsh is not installed in .venv; did you mean pilotfish?', range(17, 9, 17)],
        ['version-mismatch', 'installed 0.3.0, required <0.3', range(17, 27, 31)],
        ['include-cycle', 'Dependency group include cycle in pyproject.toml: loop-b -> loop-a -> loop-b', range(19, 10, 36)],
        ['include-cycle', 'Dependency group include cycle in pyproject.toml: loop-a -> loop-b -> loop-a', range(20, 10, 36)],
        ['unknown-group', 'pyproject.toml has no dependency group tset (it has test, dev, loop-a, loop-b, typo)', range(21, 8, 32)],
      ]);
      const lines = new Set(found.map((d) => d.range.start.line));
      for (const line of [5, 7, 18]) assert.ok(!lines.has(line), `line ${line}: installed and satisfied, excluded by its marker, or a valid include`);
      assert.ok(!found.some((d) => d.range.start.line === 13 && d.range.start.character < 20), 'kelp>=3 is installed as 3.1.0');
    });

    it('hovers a dependency string with the installed version and metadata, and nothing between strings', async () => {
      const hoverAt = (line: number, character: number): Promise<Hover | null> => session.connection.sendRequest('textDocument/hover', { textDocument: { uri: pyproject }, position: { line, character } });
      const pilotfish = await hoverAt(4, 5);
      assert.match(JSON.stringify(pilotfish?.contents), /pilotfish 1\.0\.0\*\* installed, does not satisfy >=2.*Guides you to the right venv/);
      assert.deepEqual(pilotfish?.range, range(4, 3, 12));
      assert.match(JSON.stringify((await hoverAt(13, 10))?.contents), /kelp 3\.1\.0\*\* installed, satisfies >=3/);
      assert.match(JSON.stringify((await hoverAt(6, 11))?.contents), /barnacle\*\*: not installed in \.venv/, 'the end of a string is in it');
      assert.equal(await hoverAt(13, 18), null);
      assert.equal(await hoverAt(0, 3), null);
    });

    it('pins to the installed version inside the TOML string, leaving valid TOML', async () => {
      const dependencies = (await actionsAt(4)).find((a) => a.title === 'Pin to installed version (==1.0.0)');
      assert.deepEqual(dependencies?.edit?.changes?.[pyproject], [{ range: range(4, 12, 15), newText: '==1.0.0' }]);
      assert.deepEqual(parsePyproject(edited(dependencies?.edit?.changes?.[pyproject]), file).dependencies[0]?.text, `pilotfish==1.0.0; python_version >= '3'`);
      const group = await actionsAt(17);
      const pin = group.find((a) => a.title === 'Pin to installed version (==0.3.0)');
      const pinned = parsePyproject(edited(pin?.edit?.changes?.[pyproject]), file).groups.get('test');
      assert.deepEqual(pinned?.map((e) => (e.kind === 'requirement' ? e.dependency.text : e.group)), ['pilotfsh', 'remora==0.3.0']);
      assert.deepEqual(group.find((a) => a.title === 'Change to pilotfish')?.edit?.changes?.[pyproject], [{ range: range(17, 9, 17), newText: 'pilotfish' }]);
      assert.ok(group.some((a) => a.title === 'Sync environment now'));
    });

    it('removes a duplicate string from its array, leaving valid TOML', async () => {
      const remove = (await actionsAt(9)).find((a) => a.title === 'Remove duplicate');
      assert.deepEqual(remove?.edit?.changes?.[pyproject], [{ range: { start: { line: 9, character: 0 }, end: { line: 10, character: 0 } }, newText: '' }]);
      assert.deepEqual(
        parsePyproject(edited(remove?.edit?.changes?.[pyproject]), file).dependencies.map((d) => d.text),
        [`pilotfish>=2; python_version >= '3'`, 'remora==0.3.0', 'barnacle', `only-win; sys_platform == 'win32'`, 'flask~=2..0'],
      );
      const inline = path.join(root, 'inline', 'pyproject.toml');
      const published = session.nextDiagnostics(pathToFileURL(inline).toString());
      const text = '[project]\nname = "inline"\ndependencies = ["kelp", "remora", "kelp"]\n';
      const uri = await session.open(inline, text);
      const duplicate = (await published).diagnostics;
      assert.deepEqual(duplicate.map((d) => [d.code, d.message, d.range]), [['duplicate', 'kelp is already required on line 3', range(2, 35, 39)]]);
      const actions = (await session.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: range(2, 35, 35), context: { diagnostics: duplicate } })) as CodeAction[];
      const edits = actions.find((a) => a.title === 'Remove duplicate')?.edit?.changes?.[uri] ?? [];
      assert.equal(TextDocument.applyEdits(TextDocument.create(uri, 'toml', 1, text), [...edits]), '[project]\nname = "inline"\ndependencies = ["kelp", "remora"]\n');
    });

    it('completes names and versions inside a dependency string only', async () => {
      const complete = async (line: number, character: number): Promise<string[]> =>
        ((await session.connection.sendRequest('textDocument/completion', { textDocument: { uri: pyproject }, position: { line, character } })) as CompletionItem[]).map((i) => i.label);
      const names = await complete(6, 3);
      for (const name of ['pilotfish', 'remora', 'kelp']) assert.ok(names.includes(name), `${name} offered: ${names.join(', ')}`);
      assert.ok(!names.some((n) => n.startsWith('-')), 'no option names');
      assert.deepEqual(await complete(5, 11), ['0.3.0']);
      assert.deepEqual(await complete(3, 0), [], 'not in a string');
      assert.deepEqual(await complete(1, 9), [], 'a string that is not a dependency');
      assert.deepEqual(await complete(4, 28), [], 'in a marker');
    });

    it('reports invalid TOML where the parser stopped, and nothing else', async () => {
      const broken = path.join(root, 'broken', 'pyproject.toml');
      const published = session.nextDiagnostics(pathToFileURL(broken).toString());
      await session.open(broken, '[project]\ndependencies = ["barnacle",\nname = "x"\n');
      const diagnostics = (await published).diagnostics;
      assert.deepEqual(diagnostics.map((d) => [d.code, d.range.start.line]), [['syntax', 2]]);
      assert.match(diagnostics[0]?.message ?? '', /^not valid TOML: /);
    });

    it('flags no package as not installed without an active environment', async () => {
      const bare = tempDir();
      const alone = await startLsp(bare);
      try {
        const file = path.join(bare, 'pyproject.toml');
        const published = alone.nextDiagnostics(pathToFileURL(file).toString());
        await alone.open(file, '[project]\nname = "bare"\ndependencies = ["barnacle>=9", "flask~=2..0"]\n');
        assert.deepEqual((await published).diagnostics.map((d) => [d.code, d.range]), [['invalid-specifier', range(2, 32, 43)]]);
      } finally {
        await alone.close();
      }
    });
  });
});
