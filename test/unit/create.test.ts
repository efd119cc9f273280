import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancelledError, UserError } from '../../src/core/leaves/errors';
import { ProcessError, run } from '../../src/core/leaves/process';
import type { BaseInterpreter } from '../../src/core/parts/discovery/types';
import { createVenv } from '../../src/core/orchestrations/create';
import { baseInterpreter, processesMentioning, pyenvPython, tempDir } from '../fixtures/machine';
import { silentIndex } from '../fixtures/index';
import { useHermeticPip } from '../fixtures/pipEnv';
import { buildWheels, DEMO_PACKAGES } from '../fixtures/wheels';

useHermeticPip();

const interpreter = baseInterpreter;

/** A project folder holding fixture wheels and a requirements file that points pip only at them. */
function project(dir: string, requirements = 'pilotfish==1.0.0'): string {
  buildWheels(path.join(dir, 'wheels'), DEMO_PACKAGES);
  const file = path.join(dir, 'requirements.txt');
  writeFileSync(file, `--no-index\n--find-links wheels\n${requirements}\n`);
  return file;
}

async function assertWorkingVenv(dir: string, { consoleScript = true } = {}): Promise<void> {
  const python = path.join(dir, 'bin', 'python');
  const { stdout: pip } = await run([python, '-m', 'pip', '--version']);
  assert.ok(pip.includes(path.join(dir, 'lib')), `pip runs from the venv: ${pip}`);
  const { stdout } = await run([python, '-c', 'import sys, pilotfish, remora; print(sys.prefix == sys.base_prefix, pilotfish.__version__, remora.__version__)']);
  assert.equal(stdout, 'False 1.0.0 0.3.0');
  if (!consoleScript) return;
  const { stdout: script } = await run([path.join(dir, 'bin', 'pilotfish')]);
  assert.equal(script, 'pilotfish 1.0.0 with remora 0.3.0');
}

// Newest and oldest Python 3 here, plus Debian's own python3 (pip comes from /usr/share/python-wheels).
const cases = [
  ['3.13', pyenvPython('3.13')],
  ['3.6', pyenvPython('3.6')],
  ['Debian python3', existsSync('/usr/bin/python3') ? '/usr/bin/python3' : undefined],
] as const;

describe('create: venv + offline pip seed + requirements, on real interpreters', () => {
  for (const [name, exe] of cases) {
    it(`works offline with ${name}`, { skip: !exe && `${name} is not installed here` }, async () => {
      const dir = tempDir();
      const requirements = project(dir);
      const steps: string[] = [];
      const created = await createVenv({ interpreter: await interpreter(exe as string), dest: path.join(dir, '.venv'), requirements: [requirements], onProgress: (step) => steps.push(step) });
      assert.equal(created.python, path.join(dir, '.venv', 'bin', 'python'));
      assert.equal(created.seeded[0]?.project, 'pip');
      assert.match(path.basename(created.seeded[0]?.wheel ?? ''), /^pip-.*\.whl$/);
      assert.deepEqual([...new Set(steps)], ['create', 'seed', 'install']);
      await assertWorkingVenv(created.dir);
    });
  }

  it('handles paths with spaces and quotes', { skip: !pyenvPython('3.12') && 'Python 3.12 is not installed here' }, async () => {
    for (const name of [`it's a dir`, `a "quoted" dir`]) {
      const dir = path.join(tempDir(), name);
      mkdirSync(dir);
      const requirements = project(dir);
      const created = await createVenv({ interpreter: await interpreter(pyenvPython('3.12') as string), dest: path.join(dir, 'my env'), requirements: [requirements] });
      // pip's console-script launcher for such paths (`'''exec' "PATH"`) cannot hold a double quote.
      await assertWorkingVenv(created.dir, { consoleScript: !name.includes('"') });
    }
  });
});

