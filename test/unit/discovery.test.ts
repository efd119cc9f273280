import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { discoverInterpreters } from '../../src/core/discovery/discover';
import { INTERPRETER_NAME, pathLocator, pyenvLocator, workspaceLocator } from '../../src/core/discovery/locators';
import { parseSpec, pickInterpreter } from '../../src/core/discovery/spec';
import { run } from '../../src/core/process/run';
import { buildHangingBinary, pyenvVersions, PYENV_VERSIONS, tempDir } from '../fixtures/machine';

const home = path.dirname(path.dirname(PYENV_VERSIONS));

describe('locators (fixture trees, nothing is run)', () => {
  it('recognises interpreter names and nothing else', () => {
    for (const name of ['python', 'python3', 'python3.12', 'pypy', 'pypy3', 'pypy3.10']) assert.match(name, INTERPRETER_NAME);
    for (const name of ['python3-config', 'python3.12-config', 'pythonw', 'python-argcomplete-tcsh', 'pip3']) assert.doesNotMatch(name, INTERPRETER_NAME);
  });

  it('PATH: lists interpreters in each directory and skips the pyenv shims directory', () => {
    const root = tempDir();
    const bin = path.join(root, 'bin');
    const shims = path.join(root, '.pyenv', 'shims');
    for (const dir of [bin, shims]) mkdirSync(dir, { recursive: true });
    for (const name of ['python3', 'python3.12', 'python3-config']) writeFileSync(path.join(bin, name), '');
    writeFileSync(path.join(shims, 'python3'), '#!/usr/bin/env bash\nexec pyenv exec "$0" "$@"\n');
    const found = pathLocator({ env: { PATH: [shims, bin, 'relative/dir'].join(':') }, home: root, workspaceFolders: [] });
    assert.deepEqual(found.map((c) => path.basename(c.path)).sort(), ['python3', 'python3.12']);
    assert.ok(found.every((c) => c.source === 'path' && path.dirname(c.path) === bin));
  });

  it('pyenv: resolves versions directly under $PYENV_ROOT/versions, never the shims', () => {
    const root = tempDir();
    for (const v of ['3.12.1', '2.7.18']) {
      mkdirSync(path.join(root, 'versions', v, 'bin'), { recursive: true });
      writeFileSync(path.join(root, 'versions', v, 'bin', 'python'), '');
    }
    mkdirSync(path.join(root, 'versions', 'empty'), { recursive: true });
    const found = pyenvLocator({ env: { PYENV_ROOT: root }, home: '/nonexistent', workspaceFolders: [] });
    assert.deepEqual(found.map((c) => c.path).sort(), [path.join(root, 'versions/2.7.18/bin/python'), path.join(root, 'versions/3.12.1/bin/python')]);
  });

  it('workspace: finds .venv, venv and any child folder with a pyvenv.cfg', () => {
    const ws = tempDir();
    for (const dir of ['.venv', 'venv', 'envs-py312', 'src']) {
      mkdirSync(path.join(ws, dir, 'bin'), { recursive: true });
      writeFileSync(path.join(ws, dir, 'bin', 'python'), '');
    }
    writeFileSync(path.join(ws, 'envs-py312', 'pyvenv.cfg'), 'home = /usr/bin\n');
    const found = workspaceLocator({ env: {}, home: '/nonexistent', workspaceFolders: [ws] });
    assert.deepEqual(found.map((c) => path.relative(ws, c.path)).sort(), ['.venv/bin/python', 'envs-py312/bin/python', 'venv/bin/python']);
  });
});

describe('spec', () => {
  it('parses paths and version prefixes, and rejects anything else with a clear message', () => {
    assert.deepEqual(parseSpec('3.12'), { kind: 'version', parts: [3, 12] });
    assert.deepEqual(parseSpec('python3.12.1'), { kind: 'version', parts: [3, 12, 1] });
    assert.deepEqual(parseSpec('/usr/bin/python3'), { kind: 'path', path: '/usr/bin/python3' });
    assert.throws(() => parseSpec('snake'), /Cannot understand interpreter spec "snake": give a path or a version such as 3.12/);
  });
});

describe('discovery on this machine (real interpreters)', () => {
  let cacheFile: string;
  let first: Awaited<ReturnType<typeof discoverInterpreters>>;
  const options = () => ({ env: { PATH: '/usr/bin:/bin' }, home, cacheFile });

  before(async () => {
    cacheFile = path.join(tempDir(), 'cache', 'interpreters.json');
    first = await discoverInterpreters(options());
  });

  it('finds every pyenv version and reports each version correctly (2.7 through 3.13)', { skip: pyenvVersions().length === 0 && 'no pyenv versions here' }, () => {
    for (const version of pyenvVersions()) {
      const found = first.interpreters.find((i) => i.path === path.join(PYENV_VERSIONS, version, 'bin', 'python'));
      assert.ok(found, `pyenv ${version} was discovered`);
      assert.equal(found.version, version);
      assert.equal(found.source, 'pyenv');
      assert.equal(found.isVenv, false);
      assert.equal(found.implementation, 'CPython');
      assert.ok(found.paths.stdlib, 'sysconfig paths are reported');
    }
  });

  it('lists each real interpreter once, newest first', () => {
    const real = first.interpreters.map((i) => i.realPath);
    assert.equal(new Set(real).size, real.length, 'no real path twice');
    if (existsSync('/usr/bin/python3')) assert.equal(first.interpreters.filter((i) => i.realPath === realpathSync('/usr/bin/python3')).length, 1);
    const versions = first.interpreters.map((i) => i.versionInfo.slice(0, 3).join('.'));
    const sorted = [...first.interpreters].sort((a, b) => b.versionInfo[0] - a.versionInfo[0] || b.versionInfo[1] - a.versionInfo[1] || b.versionInfo[2] - a.versionInfo[2]);
    assert.deepEqual(versions, sorted.map((i) => i.versionInfo.slice(0, 3).join('.')));
  });

  it('a second discovery answers from the cache without running any probe', async () => {
    assert.ok(first.probesRun > 0);
    const second = await discoverInterpreters(options());
    assert.equal(second.probesRun, 0);
    assert.deepEqual(second.interpreters, first.interpreters);
  });

  it('picks the best base interpreter for a version spec', { skip: !pyenvVersions().some((v) => v.startsWith('3.')) && 'no Python 3 in pyenv' }, () => {
    const three = pickInterpreter(first.interpreters, [3]);
    assert.ok(three && three.versionInfo[0] === 3 && !three.isVenv);
    assert.equal(pickInterpreter(first.interpreters, [9, 9]), undefined);
  });
});

