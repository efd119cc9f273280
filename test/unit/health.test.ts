import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { freezeVenv, looksFrozen } from '../../src/core/orchestrations/freeze';
import { stampIsCurrent, writeStamp, requirementsHash } from '../../src/core/parts/syncPlan';
import { venvHealth } from '../../src/core/parts/venv/health';
import { markIncomplete } from '../../src/core/parts/venv/destination';
import { createVenv } from '../../src/core/orchestrations/create';
import { OwnWrites } from '../../src/extension/ownWrites';
import { baseInterpreter, pyenvPython, tempDir } from '../fixtures/machine';

describe('environment health', () => {
  it('notices a venv whose base interpreter was deleted', async () => {
    const exe = pyenvPython('3.12') ?? '/usr/bin/python3';
    const home = path.join(tempDir(), 'python-home', 'bin');
    mkdirSync(home, { recursive: true });
    const copy = path.join(home, 'python3');
    copyFileSync(exe, copy);
    const interpreter = { ...(await baseInterpreter(exe)), path: copy };
    const venv = await createVenv({ interpreter, dest: path.join(tempDir(), '.venv'), seed: [], cacheDir: path.join(tempDir(), 'cache') });
    assert.deepEqual(venvHealth(venv.dir), { ok: true });
    rmSync(path.dirname(home), { recursive: true });
    const health = venvHealth(venv.dir);
    assert.equal(health.ok, false);
    assert.match(!health.ok ? health.problem : '', /^The interpreter of \.venv is gone \(it came from .*python-home\/bin\); recreate the environment$/);
    assert.match((venvHealth(tempDir()) as { problem: string }).problem, /is not a virtual environment any more/);
  });

  it("says when a venv's creation did not finish; one whose requirements failed to install works", async () => {
    const exe = pyenvPython('3.12') ?? '/usr/bin/python3';
    const interpreter = await baseInterpreter(exe);
    const dir = tempDir();
    writeFileSync(path.join(dir, 'requirements.txt'), '--no-index\nno-such-thing==1.0\n');
    const dest = path.join(dir, '.venv');
    await assert.rejects(createVenv({ interpreter, dest, requirements: [path.join(dir, 'requirements.txt')], cacheDir: path.join(tempDir(), 'cache') }));
    assert.deepEqual(venvHealth(dest), { ok: true });
    // What a creation killed halfway leaves (the kill itself is tested in createSafety.test.ts).
    markIncomplete(dest, { stage: 'creating', executable: exe, version: interpreter.version });
    assert.deepEqual(venvHealth(dest), { ok: false, problem: 'Creating .venv did not finish; recreate the environment' });
  });

  it('notices a base interpreter upgraded underneath the venv', async () => {
    const exe = pyenvPython('3.12') ?? '/usr/bin/python3';
    const interpreter = await baseInterpreter(exe);
    const venv = await createVenv({ interpreter, dest: path.join(tempDir(), '.venv'), seed: [], cacheDir: path.join(tempDir(), 'cache') });
    assert.deepEqual(venvHealth(venv.dir, interpreter.versionInfo.slice(0, 3).join('.')), { ok: true });
    assert.match((venvHealth(venv.dir, '3.99.0') as { problem: string }).problem, /^\.venv was made with Python [\d.]+, but its base interpreter is now 3\.99\.0; recreate the environment$/);
  });

  it('a stamp is current until a requirements file or an include changes', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, '.venv'));
    const [root, include] = [path.join(dir, 'requirements.txt'), path.join(dir, 'base.txt')];
    writeFileSync(root, '-r base.txt\nflask\n');
    writeFileSync(include, 'requests\n');
    assert.equal(stampIsCurrent(path.join(dir, '.venv'), [root]), false, 'never synced');
    await writeStamp(path.join(dir, '.venv'), { requirementsHash: requirementsHash([root, include]), interpreter: 'x|3.12.1', files: [root, include] });
    assert.equal(stampIsCurrent(path.join(dir, '.venv'), [root]), true);
    writeFileSync(include, 'requests>=2\n');
    assert.equal(stampIsCurrent(path.join(dir, '.venv'), [root]), false, 'an include changed');
  });
});

describe('lock files', () => {
  it('tells a freeze from a hand-written file', async () => {
    const exe = pyenvPython('3.12') ?? '/usr/bin/python3';
    const venv = await createVenv({ interpreter: await baseInterpreter(exe), dest: path.join(tempDir(), '.venv'), cacheDir: path.join(tempDir(), 'cache') });
    assert.equal(looksFrozen(await freezeVenv(venv.dir, { all: true })), true);
    assert.equal(looksFrozen('pilotfish==1.0.0\nremora @ file:///w/remora-0.3.0-py3-none-any.whl\n# Editable install with no version control (x==1)\n-e /src/x\n'), true);
    assert.equal(looksFrozen('pilotfish>=1.0\n'), false, 'a range');
    assert.equal(looksFrozen('# pinned for the demo\npilotfish==1.0.0\n'), false, 'a comment of its own');
    assert.equal(looksFrozen('--no-index\npilotfish==1.0.0\n'), false, 'an option');
  });

  it('remembers what it wrote until someone else changes the file', () => {
    const file = path.join(tempDir(), 'requirements.lock');
    const own = new OwnWrites();
    writeFileSync(file, 'a==1\n');
    assert.equal(own.isOurs(file), false);
    own.record(file, 'a==1\n');
    assert.equal(own.isOurs(file), true);
    writeFileSync(file, 'a==2\n');
    assert.equal(own.isOurs(file), false, 'an edit by the user is not ours');
  });
});
