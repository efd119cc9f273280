/**
 * Every script its own environment: PEP 723 blocks read as the PEP's reference reads them, an
 * identity per requirement set, interpreter and index, one creation however many first runs,
 * reuse without pip, pruning by age, and `venv-pilot run` passing arguments, input, exit codes
 * and signals through.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Hover } from 'vscode-languageserver-protocol';
import { before, describe, it } from 'node:test';
import { scriptInTerminalArgv } from '../../src/core/leaves/pythonScripts';
import { parseScriptMetadata } from '../../src/core/leaves/scriptMetadata';
import { ensureScriptEnv, listScriptEnvs, pruneScriptEnvs, SCRIPT_MANIFEST, scriptEnvIdentity, scriptRequirements } from '../../src/core/orchestrations/scriptEnv';
import type { BaseInterpreter } from '../../src/core/parts/discovery/types';
import { CLI, cliRunner } from '../fixtures/cli';
import { startLsp } from '../fixtures/lspClient';
import { baseInterpreter, pyenvPython, tempDir } from '../fixtures/machine';
import { hermeticPipEnv, useHermeticPip } from '../fixtures/pipEnv';
import { buildWheels, DEMO_PACKAGES } from '../fixtures/wheels';

useHermeticPip();

const exe = pyenvPython('3.12') ?? '/usr/bin/python3';

/** The PEP's own example (PEP 723, "Example"). */
const PEP_EXAMPLE = `# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "requests<3",
#   "rich",
# ]
# ///

import requests
from rich.pretty import pprint

resp = requests.get("https://peps.python.org/api/peps.json")
`;

describe('PEP 723 script metadata', () => {
  it("reads the PEP's example: dependencies with their ranges, and requires-python", () => {
    const metadata = parseScriptMetadata(PEP_EXAMPLE, '/s/example.py');
    assert.ok(metadata);
    assert.equal(metadata.requiresPython, '>=3.11');
    assert.deepEqual(metadata.block, { startLine: 0, endLine: 6 });
    const lines = PEP_EXAMPLE.split('\n');
    assert.deepEqual(metadata.dependencies.map((d) => [d.text, d.range.startLine, lines[d.range.startLine]?.slice(d.range.startCharacter, d.range.endCharacter)]), [['requests<3', 3, 'requests<3'], ['rich', 4, 'rich']]);
    assert.deepEqual(metadata.problems, []);
  });

  it('finds blocks exactly as the reference regex does', () => {
    const cases: [title: string, text: string, expected: string[] | undefined][] = [
      ['no block', 'import sys\n', undefined],
      ['an unclosed block is no block', '# /// script\n# dependencies = ["a"]\n', undefined],
      ['another TYPE is not a script block', '# /// pyproject\n# dependencies = ["a"]\n# ///\n', undefined],
      ['a lone # is an empty line of content', '# /// script\n# dependencies = [\n#\n#   "a",\n# ]\n# ///\n', ['a']],
      ['a line without "# " or "#" ends the content, so the block does not close', '# /// script\n# dependencies = ["a"]\nimport x\n# ///\n', undefined],
      ['the block may stand anywhere at top level', 'import x\n\n# /// script\n# dependencies = ["b"]\n# ///\n', ['b']],
      ['the content runs to the last "# ///" of the comment run', '# /// script\n# dependencies = ["a"]\n# ///\n# ///\n', undefined],
      ['CRLF line ends are not newlines to the regex', '# /// script\r\n# dependencies = ["a"]\r\n# ///\r\n', undefined],
      ['a space before # is not a block', ' # /// script\n # dependencies = ["a"]\n # ///\n', undefined],
    ];
    for (const [title, text, expected] of cases) {
      const metadata = parseScriptMetadata(text, '/s/x.py');
      // "the content runs..." holds invalid TOML ("///" on a content line): that is a problem, not dependencies.
      const found = metadata && metadata.problems.length === 0 ? metadata.dependencies.map((d) => d.text) : undefined;
      assert.deepEqual(found, expected, title);
    }
  });

  it('reports two script blocks, invalid TOML and wrong types, each at its line', () => {
    const twice = parseScriptMetadata(`${PEP_EXAMPLE}\n# /// script\n# dependencies = []\n# ///\n`, '/s/x.py');
    assert.deepEqual(twice?.problems.map((p) => [p.message, p.range.startLine]), [['Multiple script blocks found (PEP 723 allows one)', 13]]);
    const invalid = parseScriptMetadata('# /// script\n# dependencies = ["a",\n# requires-python = 3\n# ///\n', '/s/x.py');
    assert.match(invalid?.problems[0]?.message ?? '', /^The script block is not valid TOML/);
    const types = parseScriptMetadata('# /// script\n# dependencies = "a"\n# requires-python = 3.11\n# ///\n', '/s/x.py');
    assert.deepEqual(types?.problems.map((p) => [p.message, p.range.startLine, p.range.startCharacter]), [
      ['dependencies must be an array of strings (PEP 723)', 1, 17],
      ['requires-python must be a string (PEP 723)', 2, 20],
    ]);
  });

  it('a malformed dependency stops a run with its file and line', () => {
    const dir = tempDir();
    const script = path.join(dir, 'bad.py');
    writeFileSync(script, '# /// script\n# dependencies = ["remora >= 1 <= 2"]\n# ///\n');
    assert.throws(() => scriptRequirements(script), new RegExp(`^UserError: ${script.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: Invalid requirement`));
  });
});

