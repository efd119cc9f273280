import assert from 'node:assert/strict';
import { mkdirSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BaseInterpreter } from '../../src/core/parts/discovery/types';
import { CancelledError, UserError } from '../../src/core/leaves/errors';
import { installedDistributions, readInstalled } from '../../src/core/parts/pip/installed';
import { freezeVenv } from '../../src/core/orchestrations/freeze';
import { syncVenv } from '../../src/core/orchestrations/sync';
import { run } from '../../src/core/leaves/process';
import { parseRequirementsFile } from '../../src/core/leaves/requirements/parser';
import { planSync, stampIsCurrent } from '../../src/core/parts/syncPlan';
import { createVenv, type CreatedVenv } from '../../src/core/orchestrations/create';
import { baseInterpreter, processesMentioning, pyenvPython, tempDir } from '../fixtures/machine';
import { silentIndex } from '../fixtures/index';
import { useHermeticPip } from '../fixtures/pipEnv';
import { buildWheels, DEMO_PACKAGES } from '../fixtures/wheels';
import { writeProject } from '../fixtures/projects';

useHermeticPip();

const exe = pyenvPython('3.12') ?? '/usr/bin/python3';
let interpreter: BaseInterpreter;
let wheels: string;
const cacheDir = path.join(tempDir(), 'cache');

before(async () => {
  interpreter = await baseInterpreter(exe);
  wheels = path.join(tempDir(), 'wheels');
  buildWheels(wheels, [
    ...DEMO_PACKAGES,
    { name: 'pilotfish', version: '2.0.0', requires: ['remora>=0.3', 'barnacle; extra == "shiny"'], extras: { shiny: ['barnacle'] } },
    { name: 'wrasse', version: '0.2.0', requires: ['remora; python_version < "3"'] },
    { name: 'only-windows', version: '1.0' },
  ]);
});

/** A venv with the demo packages, and a requirements file in its project folder. */
async function project(requirements: string): Promise<{ venv: CreatedVenv; file: string; sync: (extra?: Partial<Parameters<typeof syncVenv>[1]>) => ReturnType<typeof syncVenv>; commands: string[] }> {
  const dir = tempDir();
  const venv = await createVenv({ interpreter, dest: path.join(dir, '.venv'), cacheDir });
  const file = path.join(dir, 'requirements.txt');
  writeFileSync(file, `--no-index\n--find-links ${wheels}\n${requirements}`);
  const commands: string[] = [];
  const sync = (extra: Partial<Parameters<typeof syncVenv>[1]> = {}): ReturnType<typeof syncVenv> =>
    syncVenv(venv.dir, { requirements: [file], environment: interpreter.markerEnvironment ?? {}, interpreterIdentity: `${exe}|${interpreter.version}`, log: (c) => commands.push(c), ...extra });
  return { venv, file, sync, commands };
}

describe('sync plan', () => {
  it('installs what is missing or does not satisfy, skips what markers exclude, and leaves the rest', async () => {
    const { venv, file } = await project('pilotfish==1.0.0\nbarnacle\nonly-windows; sys_platform == "win32"\n');
    await run([venv.python, '-m', 'pip', 'install', '--no-index', '--find-links', wheels, 'pilotfish==2.0.0']);
    const plan = planSync(parseRequirementsFile(file), installedDistributions(venv.dir), interpreter.markerEnvironment ?? {});
    assert.deepEqual(plan.install.map((i) => [i.requirement.name, i.reason, i.installed]), [['pilotfish', 'version', '2.0.0'], ['barnacle', 'missing', undefined]]);
    assert.deepEqual(plan.skipped.map((r) => r.name), ['only-windows']);
    assert.deepEqual(plan.uninstall, []);
  });

  it('exact mode uninstalls only what nothing requires, following Requires-Dist with extras and markers', async () => {
    const { venv, file } = await project('pilotfish[shiny]==2.0.0\n');
    await run([venv.python, '-m', 'pip', 'install', '--no-index', '--find-links', wheels, 'pilotfish[shiny]==2.0.0', 'wrasse']);
    const plan = planSync(parseRequirementsFile(file), installedDistributions(venv.dir), interpreter.markerEnvironment ?? {}, { exact: true });
    assert.deepEqual(plan.install, []);
    assert.deepEqual(plan.uninstall.map((d) => d.name), ['wrasse'], 'remora and barnacle are required through pilotfish[shiny]; pip stays');
    assert.deepEqual(Object.fromEntries(plan.roles), { pilotfish: 'required', remora: 'dependency', barnacle: 'dependency', pip: 'tooling', wrasse: 'extra' }, 'why each distribution is there');
  });
});