describe('create: bad input loses nothing', () => {
  const exe = pyenvPython('3.12') ?? '/usr/bin/python3';
  let base: BaseInterpreter;
  before(async () => {
    base = await interpreter(exe);
  });

  it('refuses a folder that is not empty, and leaves its files alone', async () => {
    const dest = path.join(tempDir(), 'busy');
    mkdirSync(dest);
    writeFileSync(path.join(dest, 'notes.txt'), 'mine');
    await assert.rejects(createVenv({ interpreter: base, dest }), (e: unknown) => e instanceof UserError && /already exists and is not empty/.test(e.message));
    await assert.rejects(createVenv({ interpreter: base, dest, clear: true }), /is not a virtual environment \(no pyvenv\.cfg\); refusing to delete it/);
    assert.deepEqual(readdirSync(dest), ['notes.txt']);
    assert.equal(readFileSync(path.join(dest, 'notes.txt'), 'utf8'), 'mine');
  });

  it('replaces an existing venv only with clear', async () => {
    const dest = path.join(tempDir(), '.venv');
    await createVenv({ interpreter: base, dest });
    writeFileSync(path.join(dest, 'marker'), '');
    await assert.rejects(createVenv({ interpreter: base, dest }), /already exists/);
    await createVenv({ interpreter: base, dest, clear: true });
    assert.equal(existsSync(path.join(dest, 'marker')), false);
    assert.ok(existsSync(path.join(dest, 'bin', 'pip')));
  });

  it('checks the requirements files exist before creating anything', async () => {
    const dest = path.join(tempDir(), '.venv');
    await assert.rejects(createVenv({ interpreter: base, dest, requirements: ['/nonexistent/requirements.txt'] }), /Requirements file \/nonexistent\/requirements\.txt does not exist/);
    assert.equal(existsSync(dest), false);
  });

  it("shows pip's own reason when a requirement cannot be installed, and keeps the working venv", async () => {
    const dir = tempDir();
    const requirements = project(dir, 'no-such-package==1.0');
    const dest = path.join(dir, '.venv');
    const error = await createVenv({ interpreter: base, dest, requirements: [requirements] }).catch((e: unknown) => e);
    assert.ok(error instanceof ProcessError);
    assert.match(error.message, /ERROR: No matching distribution found for no-such-package==1\.0$/);
    await run([path.join(dest, 'bin', 'python'), '-m', 'pip', '--version']);
  });

  it('refuses Python 2.7, which has no venv module', { skip: !pyenvPython('2.7') && 'Python 2.7 is not installed here' }, async () => {
    const dest = path.join(tempDir(), '.venv');
    await assert.rejects(createVenv({ interpreter: await interpreter(pyenvPython('2.7') as string), dest }), /Python 2\.7\.\d+ at .* cannot create virtual environments \(no venv module\); choose Python 3\.3 or newer/);
    assert.equal(existsSync(dest), false);
  });
});

describe('create: cancellation', () => {
  const index = silentIndex();
  before(() => index.listen());
  after(() => index.close());

  it('aborting during the install kills pip and says the venv itself exists', async () => {
    const dir = tempDir();
    const requirements = path.join(dir, 'requirements.txt');
    writeFileSync(requirements, `--index-url ${index.url()}\npilotfish\n`);
    const controller = new AbortController();
    const dest = path.join(dir, '.venv');
    const creating = createVenv({
      interpreter: await interpreter(pyenvPython('3.12') ?? '/usr/bin/python3'),
      dest,
      requirements: [requirements],
      signal: controller.signal,
      onProgress: (step) => step === 'install' && setTimeout(() => controller.abort(), 500),
    });
    await assert.rejects(creating, (e: unknown) => e instanceof CancelledError && /Installing requirements into .* \(the venv itself was created; create continues it\) was cancelled/.test(e.message));
    assert.deepEqual(processesMentioning(dest), [], 'no process of the venv is left running');
  });

  it('aborting before seeding finishes removes the half-made venv', async () => {
    const dest = path.join(tempDir(), '.venv');
    const controller = new AbortController();
    const creating = createVenv({ interpreter: await interpreter(pyenvPython('3.12') ?? '/usr/bin/python3'), dest, signal: controller.signal, onProgress: (step) => step === 'seed' && controller.abort() });
    await assert.rejects(creating, CancelledError);
    assert.equal(existsSync(dest), false);
  });
});
