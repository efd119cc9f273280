/**
 * Dependency sources: what a folder offers (requirements files, a pyproject.toml project, its
 * extras and dependency groups), what a tracked set requires, and installs of each kind with the
 * real pip, older and newer than 25.1 (whose `--group` reads groups itself).
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { DependencyGroupError, expandDependencyGroup, parsePyproject, PyprojectSyntaxError } from '../../src/core/leaves/pyproject';
import { run } from '../../src/core/leaves/process';
import { venvPython } from '../../src/core/leaves/layout';
import { createVenv } from '../../src/core/orchestrations/create';
import { syncVenv } from '../../src/core/orchestrations/sync';
import type { BaseInterpreter } from '../../src/core/parts/discovery/types';
import { installedDistributions } from '../../src/core/parts/pip/installed';
import { folderSources, installArgs, readSources, selectSources, sourceIds, type TrackedSources } from '../../src/core/parts/sources';
import { planSync, stampIsCurrent } from '../../src/core/parts/syncPlan';
import { baseInterpreter, pyenvPython, tempDir } from '../fixtures/machine';
import { useHermeticPip } from '../fixtures/pipEnv';
import { writeProject } from '../fixtures/projects';
import { buildWheels, DEMO_PACKAGES } from '../fixtures/wheels';

useHermeticPip();

const exe = pyenvPython('3.12') ?? '/usr/bin/python3';
/** pip 26 from the image's offline index: the pip with `--group`. */
const PIP_26 = '/opt/pypi/files/pip-26.2.1-py3-none-any.whl';
const noNewPip = !existsSync(PIP_26) && `${PIP_26} is not on this machine (the offline package index is absent)`;

/** A pyproject-only package: dependencies, an extra, and two groups, one including the other. */
const SHOAL = `
[project]
name = "shoal"
version = "0.1.0"
dependencies = ["remora>=0.3"]

[project.optional-dependencies]
shiny = ["barnacle"]

[dependency-groups]
test = ["pilotfish"]
dev = [{include-group = "test"}, "wrasse"]
`;

function shoal(dir = tempDir()): string {
  writeProject(dir, 'shoal', '0.1.0', { requires: ['remora>=0.3'], extras: { shiny: ['barnacle'] } });
  appendFileSync(path.join(dir, 'pyproject.toml'), SHOAL);
  return dir;
}

describe('what a folder offers', () => {
  it('requirements files at the top, in requirements/ and reqs/, and a project with its extras and groups, defaults ticked', () => {
    const dir = shoal();
    for (const file of ['requirements.txt', 'requirements-dev.txt', 'requirements.in', 'requirements/base.txt', 'requirements/prod.txt', 'reqs/ci.txt', 'requirements/notes.md', 'constraints.txt']) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), 'remora\n');
    }
    const offered = folderSources(dir);
    assert.deepEqual(offered.problems, []);
    assert.deepEqual(
      offered.sources.map((s) => [s.id, s.picked]),
      [
        ['requirements:requirements-dev.txt', false],
        ['requirements:requirements.in', false],
        ['requirements:requirements.txt', true],
        ['requirements:requirements/base.txt', false],
        ['requirements:requirements/prod.txt', false],
        ['requirements:reqs/ci.txt', false],
        ['project', true],
        ['extra:shiny', false],
        ['group:test', false],
        ['group:dev', true],
      ],
    );
    assert.equal(offered.sources.find((s) => s.id === 'project')?.label, 'shoal (editable)');
    assert.equal(offered.sources.find((s) => s.id === 'group:dev')?.detail, 'group: pilotfish, wrasse');
  });

  it('a project without a build system offers its dependencies as plain requirements; with dynamic dependencies it says what it needs', () => {
    const plain = tempDir();
    writeFileSync(path.join(plain, 'pyproject.toml'), '[project]\nname = "app"\nversion = "1"\ndependencies = ["remora"]\n');
    const [source] = folderSources(plain).sources;
    assert.deepEqual([source?.id, source?.label, source?.picked], ['project', 'app dependencies', true]);
    assert.match(source?.detail ?? '', /not a package: no \[build-system\]/);
    const dynamic = tempDir();
    writeFileSync(path.join(dynamic, 'pyproject.toml'), '[project]\nname = "app"\ndynamic = ["dependencies", "version"]\n');
    const [only] = folderSources(dynamic).sources;
    assert.deepEqual([only?.id, only?.picked], ['project', false]);
    assert.match(only?.detail ?? '', /needs a \[build-system\]/);
    assert.throws(() => readSourcesOrThrow({ requirements: [], project: { folder: dynamic, self: true, extras: [], groups: [] } }), /declares its dependencies dynamic.*add a \[build-system\] table/);
  });

  it('a pyproject.toml that is not TOML is a problem with its line, and the requirements files are still offered', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'requirements.txt'), 'remora\n');
    writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "app"\ndependencies = ["remora",\n');
    const offered = folderSources(dir);
    assert.deepEqual(offered.sources.map((s) => s.id), ['requirements:requirements.txt']);
    assert.match(offered.problems[0] ?? '', /pyproject\.toml:\d+:\d+: not valid TOML/);
  });

  it('ids and tracked sets convert both ways', () => {
    const dir = shoal();
    const ids = ['requirements:requirements/dev.txt', 'project', 'extra:shiny', 'group:dev'];
    const tracked = selectSources(dir, ids);
    assert.deepEqual(tracked, { requirements: [path.join(dir, 'requirements', 'dev.txt')], project: { folder: dir, self: true, extras: ['shiny'], groups: ['dev'] } });
    assert.deepEqual(sourceIds(tracked, dir), ids);
  });
});

