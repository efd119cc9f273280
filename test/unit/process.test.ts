import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CancelledError } from '../../src/core/leaves/errors';
import { killTreeCommand, lastMeaningfulLine, ProcessError, run, spawnOptionsFor } from '../../src/core/leaves/process';
import { tempDir } from '../fixtures/machine';

const python = '/usr/bin/python3';

/** True while a process with this pid exists. */
const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

describe('process runner', () => {
  it('passes arguments verbatim, never through a shell', async () => {
    const tricky = `it's "quoted" $HOME; rm -rf / \`x\``;
    const { stdout } = await run([python, '-c', 'import sys; print(sys.argv[1])', tricky]);
    assert.equal(stdout, tricky);
  });

  it('decodes the whole output as UTF-8, even multibyte characters split across chunks', async () => {
    const { stdout } = await run([python, '-c', 'import sys; sys.stdout.buffer.write(("ü🐍" * 40000).encode())']);
    assert.equal(stdout, 'ü🐍'.repeat(40000));
  });

  it('streams complete lines from stdout and stderr as they arrive', async () => {
    const lines: string[] = [];
    await run([python, '-c', 'import sys\nfor i in range(3): print("out", i, flush=True)\nsys.stderr.write("err\\n")'], { onLine: (l, s) => lines.push(`${s}:${l}`) });
    assert.deepEqual(lines.filter((l) => l.startsWith('stdout')), ['stdout:out 0', 'stdout:out 1', 'stdout:out 2']);
    assert.ok(lines.includes('stderr:err'));
  });

  it('logs each command line before running it', async () => {
    const logged: string[] = [];
    await run([python, '-c', 'pass', 'a b'], { log: (l) => logged.push(l) });
    assert.deepEqual(logged, [`${python} -c pass 'a b'`]);
  });

  it('reports a non-zero exit with the last ERROR line, the way pip prints its reason', async () => {
    const error = await run([python, '-c', 'import sys; print("Collecting x"); sys.stderr.write("ERROR: Could not find x\\nERROR: No matching distribution found for x\\n"); sys.exit(1)'], { what: 'pip install x' }).catch((e: unknown) => e);
    assert.ok(error instanceof ProcessError);
    assert.equal(error.message, 'pip install x exited with code 1: ERROR: No matching distribution found for x');
    assert.equal(error.exitCode, 1);
  });

  it('reports a program that does not exist as a clear error', async () => {
    const error = await run(['/nonexistent/python3', '-V']).catch((e: unknown) => e);
    assert.ok(error instanceof ProcessError);
    assert.equal(error.message, '`/nonexistent/python3 -V` could not start: /nonexistent/python3 does not exist');
  });

  it('cancelling kills the whole process tree, grandchildren included', async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, 'grandchild.pid');
    const controller = new AbortController();
    const script = `import subprocess, sys, time\np = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\nopen(${JSON.stringify(pidFile)}, 'w').write(str(p.pid))\ntime.sleep(60)`;
    const running = run([python, '-c', script], { signal: controller.signal });
    while (!existsSync(pidFile) || !readFileSync(pidFile, 'utf8')) await new Promise((r) => setTimeout(r, 50));
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(alive(grandchild));
    controller.abort();
    await assert.rejects(running, CancelledError);
    for (let i = 0; i < 100 && alive(grandchild); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(grandchild), false, 'the grandchild was killed with its parent');
  });

  it('a timeout kills the process and names the limit', async () => {
    const error = await run([python, '-c', 'import time; time.sleep(60)'], { timeoutMs: 300, what: 'Interpreter /usr/bin/python3' }).catch((e: unknown) => e);
    assert.ok(error instanceof ProcessError);
    assert.equal(error.timedOut, true);
    assert.equal(error.message, 'Interpreter /usr/bin/python3 did not finish within 0.3 s');
  });

  describe('a descendant that leaves the process group (setsid) and keeps the pipes open', () => {
    /** Python forking a child that calls setsid() and sleeps with stdout still open; the child's pid goes to `pidFile`. */
    const escapee = (pidFile: string, parentSleeps: number): string =>
      `import os, sys, time\npid = os.fork()\nif pid == 0:\n    os.setsid()\n    time.sleep(60)\n    os._exit(0)\nopen(${JSON.stringify(pidFile)}, 'w').write(str(pid))\nprint('parent done', flush=True)\ntime.sleep(${parentSleeps})`;

    it('a timeout ends the wait at the deadline and kills the escaped child too', async () => {
      const pidFile = path.join(tempDir(), 'escapee.pid');
      const started = Date.now();
      const error = await run([python, '-c', escapee(pidFile, 60)], { timeoutMs: 1000 }).catch((e: unknown) => e);
      const took = Date.now() - started;
      assert.ok(error instanceof ProcessError && error.timedOut, String(error));
      assert.ok(took < 1800, `reported after ${took} ms, for a 1000 ms deadline`);
      const escaped = Number(readFileSync(pidFile, 'utf8'));
      for (let i = 0; i < 40 && alive(escaped); i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(alive(escaped), false, 'the setsid child was found through /proc and killed');
    });

    it('a process that exits normally is reported once it has exited, whatever its escaped child holds', async () => {
      const pidFile = path.join(tempDir(), 'escapee.pid');
      const started = Date.now();
      const { stdout } = await run([python, '-c', escapee(pidFile, 0)]);
      assert.equal(stdout, 'parent done');
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    });
  });

  it('a process that ignores SIGTERM is still reported at its deadline', async () => {
    const started = Date.now();
    const error = await run([python, '-c', 'import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint("ready", flush=True)\ntime.sleep(60)'], { timeoutMs: 500 }).catch((e: unknown) => e);
    assert.ok(error instanceof ProcessError && error.timedOut);
    assert.ok(Date.now() - started < 1200, `reported after ${Date.now() - started} ms, for a 500 ms deadline`);
  });

  it('an already-aborted signal starts nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(run([python, '-c', 'pass'], { signal: controller.signal }), CancelledError);
  });

  it('picks the line a user needs from failed output', () => {
    assert.equal(lastMeaningfulLine('Collecting a\nERROR: first\nmore\nERROR: second\n\n'), 'ERROR: second');
    assert.equal(lastMeaningfulLine('Traceback\n  boom\nValueError: bad\n'), 'ValueError: bad');
    assert.equal(lastMeaningfulLine('\n\n'), undefined);
  });
});

