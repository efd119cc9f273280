import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { discoverInterpreters } from '../../src/core/parts/discovery/discover';
import { pathLocator, workspaceLocator } from '../../src/core/parts/discovery/locators';
import type { Interpreter } from '../../src/core/parts/discovery/types';
import { run } from '../../src/core/leaves/process';
import { buildHangingBinary, buildSetsidBinary, linkInterpreter, processesMentioning, pyenvPython, pyenvVersions, PYENV_VERSIONS, tempDir, writeScript } from '../fixtures/machine';

const home = path.dirname(path.dirname(PYENV_VERSIONS));
const python = pyenvPython('3.12') ?? '/usr/bin/python3';

describe('discovery on this machine (real interpreters)', () => {
  let cacheFile: string;
  let first: Awaited<ReturnType<typeof discoverInterpreters>>;
  const options = () => ({ env: { PATH: '/usr/local/bin:/usr/bin:/bin' }, home, cacheFile });

  before(async () => {
    cacheFile = path.join(tempDir(), 'cache', 'interpreters.json');
    first = await discoverInterpreters(options());
  });

  it('finds every pyenv version, each once, with its correct version', { skip: pyenvVersions().length === 0 && 'no pyenv versions here' }, () => {
    for (const version of pyenvVersions()) {
      const matches = first.interpreters.filter((i) => i.realPath === realpathSync(path.join(PYENV_VERSIONS, version, 'bin', 'python')));
      assert.equal(matches.length, 1, `pyenv ${version} is listed once`);
      const [found] = matches as [Interpreter];
      assert.equal(found.version, version);
      assert.equal(found.kind, 'pyenv');
      assert.equal(found.envName, version);
      assert.equal(found.isVenv, false);
      assert.ok(found.paths.stdlib, 'sysconfig paths are reported');
    }
  });

  it("lists Debian's /usr/bin/python3 exactly once, under its generic name", { skip: !existsSync('/usr/bin/python3') && 'no /usr/bin/python3' }, async () => {
    const matches = first.interpreters.filter((i) => i.realPath === realpathSync('/usr/bin/python3'));
    assert.equal(matches.length, 1);
    assert.equal(matches[0]?.path, '/usr/bin/python3', 'python3 is preferred over python3.11 for the same binary');
    assert.equal(matches[0]?.version, (await run(['/usr/bin/python3', '-c', 'import platform; print(platform.python_version())'])).stdout);
  });

  it('sorts newest first, then by locator priority', () => {
    const keys = first.interpreters.map((i) => i.versionInfo[0] * 10000 + i.versionInfo[1] * 100 + i.versionInfo[2]);
    assert.deepEqual(keys, [...keys].sort((a, b) => b - a));
  });

  it('a second discovery answers from the cache without running any probe', async () => {
    assert.ok(first.probesRun > 0);
    const second = await discoverInterpreters(options());
    assert.equal(second.probesRun, 0);
    assert.deepEqual(second.interpreters, first.interpreters);
  });

  it('streams each interpreter as soon as it is known', async () => {
    const streamed: string[] = [];
    const result = await discoverInterpreters({ ...options(), onInterpreter: (i) => streamed.push(i.path) });
    assert.deepEqual([...streamed].sort(), result.interpreters.map((i) => i.path).sort());
  });

  it('a corrupt or old-format cache is ignored and rewritten', async () => {
    for (const content of ['{"version": 1, "entries": {"/x": ', JSON.stringify({ version: 0, entries: {} })]) {
      const file = path.join(tempDir(), 'interpreters.json');
      writeFileSync(file, content);
      const result = await discoverInterpreters({ ...options(), cacheFile: file });
      assert.ok(result.probesRun > 0);
      assert.equal(JSON.parse(readFileSync(file, "utf8")).version, 4);
      assert.equal((await discoverInterpreters({ ...options(), cacheFile: file })).probesRun, 0);
    }
  });

  it('an upgraded interpreter invalidates only its own entry', async () => {
    const bin = path.join(tempDir(), 'bin');
    const exe = path.join(bin, 'python3');
    mkdirSync(bin);
    copyFileSync('/bin/false', exe);
    const file = path.join(tempDir(), 'cache.json');
    const opts = { env: { PATH: bin }, home: tempDir(), cacheFile: file, locators: [pathLocator] };
    assert.equal((await discoverInterpreters(opts)).probesRun, 1);
    assert.equal((await discoverInterpreters(opts)).probesRun, 0, 'a broken interpreter is cached too, so warm discovery never waits on it');
    copyFileSync('/bin/true', exe);
    assert.equal((await discoverInterpreters(opts)).probesRun, 1);
  });

  it('concurrent writers (two windows and the CLI) never corrupt the cache file', async () => {
    const file = path.join(tempDir(), 'interpreters.json');
    const writer = path.resolve(import.meta.dirname, '..', 'fixtures', 'cacheWriter.ts');
    const writers = [1, 2, 3].map((id) => run([process.execPath, '--import', 'tsx', writer, file, String(id), '60']));
    let reads = 0;
    const reading = (async () => {
      while (reads < 400) {
        if (existsSync(file)) JSON.parse(readFileSync(file, 'utf8'));
        reads++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    await Promise.all([...writers, reading]);
    // Every read above parsed. A racing writer may drop another's newest entry (it is probed again
    // next time), but the file is always whole.
    const entries = Object.keys(JSON.parse(readFileSync(file, 'utf8')).entries);
    assert.ok(entries.length >= 60, `the file holds a writer's full run at least (${entries.length} entries)`);
  });
});

describe('discovery never hangs and reports every broken interpreter with its reason', () => {
  it('hung, garbage, failing and broken-link interpreters are reported; healthy ones behind them are still found', async () => {
    const root = tempDir();
    const bin = path.join(root, 'bin');
    // Six hanging "interpreters" against a pool of two: slots must free up for the healthy one.
    for (const n of ['2.1', '2.2', '2.3', '2.4', '2.5', '2.6']) writeScript(path.join(bin, `python${n}`), `sleep 60 # ${root}`);
    writeScript(path.join(bin, 'pypy'), 'echo this is not json');
    copyFileSync('/bin/false', path.join(bin, 'pypy3'));
    symlinkSync(path.join(root, 'gone', 'python3'), path.join(bin, 'python3.0'));
    linkInterpreter(python, path.join(bin, 'python3.9'));
    const result = await discoverInterpreters({ env: { PATH: bin }, home: root, probeTimeoutMs: 3000, concurrency: 2, locators: [pathLocator] });
    assert.deepEqual(result.interpreters.map((i) => i.path), [path.join(bin, 'python3.9')], 'the healthy interpreter is found');
    const messages = Object.fromEntries(result.problems.map((p) => [path.basename(p.path), p.message]));
    for (const n of ['2.1', '2.2', '2.3', '2.4', '2.5', '2.6']) assert.equal(messages[`python${n}`], `Interpreter ${path.join(bin, `python${n}`)} is not responding: no answer within 3 s, so it was stopped`);
    assert.match(messages.pypy ?? '', /answered the probe with unexpected output: this is not json/);
    assert.match(messages.pypy3 ?? '', /exited with code 1/);
    assert.equal(messages['python3.0'], `Interpreter ${path.join(bin, 'python3.0')} is a broken link`);
    assert.deepEqual(processesMentioning(`sleep 60 # ${root}`), [], 'hung probes were killed');
  });

  it('an interpreter whose child leaves the process group (setsid) and keeps stdout open is reported at the deadline, and the child is killed', async (t) => {
    const root = tempDir();
    const exe = await buildSetsidBinary(path.join(root, 'bin'), 'python3');
    if (!exe) return t.skip('no C compiler (cc) to build the setsid fixture');
    const started = Date.now();
    const result = await discoverInterpreters({ env: { PATH: path.join(root, 'bin') }, home: root, probeTimeoutMs: 1000, locators: [pathLocator] });
    const took = Date.now() - started;
    assert.ok(took < 2500, `discovery returned after ${took} ms, for a 1 s deadline`);
    assert.deepEqual(result.problems.map((p) => [p.message, p.transient]), [[`Interpreter ${exe} is not responding: no answer within 1 s, so it was stopped`, true]]);
    const child = Number(readFileSync(`${exe}.child`, 'utf8'));
    for (let i = 0; i < 40 && existsSync(`/proc/${child}`) && !/\) Z/.test(readFileSync(`/proc/${child}/stat`, 'utf8')); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!existsSync(`/proc/${child}`) || /\) Z/.test(readFileSync(`/proc/${child}/stat`, 'utf8')), 'the escaped child is gone');
  });

  it('60 hung interpreters first on PATH: every healthy one is still found within the 5 s deadline, and no timeout is cached', async (t) => {
    const root = tempDir();
    const dirs: string[] = [];
    for (let i = 0; i < 60; i++) {
      const dir = path.join(root, `hung-${i}`);
      writeScript(path.join(dir, 'python3'), `sleep 60 # ${root}`);
      dirs.push(dir);
    }
    const healthy = pyenvVersions().slice(0, 5).map((v, i) => linkInterpreter(path.join(PYENV_VERSIONS, v, 'bin', 'python'), path.join(root, `ok-${i}`, 'python3')));
    const cacheFile = path.join(root, 'cache', 'interpreters.json');
    const started = Date.now();
    const result = await discoverInterpreters({ env: { PATH: [...dirs, ...healthy.map((h) => path.dirname(h))].join(':') }, home: root, cacheFile, locators: [pathLocator] });
    const took = Date.now() - started;
    t.diagnostic(`discovery with 60 hung interpreters on PATH and a 5 s deadline took ${took} ms`);
    assert.deepEqual(result.interpreters.map((i) => i.path).sort(), [...healthy].sort(), 'every healthy interpreter is found');
    assert.equal(result.problems.filter((p) => p.transient).length, 60);
    assert.ok(took < 6500, `took ${took} ms`);
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as { entries: Record<string, { error?: string }> };
    assert.deepEqual(Object.values(cached.entries).filter((e) => e.error), [], 'no "not responding" is cached');
    assert.deepEqual(processesMentioning(`sleep 60 # ${root}`), [], 'hung probes were killed');
  });

  it('escape sequences an interpreter prints are escaped in the report, and many probes raise no listener warning', async () => {
    const root = tempDir();
    const bin = path.join(root, 'bin');
    writeScript(path.join(bin, 'python3'), `printf '\\033]0;pwned\\007\\033[2J'`);
    for (let i = 0; i < 15; i++) linkInterpreter(python, path.join(root, `more-${i}`, 'python3'));
    const warnings: string[] = [];
    const onWarning = (w: Error): number => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      const result = await discoverInterpreters({ env: { PATH: [bin, ...Array.from({ length: 15 }, (_, i) => path.join(root, `more-${i}`))].join(':') }, home: root, locators: [pathLocator], signal: controller.signal });
      const message = result.problems.find((p) => p.path === path.join(bin, 'python3'))?.message ?? '';
      assert.ok(!/[\x00-\x1f\x7f]/.test(message), JSON.stringify(message));
      assert.match(message, /\\x1b\]0;pwned\\x07\\x1b\[2J/);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a poisoned cache entry costs that entry, not every command', async () => {
    const root = tempDir();
    const cacheFile = path.join(root, 'interpreters.json');
    linkInterpreter(python, path.join(root, 'bin', 'python3'));
    const options = { env: { PATH: path.join(root, 'bin') }, home: root, cacheFile, locators: [pathLocator] };
    await discoverInterpreters(options);
    const doc = JSON.parse(readFileSync(cacheFile, 'utf8')) as { entries: Record<string, unknown> };
    const [exe] = Object.keys(doc.entries);
    doc.entries[exe ?? ''] = { ...(doc.entries[exe ?? ''] as object), info: null };
    doc.entries['/elsewhere/python'] = null;
    writeFileSync(cacheFile, JSON.stringify(doc));
    const result = await discoverInterpreters(options);
    assert.deepEqual(result.interpreters.map((i) => i.path), [path.join(root, 'bin', 'python3')]);
    assert.equal(result.probesRun, 1, 'the poisoned entry was probed again');
    assert.deepEqual(Object.keys((JSON.parse(readFileSync(cacheFile, 'utf8')) as { entries: object }).entries), [exe], 'and rewritten; the null entry is gone');
  });

  it('a cache that cannot be written: discovery works without it and says so once', async () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'a-file'), '');
    linkInterpreter(python, path.join(root, 'bin', 'python3'));
    const warnings: string[] = [];
    const result = await discoverInterpreters({ env: { PATH: path.join(root, 'bin') }, home: root, cacheFile: path.join(root, 'a-file', 'venv-pilot', 'interpreters.json'), locators: [pathLocator], onWarning: (m) => warnings.push(m) });
    assert.equal(result.interpreters.length, 1);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /could not be written \(a file is in the way of a folder\); discovery works without it/);
  });

  it('copes with a PATH folder of 2,000 files and with folders it cannot read', async () => {
    const root = tempDir();
    const crowded = path.join(root, 'crowded');
    mkdirSync(crowded);
    for (let i = 0; i < 2000; i++) writeFileSync(path.join(crowded, `tool-${i}`), '');
    linkInterpreter(python, path.join(crowded, 'python3'));
    const notAFolder = path.join(root, 'file');
    writeFileSync(notAFolder, '');
    const result = await discoverInterpreters({ env: { PATH: [path.join(root, 'missing'), notAFolder, crowded].join(':') }, home: root, locators: [pathLocator] });
    assert.deepEqual(result.interpreters.map((i) => i.path), [path.join(crowded, 'python3')]);
    assert.deepEqual(result.problems, []);
  });

  it('an unreadable folder is skipped, seen by an unprivileged user', { skip: !existsSync('/usr/bin/setpriv') && 'setpriv is not installed' }, async () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'locked'), { mode: 0o000 });
    const open = path.join(root, 'open');
    linkInterpreter('/usr/bin/python3', path.join(open, 'python3'));
    const script = `import { discoverInterpreters } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../src/core/parts/discovery/discover.ts'))};
import { pathLocator } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../src/core/parts/discovery/locators/index.ts'))};
const r = await discoverInterpreters({ env: { PATH: ${JSON.stringify(`${path.join(root, 'locked')}:${open}`)} }, home: ${JSON.stringify(root)}, locators: [pathLocator] });
console.log(JSON.stringify(r.interpreters.map((i) => i.path)));`;
    const file = path.join(root, 'check.mts');
    writeFileSync(file, script);
    const { chmodSync } = await import('node:fs');
    chmodSync(root, 0o755);
    chmodSync(file, 0o644);
    const { stdout } = await run(['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, '--import', 'tsx', file], { cwd: path.resolve(import.meta.dirname, '../..'), env: { HOME: root } });
    assert.deepEqual(JSON.parse(stdout), [path.join(open, 'python3')]);
  });
});

