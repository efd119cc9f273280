/**
 * Creating a venv never loses or corrupts anything: one creator per folder, a killed or failed
 * creation can be continued, and a user's own folder is never deleted.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProcessError, run } from '../../src/core/leaves/process';
import { createVenv } from '../../src/core/orchestrations/create';
import { INCOMPLETE_MARK, lockPath, withDestinationLock } from '../../src/core/parts/venv/destination';
import { CancelledError } from '../../src/core/leaves/errors';
import { CLI, cliRunner } from '../fixtures/cli';
import { baseInterpreter, processesMentioning, pyenvPython, tempDir } from '../fixtures/machine';
import { serveIndex, silentIndex } from '../fixtures/index';
import { useHermeticPip } from '../fixtures/pipEnv';
import { buildWheels, DEMO_PACKAGES } from '../fixtures/wheels';

useHermeticPip();

const exe = pyenvPython('3.12') ?? '/usr/bin/python3';
const cacheHome = tempDir();
const cli = cliRunner(cacheHome);

async function assertWorks(venv: string): Promise<void> {
  const { stdout } = await run([path.join(venv, 'bin', 'python'), '-c', 'import sys, pip; print(sys.prefix)']);
  assert.equal(stdout, venv);
}

describe('one creator per folder', () => {
  for (const creator of ['builtin', 'venv-module'] as const) {
    it(`five creates of one folder at once (${creator} creator): exactly one reports Created, the others say it exists, and the venv works`, async () => {
      const dest = path.join(tempDir(), '.venv');
      const results = await Promise.all(Array.from({ length: 5 }, () => cli(['create', dest, '--python', exe, ...(creator === 'venv-module' ? ['--venv-module'] : [])])));
      const created = results.filter((r) => r.code === 0);
      assert.equal(created.length, 1, results.map((r) => r.stderr).join('\n'));
      assert.match(created[0]?.stdout ?? '', /^Created /);
      for (const loser of results.filter((r) => r.code !== 0)) assert.match(loser.stderr, /already exists and is not empty/);
      await assertWorks(dest);
      assert.equal(existsSync(path.join(dest, INCOMPLETE_MARK)), false, 'the finished venv carries no mark');
      assert.equal(existsSync(lockPath(dest)), false, 'the lock is gone');
    });
  }

  it('whatever moment a creation is killed (SIGKILL), the next create of that folder succeeds', async () => {
    await cli(['create', path.join(tempDir(), 'warm'), '--python', exe]);
    let unfinished = 0;
    for (let delay = 30; delay <= 250; delay += 5) {
      const dest = path.join(tempDir(), '.venv');
      // python -m venv takes tens of ms, so the kills that land mid-creation are mostly in its runs.
      const creator = delay % 10 === 0 ? ['--venv-module'] : [];
      const child = spawn(process.execPath, [CLI, 'create', dest, '--python', exe, ...creator], { env: { ...process.env, XDG_CACHE_HOME: cacheHome }, stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await exited;
      const left = existsSync(dest) ? readdirSync(dest) : [];
      if (left.includes(INCOMPLETE_MARK)) unfinished++;
      const next = await cli(['create', dest, '--python', exe, ...creator]);
      if (left.length > 0 && !left.includes(INCOMPLETE_MARK)) {
        assert.match(next.stderr, /already exists and is not empty/, 'the killed creation had finished');
      } else {
        assert.equal(next.code, 0, `killed after ${delay} ms, leaving [${left.join(', ')}]: ${next.stderr}`);
        if (left.includes(INCOMPLETE_MARK)) assert.match(next.stderr, /Replacing the unfinished venv at /);
      }
      await assertWorks(dest);
    }
    assert.ok(unfinished > 0, 'at least one kill landed in the middle of a creation');
  });

  it("a lock another machine holds is waited for while it is refreshed, and taken over once it is 10 s old", async () => {
    const dest = path.join(tempDir(), '.venv');
    mkdirSync(lockPath(dest));
    // pid 1 runs here too: only the host name says the holder is elsewhere.
    writeFileSync(path.join(lockPath(dest), 'owner'), '1 some-other-machine');
    let waited = 0;
    const signal = AbortSignal.timeout(600);
    await assert.rejects(withDestinationLock(dest, async () => 'ran', { signal, onWait: () => waited++ }), CancelledError);
    assert.equal(waited, 1, 'told once that it waits');
    const old = new Date(Date.now() - 11_000);
    utimesSync(lockPath(dest), old, old);
    assert.equal(await withDestinationLock(dest, async () => {
      assert.match(readFileSync(path.join(lockPath(dest), 'owner'), 'utf8'), new RegExp(`^${process.pid} `), 'the lock is ours now');
      return 'ran';
    }), 'ran');
    assert.equal(existsSync(lockPath(dest)), false, 'released');
  });

  it('a create whose requirements failed says the venv exists; the next create continues it without rebuilding', async () => {
    const dir = tempDir();
    buildWheels(path.join(dir, 'wheels'), DEMO_PACKAGES);
    const requirements = path.join(dir, 'requirements.txt');
    writeFileSync(requirements, '--no-index\n--find-links wheels\npilotfish==9.9\n');
    const dest = path.join(dir, '.venv');
    const interpreter = await baseInterpreter(exe);
    const error = await createVenv({ interpreter, dest, requirements: [requirements], cacheDir: path.join(cacheHome, 'seed') }).catch((e: unknown) => e);
    assert.ok(error instanceof ProcessError);
    assert.match(error.message, new RegExp(`^${dest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} was created, but installing its requirements failed \\(run create again to continue this venv, or sync it\\): .*No matching distribution found for pilotfish==9\\.9$`));
    await assertWorks(dest);
    const pipMarker = path.join(dest, 'kept.txt');
    writeFileSync(pipMarker, 'the venv is continued, not rebuilt\n');
    writeFileSync(requirements, '--no-index\n--find-links wheels\npilotfish==1.0.0\n');
    const progress: string[] = [];
    await createVenv({ interpreter, dest, requirements: [requirements], cacheDir: path.join(cacheHome, 'seed'), onProgress: (_step, m) => progress.push(m) });
    assert.ok(progress.some((m) => m.startsWith(`Continuing the venv at ${dest}`)), progress.join('\n'));
    assert.equal(readFileSync(pipMarker, 'utf8'), 'the venv is continued, not rebuilt\n');
    assert.equal((await run([path.join(dest, 'bin', 'python'), '-c', 'import pilotfish; print(pilotfish.__version__)'])).stdout, '1.0.0');
    assert.equal(existsSync(path.join(dest, INCOMPLETE_MARK)), false);
  });

  it("a user's folder without the mark is refused, with or without --clear, and keeps every file", async () => {
    const dest = path.join(tempDir(), 'mine');
    await run(['mkdir', '-p', path.join(dest, 'bin'), path.join(dest, 'lib')]);
    writeFileSync(path.join(dest, 'notes.txt'), 'mine\n');
    assert.match((await cli(['create', dest, '--python', exe])).stderr, /already exists and is not empty/);
    assert.match((await cli(['create', dest, '--python', exe, '--clear'])).stderr, /is not a virtual environment \(no pyvenv\.cfg\); refusing to delete it/);
    assert.deepEqual(readdirSync(dest).sort(), ['bin', 'lib', 'notes.txt']);
  });
});

describe('prompts and folder names that would break pyvenv.cfg', () => {
  it('a line break in --prompt is refused before anything is written', async () => {
    const dest = path.join(tempDir(), '.venv');
    const result = await cli(['create', dest, '--python', exe, '--prompt', 'demo\nhome = /tmp/evil']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /contains a control character \(a line break\?\); give it as one line of text/);
    assert.equal(existsSync(dest), false);
  });

  it("a prompt with quotes and backslashes is written as the stdlib venv writes it (Python's repr)", async () => {
    const prompt = `it's a "demo" \\ app`;
    const ours = path.join(tempDir(), 'ours');
    const theirs = path.join(tempDir(), 'theirs');
    assert.equal((await cli(['create', ours, '--python', exe, '--prompt', prompt])).code, 0);
    await run([exe, '-m', 'venv', '--without-pip', '--prompt', prompt, theirs]);
    const promptLine = (dir: string): string | undefined => readFileSync(path.join(dir, 'pyvenv.cfg'), 'utf8').split('\n').find((l) => l.startsWith('prompt = '));
    assert.equal(promptLine(ours), promptLine(theirs));
    const env = await cli(['env', ours, '--json']);
    assert.equal((JSON.parse(env.stdout) as { prompt: string }).prompt, prompt, 'read back as given');
  });
});

describe('discover --workspace DIR --untrusted', () => {
  it("lists the workspace's venv from pyvenv.cfg and never runs its interpreter", async () => {
    const workspace = tempDir();
    const venv = path.join(workspace, '.venv');
    await run(['mkdir', '-p', path.join(venv, 'bin')]);
    writeFileSync(path.join(venv, 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.11.2\n');
    const ran = path.join(workspace, 'ran');
    writeFileSync(path.join(venv, 'bin', 'python'), `#!/bin/sh\ntouch '${ran}'\nexit 1\n`, { mode: 0o755 });
    const untrusted = await cli(['discover', '--workspace', workspace, '--untrusted', '--json']);
    assert.equal(untrusted.code, 0, untrusted.stderr);
    const listed = (JSON.parse(untrusted.stdout) as { interpreters: { path: string; version: string; probed: boolean }[] }).interpreters.filter((i) => i.path.startsWith(workspace));
    assert.deepEqual(listed.map((i) => [i.path, i.version, i.probed]), [[path.join(venv, 'bin', 'python'), '3.11.2', false]]);
    assert.equal(existsSync(ran), false, 'the workspace interpreter was never executed');
    const text = await cli(['discover', '--workspace', workspace, '--untrusted']);
    assert.match(text.stdout, /\.venv\/bin\/python {2}\(\.venv\) {2}\[untrusted: not run\]$/m);
    await cli(['discover', '--workspace', workspace]);
    assert.equal(existsSync(ran), true, 'without --untrusted the workspace is trusted, as before');
  });
});

describe('the index is part of the venv', () => {
  it('sync uses the index create was given (credentials never stored), and sync accepts the same flags', async () => {
    const root = tempDir();
    const wheels = buildWheels(path.join(root, 'wheels'), [...DEMO_PACKAGES]);
    const index = await serveIndex(path.join(root, 'index'), wheels);
    try {
      const withCredentials = index.url.replace('http://', 'http://alice:s3cret@');
      writeFileSync(path.join(root, 'requirements.txt'), 'pilotfish==1.0.0\n');
      const dest = path.join(root, '.venv');
      const created = await cli(['create', dest, '--python', exe, '--index-url', withCredentials, '-r', path.join(root, 'requirements.txt')]);
      assert.equal(created.code, 0, created.stderr);
      const recorded = readFileSync(path.join(dest, '.venv-pilot-index.json'), 'utf8');
      assert.deepEqual(JSON.parse(recorded), { indexUrl: index.url });
      assert.doesNotMatch(recorded, /s3cret/);
      writeFileSync(path.join(root, 'requirements.txt'), 'pilotfish==1.0.0\nbarnacle\n');
      const synced = await cli(['sync', dest, '-r', path.join(root, 'requirements.txt')]);
      assert.equal(synced.code, 0, synced.stderr);
      assert.ok(index.requests.some((r) => r.startsWith('/simple/barnacle/')), 'barnacle came from the recorded index');
      await run([path.join(dest, 'bin', 'python'), '-c', 'import barnacle']);
    } finally {
      await index.server.stop();
    }
  });

  it('an index that cannot be reached is named as the cause, not the package', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const root = tempDir();
    writeFileSync(path.join(root, 'requirements.txt'), 'SQLAlchemy==2.1.1\n');
    const dest = path.join(root, '.venv');
    assert.equal((await cli(['create', dest, '--python', exe])).code, 0);
    const url = `http://127.0.0.1:${port}/simple`;
    const synced = await cli(['sync', dest, '-r', path.join(root, 'requirements.txt'), '--index-url', url], { env: { PIP_RETRIES: '1' } });
    assert.equal(synced.code, 1);
    assert.match(synced.stderr, new RegExp(`could not reach the index URL ${url.replace(/[.]/g, '\\.')} \\(NewConnectionError: \\[Errno 111\\] Connection refused\\); check the URL and the network\\. pip said: ERROR: No matching distribution found for SQLAlchemy==2\\.1\\.1`));
  });
});

describe('create without --python follows the project', () => {
  const versions = [pyenvPython('3.10'), pyenvPython('3.11'), pyenvPython('3.12')];
  const skip = versions.some((v) => !v) && 'needs Pythons 3.10, 3.11 and 3.12';

  async function createdVersion(project: string, extra: string[] = []): Promise<{ code: number; version?: string; stderr: string }> {
    const result = await cli(['create', path.join(project, '.venv'), '--json', ...extra]);
    return { code: result.code, stderr: result.stderr, ...(result.code === 0 ? { version: (JSON.parse(result.stdout) as { version: string }).version } : {}) };
  }

  it("picks the newest Python satisfying pyproject's requires-python, and says why", { skip }, async () => {
    const project = tempDir();
    writeFileSync(path.join(project, 'pyproject.toml'), '[project]\nname = "demo"\nversion = "1"\nrequires-python = ">=3.10,<3.12"\n');
    const { version, stderr } = await createdVersion(project);
    assert.match(version ?? '', /^3\.11\./);
    assert.match(stderr, /^Using Python 3\.11\.\d+ at .* \(newest Python satisfying requires-python >=3\.10,<3\.12\)$/m);
  });

  it('.python-version comes first; the folder of the -r file or --project is the project', { skip }, async () => {
    const project = tempDir();
    writeFileSync(path.join(project, 'pyproject.toml'), '[project]\nname = "demo"\nversion = "1"\nrequires-python = ">=3.10"\n');
    writeFileSync(path.join(project, '.python-version'), '3.10\n');
    writeFileSync(path.join(project, 'requirements.txt'), '');
    const elsewhere = tempDir();
    const viaRequirements = await cli(['create', path.join(elsewhere, 'a'), '--json', '-r', path.join(project, 'requirements.txt')]);
    assert.match((JSON.parse(viaRequirements.stdout) as { version: string }).version, /^3\.10\./, viaRequirements.stderr);
    const viaProject = await cli(['create', path.join(elsewhere, 'b'), '--json', '--project', project]);
    assert.match((JSON.parse(viaProject.stdout) as { version: string }).version, /^3\.10\./, viaProject.stderr);
  });

  it('a requires-python nothing here satisfies is an error naming what was found', async () => {
    const project = tempDir();
    writeFileSync(path.join(project, 'pyproject.toml'), '[project]\nname = "demo"\nversion = "1"\nrequires-python = ">=3.99"\n');
    const { code, stderr } = await createdVersion(project);
    assert.equal(code, 1);
    assert.match(stderr, /No interpreter found satisfies requires-python >=3\.99 \(from .*pyproject\.toml\); found [\d.]+(, [\d.]+)*\. Install one, or choose one with --python/);
    assert.equal(existsSync(path.join(project, '.venv')), false);
  });
});

describe('the folder the CLI runs in cannot stand in for pip or compileall', () => {
  /** A folder holding a fake `pip` package and a fake `compileall.py`, each leaving a mark when run. */
  function hostileFolder(): { dir: string; marks: () => string[] } {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'pip'));
    writeFileSync(path.join(dir, 'pip', '__init__.py'), '');
    writeFileSync(path.join(dir, 'pip', '__main__.py'), `open(${JSON.stringify(path.join(dir, 'fake-pip-ran'))}, 'w').close()\nprint("Successfully installed gamma")\n`);
    writeFileSync(path.join(dir, 'compileall.py'), `open(${JSON.stringify(path.join(dir, 'fake-compileall-ran'))}, 'w').close()\n`);
    writeFileSync(path.join(dir, 'venv.py'), `open(${JSON.stringify(path.join(dir, 'fake-venv-ran'))}, 'w').close()\n`);
    return { dir, marks: () => ['fake-pip-ran', 'fake-compileall-ran', 'fake-venv-ran'].filter((m) => existsSync(path.join(dir, m))) };
  }

  it('sync run from such a folder installs with the real pip', async () => {
    const { dir, marks } = hostileFolder();
    const wheels = path.join(tempDir(), 'wheels');
    buildWheels(wheels, DEMO_PACKAGES);
    writeFileSync(path.join(dir, 'requirements.txt'), `--no-index\n--find-links ${wheels}\npilotfish==1.0.0\n`);
    assert.equal((await cli(['create', path.join(dir, '.venv'), '--python', exe], { cwd: dir })).code, 0);
    const synced = await cli(['sync', '.venv', '-r', 'requirements.txt'], { cwd: dir });
    assert.equal(synced.code, 0, synced.stderr);
    assert.deepEqual(marks(), []);
    assert.equal((await run([path.join(dir, '.venv', 'bin', 'python'), '-c', 'import pilotfish; print(pilotfish.__version__)'])).stdout, '1.0.0');
  });

  it('create with an empty cache, run from such a folder, precompiles its seed image with the real compileall (and python -m venv is the real one)', async () => {
    const { dir, marks } = hostileFolder();
    const cache = tempDir();
    const isolatedCli = cliRunner(cache);
    for (const extra of [[], ['--venv-module']]) {
      const created = await isolatedCli(['create', path.join(dir, `.venv${extra.length}`), '--python', exe, ...extra], { cwd: dir });
      assert.equal(created.code, 0, created.stderr);
    }
    assert.deepEqual(marks(), []);
    const pycs = (await run(['find', cache, '-name', '*.pyc'])).stdout.split('\n').filter(Boolean);
    assert.ok(pycs.length > 100, `the seed image is precompiled (${pycs.length} .pyc files)`);
  });
});