describe('sync against real pip', () => {
  it('installs, stamps, then runs no pip at all when nothing changed', async () => {
    const { venv, file, sync, commands } = await project('pilotfish==1.0.0\n');
    assert.equal(stampIsCurrent(venv.dir, [file]), false);
    const progress: string[] = [];
    const first = await sync({ onProgress: (m) => progress.push(m) });
    assert.equal(first.install.length, 1);
    assert.ok(progress.some((m) => /^\[1\] (Collecting|Processing) pilotfish/.test(m)), progress.join('\n'));
    assert.ok(!progress.some((m) => m.startsWith('Requirement already satisfied')), 'the chatter stays out of the progress');
    assert.equal((await run([venv.python, '-c', 'import pilotfish; print(pilotfish.__version__)'])).stdout, '1.0.0');
    assert.equal(stampIsCurrent(venv.dir, [file]), true);
    const ran = commands.length;
    const stamp = path.join(venv.dir, '.venv-pilot-sync.json');
    const stamped = statSync(stamp).mtimeMs;
    const second = await sync();
    assert.equal(second.install.length, 0);
    assert.equal(commands.length, ran, 'no process was started');
    assert.equal(statSync(stamp).mtimeMs, stamped, 'nothing was written: the stamp already said so');
    writeFileSync(file, `${file.length ? '' : ''}--no-index\n--find-links ${wheels}\npilotfish==2.0.0\n`);
    assert.equal(stampIsCurrent(venv.dir, [file]), false, 'an edit makes the stamp stale');
  });

  it('refuses a file pip would reject, naming file and line, before running anything', async () => {
    const { file, sync, commands } = await project('pilotfish==1.0.0\nthis is not valid\n');
    await assert.rejects(sync(), (e: unknown) => e instanceof UserError && e.message.startsWith(`${file}:4: Invalid requirement: 'this is not valid': Expected end or semicolon`));
    assert.deepEqual(commands, []);
  });

  it("a failing install shows pip's error and leaves the venv usable", async () => {
    const { venv, sync } = await project('no-such-thing==1.0\n');
    await assert.rejects(sync(), /ERROR: No matching distribution found for no-such-thing==1\.0/);
    await run([venv.python, '-m', 'pip', '--version']);
  });

  describe('cancellation', () => {
    const index = silentIndex();
    before(() => index.listen());
    after(() => index.close());

    it('kills pip and leaves the venv as it was', async () => {
      const { venv, file, sync } = await project('');
      writeFileSync(file, `--index-url ${index.url()}\npilotfish\n`);
      const controller = new AbortController();
      const syncing = sync({ signal: controller.signal, onProgress: () => undefined });
      setTimeout(() => controller.abort(), 1500);
      await assert.rejects(syncing, CancelledError);
      assert.deepEqual(processesMentioning(venv.dir), []);
      await run([venv.python, '-m', 'pip', '--version']);
    });
  });
});

describe('a local project in the requirements (-e ., ./pkg[extra])', () => {
  /** A project folder holding `myproj` (requires remora; extra `dev` adds barnacle), its requirements file and a venv. */
  async function localProject(requirements: string): Promise<Awaited<ReturnType<typeof project>> & { dir: string }> {
    const setup = await project('');
    const dir = path.dirname(setup.file);
    writeProject(dir, 'myproj', '0.1.0', { requires: ['remora>=0.2'], extras: { dev: ['barnacle'] } });
    writeFileSync(setup.file, `--no-index\n--find-links ${wheels}\n${requirements}`);
    const sync: typeof setup.sync = (extra = {}) => setup.sync({ cwd: dir, ...extra });
    return { ...setup, sync, dir };
  }

  it('sync --exact keeps the editable project and every dependency of its extra, and uninstalls only the rest', async () => {
    const { venv, sync } = await localProject('-e .[dev]\n');
    await run([venv.python, '-m', 'pip', 'install', '--no-index', '--find-links', wheels, 'wrasse']);
    const plan = await sync({ exact: true });
    assert.deepEqual(plan.install.map((i) => i.requirement.text), ['.[dev]']);
    assert.deepEqual(plan.uninstall.map((d) => d.name), ['wrasse'], 'the project, remora and barnacle stay; only wrasse goes');
    const names = installedDistributions(venv.dir).map((d) => d.normalizedName).sort();
    assert.deepEqual(names, ['barnacle', 'myproj', 'pip', 'remora']);
    await run([venv.python, '-c', 'import myproj, remora, barnacle']);
  });

  it('a second sync of -e . starts no pip process, and an edit to pyproject.toml makes it install again', async () => {
    const { venv, sync, commands, dir } = await localProject('-e .\n');
    await sync({ exact: true });
    const ran = commands.length;
    const again = await sync({ exact: true });
    assert.deepEqual([again.install, again.uninstall], [[], []]);
    assert.equal(commands.length, ran, 'no pip ran');
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(dir, 'pyproject.toml'), later, later);
    const dry = await sync({ dryRun: true });
    assert.deepEqual(dry.install.map((i) => [i.requirement.text, i.reason]), [['.', 'changed']]);
    assert.ok(installedDistributions(venv.dir).some((d) => d.normalizedName === 'myproj'));
  });

  it('a requirement whose dependency is missing is installed again, so pip restores the dependency', async () => {
    const { venv, file, sync } = await project('pilotfish==1.0.0\n');
    await sync();
    await run([venv.python, '-m', 'pip', 'uninstall', '-y', 'remora']);
    const plan = planSync(parseRequirementsFile(file), installedDistributions(venv.dir), interpreter.markerEnvironment ?? {});
    assert.deepEqual(plan.install.map((i) => [i.requirement.name, i.reason]), [['pilotfish', 'dependency']]);
    await sync();
    await run([venv.python, '-c', 'import remora']);
  });
});