describe('discovery with broken interpreters and venvs', () => {
  it('reports a hanging interpreter after its timeout, keeps going, and re-probes it only when the file changes', async (t) => {
    const root = tempDir();
    const bin = path.join(root, 'bin');
    const hanging = await buildHangingBinary(bin, 'python3');
    if (!hanging) return t.skip('no C compiler (cc) to build a hanging binary');
    copyFileSync('/bin/false', path.join(bin, 'python2'));
    const cacheFile = path.join(root, 'cache.json');
    const options = { env: { PATH: bin }, home: root, cacheFile, probeTimeoutMs: 700, locators: [pathLocator] };
    const result = await discoverInterpreters(options);
    assert.equal(result.interpreters.length, 0);
    assert.deepEqual(result.problems.map((p) => p.message).sort(), [`Interpreter ${path.join(bin, 'python2')} exited with code 1`, `Interpreter ${hanging} did not finish within 0.7 s`]);
    assert.ok(existsSync(`${hanging}.ran`), 'the hanging binary really ran');

    const again = await discoverInterpreters(options);
    assert.equal(again.probesRun, 0, 'broken interpreters are cached too, so a warm discovery never waits on them');
    assert.equal(again.problems.length, 2);

    copyFileSync('/bin/true', path.join(bin, 'python2'));
    const changed = await discoverInterpreters(options);
    assert.equal(changed.probesRun, 1, 'only the changed file is probed again');
  });

  it('lists workspace venvs separately from their base interpreter, and never runs them in an untrusted workspace', async (t) => {
    const base = pyenvVersions().find((v) => v.startsWith('3.'));
    if (!base) return t.skip('no Python 3 in pyenv');
    const ws = tempDir();
    await run([path.join(PYENV_VERSIONS, base, 'bin', 'python'), '-m', 'venv', '--without-pip', path.join(ws, '.venv')]);
    const trusted = await discoverInterpreters({ env: {}, home, workspaceFolders: [ws] });
    const venv = trusted.interpreters.find((i) => i.source === 'workspace');
    assert.ok(venv, 'the workspace venv is listed');
    assert.equal(venv.isVenv, true);
    assert.equal(venv.prefix, realpathSync(path.join(ws, '.venv')));
    assert.equal(venv.version, base);
    assert.ok(trusted.interpreters.some((i) => i.path === path.join(PYENV_VERSIONS, base, 'bin', 'python')), 'its base interpreter is listed too');

    // An untrusted workspace's interpreter is a canary here: it would leave a mark if run.
    const evil = tempDir();
    mkdirSync(path.join(evil, '.venv'), { recursive: true });
    writeFileSync(path.join(evil, '.venv', 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.11.2\n');
    const canary = await buildHangingBinary(path.join(evil, '.venv', 'bin'), 'python');
    if (!canary) return t.skip('no C compiler (cc)');
    const onPath = await buildHangingBinary(path.join(evil, 'tools'), 'python3');
    const untrusted = await discoverInterpreters({ env: { PATH: path.join(evil, 'tools') }, home, workspaceFolders: [evil], trustedWorkspace: false, probeTimeoutMs: 500 });
    const listed = untrusted.interpreters.find((i) => i.source === 'workspace');
    assert.ok(listed, 'listed from pyvenv.cfg');
    assert.equal(listed.probed, false);
    assert.equal(listed.version, '3.11.2');
    assert.equal(existsSync(`${canary}.ran`), false, 'the workspace venv binary was never executed');
    assert.equal(existsSync(`${onPath}.ran`), false, 'a workspace binary reached through PATH was never executed either');
    assert.deepEqual(untrusted.problems.map((p) => p.message), [`Interpreter ${onPath} is inside an untrusted workspace and was not run`]);
  });

  it('reports a venv whose base interpreter is gone, instead of failing', async () => {
    const ws = tempDir();
    mkdirSync(path.join(ws, '.venv', 'bin'), { recursive: true });
    writeFileSync(path.join(ws, '.venv', 'pyvenv.cfg'), 'home = /nonexistent/bin\n');
    symlinkSync('/nonexistent/bin/python3', path.join(ws, '.venv', 'bin', 'python'));
    const result = await discoverInterpreters({ env: {}, home: ws, workspaceFolders: [ws], locators: [workspaceLocator] });
    assert.equal(result.interpreters.length, 0);
    assert.match(result.problems[0]?.message ?? '', /\.venv is broken: its interpreter link .* points to a file that no longer exists\. Recreate it\./);
  });
});