describe('a CLI told to stop stops what it started', () => {
  const index = silentIndex();
  before(() => index.listen());
  after(() => index.close());

  for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    it(`${signal} during sync: pip's process tree is gone when the CLI exits, with code ${code}`, async () => {
      const root = tempDir();
      const dest = path.join(root, '.venv');
      assert.equal((await cli(['create', dest, '--python', exe])).code, 0);
      writeFileSync(path.join(root, 'requirements.txt'), 'pilotfish\n');
      const child = spawn(process.execPath, [CLI, 'sync', dest, '-r', path.join(root, 'requirements.txt'), '--index-url', index.url()], { env: { ...process.env, XDG_CACHE_HOME: cacheHome }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      for (let i = 0; i < 200 && processesMentioning(dest).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(processesMentioning(dest).length >= 1, 'pip is running');
      child.kill(signal);
      assert.equal(await exited, code, stderr);
      assert.deepEqual(processesMentioning(dest), [], 'no pip left running');
      assert.match(stderr, /was cancelled/);
    });
  }
});

describe('a cache folder that cannot be written', () => {
  /** A cache home the CLI cannot write: a plain file stands where its folder would go. */
  function blockedCacheHome(): string {
    const root = tempDir();
    writeFileSync(path.join(root, 'blocked'), '');
    return path.join(root, 'blocked', 'cache');
  }

  it('discover, find and create still work, each saying once that the cache could not be written', async () => {
    const blocked = cliRunner(blockedCacheHome());
    const discovered = await blocked(['discover', '--json']);
    assert.equal(discovered.code, 0, discovered.stderr);
    assert.ok((JSON.parse(discovered.stdout) as { interpreters: unknown[] }).interpreters.length > 0);
    assert.equal(discovered.stderr.match(/could not be written/g)?.length, 1, discovered.stderr);
    const found = await blocked(['find', '3']);
    assert.equal(found.code, 0, found.stderr);
    const dest = path.join(tempDir(), '.venv');
    const created = await blocked(['create', dest, '--python', exe]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /the cache folder .* cannot be written \(a file is in the way of a folder\); seeding without it, which is slower/);
    await assertWorks(dest);
  });

  it('a read-only file system is called that, not ENOENT', async (t) => {
    const mountPoint = tempDir();
    try {
      await run(['mount', '-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', mountPoint]);
    } catch {
      return t.skip('cannot mount a read-only tmpfs here (not root, or no mount permission)');
    }
    try {
      const readOnly = cliRunner(path.join(mountPoint, 'cache'));
      const discovered = await readOnly(['discover']);
      assert.equal(discovered.code, 0, discovered.stderr);
      assert.match(discovered.stderr, /could not be written \(read-only file system\)/);
      assert.doesNotMatch(discovered.stderr, /ENOENT/);
    } finally {
      await run(['umount', mountPoint]).catch(() => undefined);
    }
  });
});

describe('requirements files that are not files', () => {
  it('create -r /dev/zero and sync -r FIFO are refused at once, with the reason, and nothing is created', { timeout: 60_000 }, async () => {
    const root = tempDir();
    const dest = path.join(root, '.venv');
    const zero = await cli(['create', dest, '--python', exe, '-r', '/dev/zero']);
    assert.equal(zero.code, 1);
    assert.match(zero.stderr, /\/dev\/zero.*not a regular file/);
    assert.equal(existsSync(dest), false);
    assert.equal((await cli(['create', dest, '--python', exe])).code, 0);
    const fifo = path.join(root, 'requirements.txt');
    await run(['mkfifo', fifo]);
    const synced = await cli(['sync', dest, '-r', fifo]);
    assert.equal(synced.code, 1);
    assert.match(synced.stderr, /not a regular file \(a FIFO\)/);
  });
});

describe('discovery under load', () => {
  it('8 creates at once on an empty cache all find their interpreter, and nothing is cached as not responding', { skip: !pyenvPython('3.12') && 'Python 3.12 is not installed here' }, async () => {
    const cache = tempDir();
    const busy = cliRunner(cache);
    const root = tempDir();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => busy(['create', path.join(root, `v${i}`), '--python', '3.12'])));
    assert.deepEqual(results.map((r) => r.code), [0, 0, 0, 0, 0, 0, 0, 0], results.map((r) => r.stderr).join('\n'));
    const entries = (JSON.parse(readFileSync(path.join(cache, 'venv-pilot', 'interpreters.json'), 'utf8')) as { entries: Record<string, { error?: string }> }).entries;
    assert.deepEqual(Object.values(entries).filter((e) => /not responding/.test(e.error ?? '')), []);
    assert.equal((await busy(['find', '3.12'])).code, 0);
  });
});