describe("pip's stash of an interrupted upgrade (~name.dist-info)", () => {
  it('is not a distribution: freeze leaves it out and warns as pip does, and sync installs the real one again', async () => {
    const { venv, file, sync } = await project('remora==0.3.0\n');
    await sync();
    const site = path.dirname(installedDistributions(venv.dir).find((d) => d.normalizedName === 'remora')?.location ?? '');
    // What pip leaves when killed between stashing the old version and installing the new one.
    renameSync(path.join(site, 'remora-0.3.0.dist-info'), path.join(site, '~emora-0.3.0.dist-info'));
    renameSync(path.join(site, 'remora'), path.join(site, '~emora'));
    const warnings: string[] = [];
    const ours = await freezeVenv(venv.dir, { onWarning: (m) => warnings.push(m) });
    const pip = await run([venv.python, '-m', 'pip', 'freeze']);
    assert.equal(ours, pip.stdout ? `${pip.stdout}\n` : '', 'the same lines as pip freeze');
    assert.doesNotMatch(ours, /remora/);
    assert.deepEqual(warnings, [`Ignoring invalid distribution ~emora (${site})`]);
    assert.match(pip.stderr, /Ignoring invalid distribution ~emora/, "pip's own warning, for comparison");
    assert.deepEqual(readInstalled(venv.dir).problems.map((p) => path.basename(p.location)), ['~emora-0.3.0.dist-info']);
    const plan = planSync(parseRequirementsFile(file), installedDistributions(venv.dir), interpreter.markerEnvironment ?? {});
    assert.deepEqual(plan.install.map((i) => [i.requirement.name, i.reason]), [['remora', 'missing']]);
    await sync();
    await run([venv.python, '-c', 'import remora']);
  });

  it('a dist-info whose METADATA has no Name is reported, not counted', async () => {
    const { venv } = await project('');
    const site = path.dirname(installedDistributions(venv.dir).find((d) => d.normalizedName === 'pip')?.location ?? '');
    mkdirSync(path.join(site, 'broken-1.0.dist-info'));
    writeFileSync(path.join(site, 'broken-1.0.dist-info', 'METADATA'), 'Metadata-Version: 2.1\nVersion: 1.0\n');
    const { distributions, problems } = readInstalled(venv.dir);
    assert.ok(!distributions.some((d) => d.version === '1.0'));
    assert.match(problems.map((p) => p.message).join('\n'), /broken-1\.0\.dist-info .*has no valid Name and Version/);
  });
});

describe('pip runs isolated from the folder it runs in', () => {
  it('a pip/ package in the working folder is not run: the real pip installs', async () => {
    const { venv, sync } = await project('pilotfish==1.0.0\n');
    const hostile = tempDir();
    mkdirSync(path.join(hostile, 'pip'));
    writeFileSync(path.join(hostile, 'pip', '__init__.py'), '');
    writeFileSync(path.join(hostile, 'pip', '__main__.py'), 'print("Successfully installed gamma")\n');
    await sync({ cwd: hostile });
    assert.equal((await run([venv.python, '-c', 'import pilotfish; print(pilotfish.__version__)'])).stdout, '1.0.0');
  });
});

describe('sync progress and turns', () => {
  it('progress is per package, pip warnings and errors included; "Requirement already satisfied" goes to the log only', async () => {
    const { file, sync } = await project('remora==0.3.0\n');
    await sync();
    writeFileSync(file, `--no-index\n--find-links ${wheels}\nremora==0.3.0\npilotfish==1.0.0\n`);
    const progress: string[] = [];
    const details: string[] = [];
    await sync({ onProgress: (m) => progress.push(m), onDetail: (l) => details.push(l) });
    assert.deepEqual(progress.filter((m) => m.startsWith('[')), ['[1] Processing pilotfish-1.0.0-py2.py3-none-any.whl']);
    assert.ok(progress.includes('Installing 1 package: pilotfish'), progress.join('\n'));
    assert.ok(progress.some((m) => m.startsWith('Successfully installed pilotfish-1.0.0')), progress.join('\n'));
    assert.ok(details.some((l) => l.startsWith('Requirement already satisfied: remora')), details.join('\n'));
    assert.ok(!progress.some((m) => m.startsWith('Requirement already satisfied')));
  });

  it('two syncs of one venv take turns: the second waits, says so, and finds nothing left to do', async () => {
    const { venv, sync } = await project('pilotfish==1.0.0\n');
    const secondProgress: string[] = [];
    const [first, second] = await Promise.all([sync({ onProgress: () => undefined }), new Promise((r) => setTimeout(r, 50)).then(() => sync({ onProgress: (m) => secondProgress.push(m) }))]);
    assert.equal(first.install.length, 1);
    assert.ok(secondProgress.some((m) => m.startsWith(`Waiting for another venv-pilot process that is changing ${venv.dir}`)), secondProgress.join('\n'));
    assert.deepEqual(second.install, [], 'planned again after waiting: the first sync did it all');
  });
});