describe('script environments', () => {
  let interpreter: BaseInterpreter;
  let wheels: string;

  before(async () => {
    interpreter = await baseInterpreter(exe);
    wheels = path.join(tempDir(), 'wheels');
    buildWheels(wheels, [...DEMO_PACKAGES, { name: 'wrasse', version: '0.2.0' }]);
  });

  const pip = (): { findLinks: string[]; offline: boolean } => ({ findLinks: [wheels], offline: true });

  it('the identity follows the normalised requirements, the interpreter and the index, not their spelling', () => {
    const dir = tempDir();
    const script = path.join(dir, 'tool.py');
    const identity = (block: string, python = { path: '/usr/bin/python3', version: '3.11.2' }, index = {}): string => {
      writeFileSync(script, `# /// script\n# dependencies = [${block}]\n# ///\n`);
      return scriptEnvIdentity(scriptRequirements(script), python, index);
    };
    const base = identity('"Remora >= 0.3", "pilotfish"');
    assert.equal(identity('"pilotfish", "remora>=0.3"'), base, 'order, case and spaces do not matter');
    assert.notEqual(identity('"pilotfish", "remora>=0.4"'), base, 'another specifier');
    assert.notEqual(identity('"Remora >= 0.3", "pilotfish"', { path: '/usr/bin/python3', version: '3.11.9' }), base, 'another interpreter version');
    assert.notEqual(identity('"Remora >= 0.3", "pilotfish"', { path: '/opt/python3', version: '3.11.2' }), base, 'another interpreter');
    assert.notEqual(identity('"Remora >= 0.3", "pilotfish"', undefined, { indexUrl: 'http://127.0.0.1:1/simple' }), base, 'another index');
    assert.equal(identity('"Remora >= 0.3", "pilotfish"', undefined, { indexUrl: 'http://user:secret@127.0.0.1:1/simple' }), identity('"Remora >= 0.3", "pilotfish"', undefined, { indexUrl: 'http://127.0.0.1:1/simple' }), 'credentials are not part of it');
  });

  it('requirements come from the block, else -r FILE, else a requirements.txt beside the script; a block with -r is refused', () => {
    const dir = tempDir();
    const script = path.join(dir, 'tool.py');
    writeFileSync(script, 'print(1)\n');
    assert.deepEqual(scriptRequirements(script), { script, source: 'none', requirements: [] });
    writeFileSync(path.join(dir, 'requirements.txt'), 'Pilotfish==1.0.0\n');
    assert.deepEqual(scriptRequirements(script).requirements, ['pilotfish==1.0.0']);
    writeFileSync(path.join(dir, 'other.txt'), 'remora\n');
    assert.equal(scriptRequirements(script, path.join(dir, 'other.txt')).requirementsFile, path.join(dir, 'other.txt'));
    writeFileSync(script, '# /// script\n# dependencies = ["wrasse"]\n# ///\n');
    assert.deepEqual(scriptRequirements(script).requirements, ['wrasse']);
    assert.throws(() => scriptRequirements(script, path.join(dir, 'other.txt')), /declares its dependencies in a PEP 723 "# \/\/\/ script" block; -r .* would be ignored/);
  });

  it('the first run creates and installs; later runs reuse it without starting pip; new requirements make a new one, the old one stays', async () => {
    const dir = tempDir();
    const cacheRoot = tempDir();
    const script = path.join(dir, 'tool.py');
    writeFileSync(script, '# /// script\n# dependencies = ["pilotfish"]\n# ///\nimport pilotfish\n');
    const commands: string[] = [];
    const first = await ensureScriptEnv({ requirements: scriptRequirements(script), interpreter, pip: pip(), cacheRoot, log: (c) => commands.push(c) });
    assert.equal(first.created, true);
    assert.ok(commands.some((c) => c.includes('pip') && c.includes('pilotfish')), 'pip installed the dependency');
    commands.length = 0;
    const again = await ensureScriptEnv({ requirements: scriptRequirements(script), interpreter, pip: pip(), cacheRoot, log: (c) => commands.push(c) });
    assert.deepEqual([again.dir, again.created, commands], [first.dir, false, []], 'no process at all on reuse');
    writeFileSync(script, '# /// script\n# dependencies = ["pilotfish", "wrasse"]\n# ///\nimport pilotfish, wrasse\n');
    const changed = await ensureScriptEnv({ requirements: scriptRequirements(script), interpreter, pip: pip(), cacheRoot });
    assert.notEqual(changed.dir, first.dir);
    assert.deepEqual(listScriptEnvs(cacheRoot).map((e) => e.dir).sort(), [first.dir, changed.dir].sort(), 'the old environment stays until pruned');
  });

  it('offline with a wheel missing: the run fails saying so, nothing is left marked ready, and the next run creates it', async () => {
    const dir = tempDir();
    const cacheRoot = tempDir();
    const script = path.join(dir, 'tool.py');
    writeFileSync(script, '# /// script\n# dependencies = ["kelp"]\n# ///\n');
    const lonely = path.join(tempDir(), 'wheels');
    buildWheels(lonely, [{ name: 'remora', version: '0.3.0' }]);
    const options = { requirements: scriptRequirements(script), interpreter, pip: { findLinks: [lonely], offline: true }, cacheRoot };
    await assert.rejects(ensureScriptEnv(options), /No matching distribution found for kelp/);
    assert.equal(listScriptEnvs(cacheRoot).some((e) => e.manifest), false);
    buildWheels(lonely, [{ name: 'kelp', version: '1.0.0' }]);
    assert.equal((await ensureScriptEnv(options)).created, true);
  });

  it('prunes what was not used for longer than the validity period, and keeps the rest', async () => {
    const cacheRoot = tempDir();
    const made = [];
    for (const name of ['old', 'fresh']) {
      const script = path.join(tempDir(), `${name}.py`);
      writeFileSync(script, 'print(1)\n');
      made.push(await ensureScriptEnv({ requirements: scriptRequirements(script), interpreter, cacheRoot }));
    }
    const [old, fresh] = made;
    const fortyDaysAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    utimesSync(path.join(old?.dir ?? '', SCRIPT_MANIFEST), fortyDaysAgo, fortyDaysAgo);
    assert.deepEqual(pruneScriptEnvs(30, { cacheRoot }).map((e) => e.dir), [old?.dir]);
    assert.equal(existsSync(old?.dir ?? ''), false);
    assert.deepEqual(listScriptEnvs(cacheRoot).map((e) => e.dir), [fresh?.dir]);
  });
});