describe('process model per platform', () => {
  it('simulation (Windows): the tree is killed by taskkill /T /F /PID, from System32, as an argv array', () => {
    assert.deepEqual(killTreeCommand(4242, 'win32', { SystemRoot: 'C:\\Windows' }), ['C:\\Windows\\System32\\taskkill.exe', '/T', '/F', '/PID', '4242']);
    assert.deepEqual(killTreeCommand(7, 'win32', { SYSTEMROOT: 'D:\\WINDOWS\\' }), ['D:\\WINDOWS\\System32\\taskkill.exe', '/T', '/F', '/PID', '7']);
    assert.deepEqual(killTreeCommand(7, 'win32', {}), ['C:\\Windows\\System32\\taskkill.exe', '/T', '/F', '/PID', '7']);
    // POSIX kills by signalling the process group: no command.
    assert.equal(killTreeCommand(4242, 'linux'), undefined);
    assert.equal(killTreeCommand(4242, 'darwin'), undefined);
  });

  it('simulation (Windows): children are hidden and not detached, except a hand-off', () => {
    assert.deepEqual(spawnOptionsFor('win32'), { detached: false, windowsHide: true });
    assert.deepEqual(spawnOptionsFor('win32', { handOff: true }), { detached: true, windowsHide: true });
    assert.deepEqual(spawnOptionsFor('linux'), { detached: true, windowsHide: true });
    assert.deepEqual(spawnOptionsFor('darwin'), { detached: true, windowsHide: true });
  });

  it('passes paths with spaces, ^, & and % to the program as they are (no shell anywhere)', async () => {
    const dir = path.join(tempDir(), 'My Files ^&%PATH%& 100%');
    mkdirSync(dir, { recursive: true });
    const script = path.join(dir, 'echo argv.py');
    writeFileSync(script, 'import json, os, sys\nprint(json.dumps([sys.argv[1:], os.getcwd()]))\n');
    const args = [`${dir}\\sub dir`, '^&|<>()%USERPROFILE%!', '"quoted" and \'single\''];
    const { stdout } = await run([python, script, ...args], { cwd: dir });
    assert.deepEqual(JSON.parse(stdout), [args, dir]);
  });
});