describe('pyproject.toml, read with positions', () => {
  it('gives each dependency string the range of its characters inside the quotes', () => {
    const text = '[project]\ndependencies = [\n  "remora>=0.3",\n  \'barnacle\',\n]\n';
    const { dependencies } = parsePyproject(text, '/p/pyproject.toml');
    assert.deepEqual(dependencies.map((d) => [d.text, d.range.startLine, d.range.startCharacter, d.range.endCharacter]), [['remora>=0.3', 2, 3, 14], ['barnacle', 3, 3, 11]]);
    const lines = text.split('\n');
    for (const d of dependencies) assert.equal(lines[d.range.startLine]?.slice(d.range.startCharacter, d.range.endCharacter), d.text);
  });

  it('reads keys written as dotted keys and as sub-tables alike', () => {
    const project = parsePyproject('project.dependencies = ["a"]\n[project.optional-dependencies]\nx = ["b"]\n[dependency-groups]\n"Dev_Tools" = ["c"]\n', '/p/pyproject.toml');
    assert.deepEqual(project.dependencies.map((d) => d.text), ['a']);
    assert.deepEqual([...project.extras.keys()], ['x']);
    assert.deepEqual(expandDependencyGroup(project, 'dev-tools').map((d) => d.text), ['c'], 'group names compare normalized (PEP 735)');
  });

  it('expands included groups in place and reports a cycle and an unknown group by name (PEP 735)', () => {
    const project = parsePyproject('[dependency-groups]\na = ["x", {include-group = "b"}, "y"]\nb = ["z"]\nloop1 = [{include-group = "loop2"}]\nloop2 = [{include-group = "loop1"}]\nbad = [{include-group = "nope"}]\n', '/p/pyproject.toml');
    assert.deepEqual(expandDependencyGroup(project, 'a').map((d) => d.text), ['x', 'z', 'y']);
    assert.throws(() => expandDependencyGroup(project, 'loop1'), (e: unknown) => e instanceof DependencyGroupError && /include cycle .*: loop1 -> loop2 -> loop1$/.test(e.message) && e.range?.startLine === 4, 'at the include that closes the cycle');
    assert.throws(() => expandDependencyGroup(project, 'bad'), /has no dependency group nope \(it has a, b, loop1, loop2, bad\)/);
  });

  it('says what is wrong with the shape, where, and keeps what it can read', () => {
    const project = parsePyproject('[project]\ndependencies = "remora"\n[dependency-groups]\ndev = ["ok", 3, {other = "x"}]\nDev = ["twice"]\n', '/p/pyproject.toml');
    assert.deepEqual(project.problems.map((p) => [p.range.startLine, p.message.split(' (')[0]]), [
      [3, 'Dependency group dev may hold only requirement strings and {include-group = "NAME"} tables'],
      [3, 'Dependency group dev may hold only requirement strings and {include-group = "NAME"} tables'],
      [4, 'Dependency groups dev and Dev have the same normalized name, dev'],
      [1, '[project] dependencies must be an array of strings'],
    ]);
    assert.deepEqual([...project.groups.get('dev') ?? []].map((e) => e.kind === 'requirement' && e.dependency.text), ['ok']);
  });

  it('invalid TOML is an error with its place', () => {
    assert.throws(() => parsePyproject('[project]\nname = \n', '/p/pyproject.toml'), (e: unknown) => e instanceof PyprojectSyntaxError && e.message === '/p/pyproject.toml:3:1: not valid TOML: Unspecified values are invalid' && e.range.startLine === 2);
  });
});