describe('a script in an editor terminal', () => {
  it('runs as python SCRIPT does, then says how it exited and waits for Enter, exiting with its code', async () => {
    const script = path.join(tempDir(), 'tool.py');
    const cases: [body: string, code: number, out: RegExp, err: RegExp][] = [
      ['import sys\nprint(__name__, sys.argv, sys.path[0])\n', 0, /^__main__ \[.*tool\.py', 'a b'\] .*\n\n\[tool\.py exited with code 0\. Press Enter to close this terminal\.\]$/, /^$/],
      ['import sys\nsys.exit(3)\n', 3, /exited with code 3\./, /^$/],
      ['def f():\n    raise ValueError("boom")\nf()\n', 1, /exited with code 1\./, /^Traceback \(most recent call last\):\n  File ".*tool\.py", line 3, in <module>\n.*ValueError: boom\n$/s],
    ];
    for (const [body, code, out, err] of cases) {
      writeFileSync(script, body);
      const [python, ...args] = scriptInTerminalArgv(exe, script, ['a b']);
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(python as string, args);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        // Enter, as the user presses it to close the terminal.
        child.stdin.end('\n');
        child.on('close', (c) => resolve({ code: c, stdout, stderr }));
      });
      assert.equal(result.code, code, body);
      assert.match(result.stdout, out);
      assert.match(result.stderr, err, 'a traceback shows the script, not the runner');
      assert.doesNotMatch(result.stderr, /runpy/);
    }
  });
});

