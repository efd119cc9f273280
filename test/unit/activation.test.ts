import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { activatedEnvironment, applyMutations } from '../../src/core/activation/environment';
import { run } from '../../src/core/process/run';
import { pyenvPython, tempDir } from '../fixtures/machine';

describe('activated environment', () => {
  it('prepends bin to PATH, sets VIRTUAL_ENV and VIRTUAL_ENV_PROMPT, and removes PYTHONHOME', () => {
    const venv = path.join(tempDir(), 'my project', '.venv');
    mkdirSync(venv, { recursive: true });
    writeFileSync(path.join(venv, 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.12.1\n');
    const activated = activatedEnvironment(venv);
    assert.equal(activated.prompt, '.venv');
    const env = applyMutations({ PATH: '/usr/bin:/bin', PYTHONHOME: '/opt/py', HOME: '/root' }, activated.mutations);
    assert.deepEqual(env, { PATH: `${venv}/bin:/usr/bin:/bin`, VIRTUAL_ENV: venv, VIRTUAL_ENV_PROMPT: '.venv', HOME: '/root' });
  });

  it("uses pyvenv.cfg's prompt when the venv was created with --prompt", async (t) => {
    const exe = pyenvPython('3.12');
    if (!exe) return t.skip('Python 3.12 is not installed here');
    const venv = path.join(tempDir(), '.venv');
    await run([exe, '-m', 'venv', '--without-pip', '--prompt', 'demo app', venv]);
    assert.equal(activatedEnvironment(venv).prompt, 'demo app');
  });

  it('a process started with the activated environment runs the venv interpreter by name', async (t) => {
    const exe = pyenvPython('3.12') ?? '/usr/bin/python3';
    const venv = path.join(tempDir(), '.venv');
    await run([exe, '-m', 'venv', '--without-pip', venv]).catch(() => undefined);
    if (!existsSync(path.join(venv, 'bin', 'python'))) return t.skip('no interpreter able to create a venv');
    const env = applyMutations(process.env, activatedEnvironment(venv).mutations);
    const { stdout } = await run(['python', '-c', 'import os, sys; print(sys.prefix, os.environ["VIRTUAL_ENV"])'], { env });
    assert.equal(stdout, `${venv} ${venv}`);
  });

  it('refuses a folder that is not a venv', () => {
    assert.throws(() => activatedEnvironment(tempDir()), /is not a virtual environment \(no pyvenv\.cfg\)/);
  });
});