describe('workspaces', () => {
  it('lists workspace venvs separately from their base interpreter', async () => {
    const ws = tempDir();
    await run([python, '-m', 'venv', '--without-pip', path.join(ws, '.venv')]);
    const result = await discoverInterpreters({ env: { PATH: path.dirname(python) }, home: tempDir(), workspaceFolders: [ws], locators: [workspaceLocator, pathLocator] });
    const venv = result.interpreters.find((i) => i.inWorkspace);
    assert.equal(venv?.path, path.join(ws, '.venv', 'bin', 'python'));
    assert.equal(venv?.isVenv, true);
    assert.equal(venv?.kind, 'venv');
    assert.equal(venv?.envName, '.venv');
    assert.ok(result.interpreters.some((i) => !i.isVenv && i.realPath === realpathSync(python)), 'its base interpreter is listed too');
  });

  it('never runs anything inside an untrusted workspace, and says why', async (t) => {
    const evil = tempDir();
    mkdirSync(path.join(evil, '.venv'), { recursive: true });
    writeFileSync(path.join(evil, '.venv', 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.11.2\n');
    const canary = await buildHangingBinary(path.join(evil, '.venv', 'bin'), 'python');
    const onPath = await buildHangingBinary(path.join(evil, 'tools'), 'python3');
    if (!canary || !onPath) return t.skip('no C compiler (cc) to build canary binaries');
    const result = await discoverInterpreters({ env: { PATH: path.join(evil, 'tools') }, home: tempDir(), workspaceFolders: [evil], trustedWorkspace: false, probeTimeoutMs: 500, locators: [workspaceLocator, pathLocator] });
    const listed = result.interpreters.find((i) => i.inWorkspace);
    assert.equal(listed?.probed, false, 'listed from pyvenv.cfg alone');
    assert.equal(listed?.version, '3.11.2');
    assert.equal(existsSync(`${canary}.ran`), false, 'the workspace venv binary was never executed');
    assert.equal(existsSync(`${onPath}.ran`), false, 'a workspace binary reached through PATH was never executed either');
    assert.deepEqual(result.problems.map((p) => p.message), [`Interpreter ${onPath} is inside an untrusted workspace and was not run`]);
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

  it('excludePaths hides interpreters at or below them', async () => {
    const ws = tempDir();
    await run([python, '-m', 'venv', '--without-pip', path.join(ws, '.venv')]);
    const result = await discoverInterpreters({ env: {}, home: tempDir(), workspaceFolders: [ws], excludePaths: [path.join(ws, '.venv')], locators: [workspaceLocator] });
    assert.deepEqual(result.interpreters, []);
  });
});