describe('venv-pilot run', () => {
  let wheels: string;
  before(() => {
    wheels = path.join(tempDir(), 'wheels');
    buildWheels(wheels, DEMO_PACKAGES);
  });

  /** Runs the CLI with piped stdin; resolves to the exit code and output. */
  function runCli(cacheHome: string, args: readonly string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: { ...hermeticPipEnv(), XDG_CACHE_HOME: cacheHome } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdin.end(input);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('passes arguments, stdin, stdout and the exit code through, without a shell', async () => {
    const cacheHome = tempDir();
    const script = path.join(tempDir('venv pilot "quoted" $dir-'), 'echo args.py');
    writeFileSync(script, '# /// script\n# dependencies = ["remora"]\n# ///\nimport sys, json, remora\nprint(json.dumps(sys.argv[1:], separators=(\",\", \":\")))\nprint(sys.stdin.read().upper(), end="")\nsys.exit(7)\n');
    const weird = ['a b', '"q"', '$HOME', '; rm -rf /', '--python', '-r'];
    const result = await runCli(cacheHome, ['run', script, '--find-links', wheels, '--offline', '--', ...weird], 'piped input\n');
    assert.equal(result.code, 7, result.stderr);
    assert.deepEqual(result.stdout.split('\n').slice(0, 2), [JSON.stringify(weird), 'PIPED INPUT']);
    assert.match(result.stderr, /Creating the environment of echo args\.py/);
    const second = await runCli(cacheHome, ['run', script, '--find-links', wheels, '--offline'], '');
    assert.equal(second.stderr, '', 'a warm run says nothing of its own');
  });

  it('a script ended by a signal exits 128 + N', async () => {
    const cacheHome = tempDir();
    const script = path.join(tempDir(), 'die.py');
    writeFileSync(script, 'import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n');
    assert.equal((await runCli(cacheHome, ['run', script])).code, 143);
  });

  it('two first runs at once create the environment once; both run', async () => {
    const cacheHome = tempDir();
    const script = path.join(tempDir(), 'twice.py');
    writeFileSync(script, '# /// script\n# dependencies = ["pilotfish"]\n# ///\nimport pilotfish\nprint("ran")\n');
    const [a, b] = await Promise.all([runCli(cacheHome, ['run', script, '--find-links', wheels, '--offline']), runCli(cacheHome, ['run', script, '--find-links', wheels, '--offline'])]);
    assert.deepEqual([a.code, b.code, a.stdout, b.stdout], [0, 0, 'ran\n', 'ran\n'], `${a.stderr}\n${b.stderr}`);
    const creations = [a.stderr, b.stderr].filter((s) => /Creating the environment/.test(s));
    assert.equal(creations.length, 1, 'exactly one of them created it');
    assert.equal(readdirSync(path.join(cacheHome, 'venv-pilot', 'scripts')).filter((n) => !n.startsWith('.')).length, 1);
  });

  it('scripts list and prune from the command line', async () => {
    const cacheHome = tempDir();
    const script = path.join(tempDir(), 'listed.py');
    writeFileSync(script, 'print(1)\n');
    const cli = cliRunner(cacheHome);
    assert.equal((await cli(['run', script])).code, 0);
    const listed = JSON.parse((await cli(['scripts', 'list', '--json'])).stdout) as { script: string; sizeBytes: number }[];
    assert.deepEqual(listed.map((e) => e.script), [script]);
    assert.ok((listed[0]?.sizeBytes ?? 0) > 0);
    assert.match((await cli(['scripts', 'prune'])).stdout, /No environment has been unused for over 30 days/);
    assert.match((await cli(['scripts', 'prune', '--max-age', '0'])).stdout, /Removed 1 environment unused for over 0 days/);
    assert.equal((await cli(['scripts', 'prune', '--max-age', 'soon'])).code, 2);
  });
});

describe('the language server on a script block', () => {
  it("checks the block's dependency strings against the environment the script last ran in, at their ranges", async () => {
    const xdg = tempDir();
    const dir = tempDir();
    const wheels = path.join(dir, 'wheels');
    buildWheels(wheels, DEMO_PACKAGES);
    const script = path.join(dir, 'tool.py');
    writeFileSync(script, '# /// script\n# dependencies = ["remora"]\n# ///\nimport remora\n');
    await ensureScriptEnv({ requirements: scriptRequirements(script), interpreter: await baseInterpreter(exe), pip: { findLinks: [wheels], offline: true }, cacheRoot: path.join(xdg, 'venv-pilot') });
    const session = await startLsp(dir, undefined, { env: { XDG_CACHE_HOME: xdg } });
    try {
      const uri = pathToFileURL(script).toString();
      const published = session.nextDiagnostics(uri);
      // Edited, not yet run: barnacle is new, and the pin does not match what the last run installed.
      await session.open(script, '# /// script\n# dependencies = [\n#   "remora==0.2.0",\n#   "barnacle",\n#   "bad ~= 1",\n# ]\n# ///\nimport remora\n');
      const { diagnostics } = await published;
      assert.deepEqual(
        diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character, d.range.end.character]),
        [
          ['version-mismatch', 2, 11, 18],
          ['not-installed', 3, 5, 13],
          ['invalid-specifier', 4, 5, 13],
        ],
      );
      assert.match(diagnostics[1]?.message ?? '', /^barnacle is not installed in tool-[0-9a-f]{16}$/);
      const hover = (await session.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 7 } })) as Hover;
      assert.match(JSON.stringify(hover.contents), /remora 0\.3\.0\*\* installed/);
      const actions = (await session.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]?.range, context: { diagnostics } })) as CodeAction[];
      assert.deepEqual(actions.map((a) => a.title).filter((t) => /Sync|Pin/.test(t)), ['Pin to installed version (==0.3.0)'], "a script's environment is not the workspace's to sync");
    } finally {
      await session.close();
    }
  });
});