function readSourcesOrThrow(tracked: TrackedSources): ReturnType<typeof readSources> {
  const read = readSources(tracked);
  const error = read.parsed.items.find((i) => i.kind === 'error');
  if (error?.kind === 'error') throw new Error(error.message);
  return read;
}

describe('tracked sources, planned and installed with the real pip', () => {
  let interpreter: BaseInterpreter;
  let wheels: string;
  const cacheDir = path.join(tempDir(), 'cache');

  before(async () => {
    interpreter = await baseInterpreter(exe);
    wheels = path.join(tempDir(), 'wheels');
    buildWheels(wheels, [...DEMO_PACKAGES, { name: 'wrasse', version: '0.2.0' }]);
  });

  const environment = (): Record<string, string> => (interpreter.markerEnvironment ?? {}) as Record<string, string>;
  const pip = (): { findLinks: string[]; offline: boolean } => ({ findLinks: [wheels], offline: true });

  it('the plan lists a project, its extra, a group with its include, and a non-package project’s dependencies, before pip ever runs', async () => {
    const dir = shoal();
    const venv = await createVenv({ interpreter, dest: path.join(dir, '.venv'), cacheDir, seed: [] });
    const read = readSourcesOrThrow({ requirements: [], project: { folder: dir, self: true, extras: ['shiny'], groups: ['dev'] } });
    const plan = planSync(read.parsed, installedDistributions(venv.dir), environment(), { cwd: dir, declaredProjects: read.declaredProjects });
    assert.deepEqual(plan.install.map((i) => [i.requirement.editable ? `-e ${path.basename(i.requirement.path ?? '')}` : i.requirement.name, i.reason]), [
      ['-e ' + path.basename(dir), 'missing'],
      ['remora', 'missing'],
      ['barnacle', 'missing'],
      ['pilotfish', 'missing'],
      ['wrasse', 'missing'],
    ]);
    const plain = tempDir();
    writeFileSync(path.join(plain, 'pyproject.toml'), '[project]\nname = "app"\nversion = "1"\ndependencies = ["remora>=0.3", "barnacle; python_version < \'3\'"]\n');
    const app = readSourcesOrThrow({ requirements: [], project: { folder: plain, self: true, extras: [], groups: [] } });
    const appPlan = planSync(app.parsed, [], environment(), { cwd: plain });
    assert.deepEqual([appPlan.install.map((i) => i.requirement.name), appPlan.skipped.map((i) => i.name)], [['remora'], ['barnacle']]);
    assert.deepEqual(installArgs({ requirements: [], project: { folder: plain, self: true, extras: [], groups: [] } }, app, '23.0.1'), ['remora>=0.3', "barnacle; python_version < '3'"]);
  });

  it('with pip older than 25.1, groups install as our own requirement lines; a dependency added to pyproject.toml shows as missing and sync installs it', async () => {
    const dir = shoal();
    const commands: string[] = [];
    const venv = await createVenv({ interpreter, dest: path.join(dir, '.venv'), cacheDir, project: { folder: dir, self: true, extras: ['shiny'], groups: ['dev'] }, pip: pip(), cwd: dir, log: (c) => commands.push(c) });
    const installed = (): string[] => installedDistributions(venv.dir).map((d) => d.normalizedName).sort();
    assert.deepEqual(installed(), ['barnacle', 'pilotfish', 'pip', 'remora', 'shoal', 'wrasse']);
    const pipVersion = installedDistributions(venv.dir).find((d) => d.normalizedName === 'pip')?.version ?? '';
    assert.ok(Number(pipVersion.split('.')[0]) < 25, `the seeded pip (${pipVersion}) predates --group`);
    const install = commands.find((c) => / -m pip install /.test(c) || /pip.*install/.test(c)) ?? '';
    assert.doesNotMatch(install, /--group/);
    assert.match(install, /pilotfish/);
    await run([venvPython(venv.dir), '-c', 'import shoal, remora, barnacle, pilotfish, wrasse']);

    const sync = (extra: Partial<Parameters<typeof syncVenv>[1]> = {}): ReturnType<typeof syncVenv> =>
      syncVenv(venv.dir, { project: { folder: dir, self: true, extras: ['shiny'], groups: ['dev'] }, environment: environment(), interpreterIdentity: 'x|3.12', pip: pip(), cwd: dir, ...extra });
    const idle = await sync();
    assert.deepEqual(idle.install, [], 'an editable project is satisfied by PEP 610 and its declared dependencies, whatever its file times');
    const tracked: TrackedSources = { requirements: [], project: { folder: dir, self: true, extras: ['shiny'], groups: ['dev'] } };
    assert.equal(stampIsCurrent(venv.dir, tracked), true);

    buildWheels(wheels, [{ name: 'kelp', version: '1.0.0' }]);
    writeFileSync(path.join(dir, 'pyproject.toml'), (await import('node:fs')).readFileSync(path.join(dir, 'pyproject.toml'), 'utf8').replace('dependencies = ["remora>=0.3"]', 'dependencies = ["remora>=0.3", "kelp"]'));
    assert.equal(stampIsCurrent(venv.dir, tracked), false, 'an edit of pyproject.toml makes the venv out of sync');
    const dry = await sync({ dryRun: true });
    assert.deepEqual(dry.install.map((i) => [i.requirement.name, i.reason]), [['kelp', 'missing']]);
    await sync();
    assert.ok(installed().includes('kelp'));
    assert.equal(stampIsCurrent(venv.dir, tracked), true);

    const exact = await syncVenv(venv.dir, { project: { folder: dir, self: true, extras: [], groups: ['test'] }, exact: true, environment: environment(), interpreterIdentity: 'x|3.12', pip: pip(), cwd: dir });
    assert.deepEqual(exact.uninstall.map((d) => d.normalizedName).sort(), ['barnacle', 'wrasse'], 'exact keeps what any tracked source requires, and nothing else');
  });

  it('with pip 25.1 or newer, groups go to pip as --group PYPROJECT:NAME', { skip: noNewPip }, async () => {
    const dir = shoal();
    const venv = await createVenv({ interpreter, dest: path.join(dir, '.venv'), cacheDir, seed: [], cwd: dir });
    // pip runs from its own wheel (as get-pip does) to install itself into the venv, offline.
    await run([venvPython(venv.dir), `${PIP_26}/pip`, 'install', '--no-index', '--no-cache-dir', PIP_26], { env: { PIP_CONFIG_FILE: '/dev/null' } });
    const commands: string[] = [];
    await syncVenv(venv.dir, { project: { folder: dir, self: false, extras: [], groups: ['dev'] }, environment: environment(), interpreterIdentity: 'x|3.12', pip: pip(), cwd: dir, log: (c) => commands.push(c) });
    assert.match(commands.join('\n'), new RegExp(`--group ${path.join(dir, 'pyproject.toml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:dev`));
    assert.deepEqual(installedDistributions(venv.dir).map((d) => d.normalizedName).sort(), ['pilotfish', 'pip', 'remora', 'wrasse']);
  });

  it('a cyclic include stops sync before pip runs, naming the cycle and its place', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'pyproject.toml'), '[dependency-groups]\na = [{include-group = "b"}]\nb = [{include-group = "a"}]\n');
    const venv = await createVenv({ interpreter, dest: path.join(dir, '.venv'), cacheDir, seed: [] });
    await assert.rejects(syncVenv(venv.dir, { project: { folder: dir, self: false, extras: [], groups: ['a'] }, environment: environment(), interpreterIdentity: 'x' }), /pyproject\.toml:3: Dependency group include cycle in .*: a -> b -> a/);
    await assert.rejects(createVenv({ interpreter, dest: path.join(dir, '.venv2'), cacheDir, seed: [], project: { folder: dir, self: false, extras: [], groups: ['a'] } }), /include cycle/);
    assert.equal(existsSync(path.join(dir, '.venv2')), false, 'nothing was created');
  });
});
