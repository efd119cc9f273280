import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { run } from '../../src/core/leaves/process';
import { cliRunner, type CliResult } from '../fixtures/cli';
import { pyenvPython, pyenvVersions, PYENV_VERSIONS, tempDir } from '../fixtures/machine';
import { useHermeticPip } from '../fixtures/pipEnv';
import { writeProject } from '../fixtures/projects';
import { buildWheels, DEMO_PACKAGES } from '../fixtures/wheels';

useHermeticPip();

const cacheHome = tempDir();
const run_ = cliRunner(cacheHome);
/** Runs the built CLI; resolves to exit code, stdout and stderr. */
const cli = (...args: string[]): Promise<CliResult> => run_(args);

describe('venv-pilot CLI (dist/cli.js)', () => {
  it('discover --json lists every pyenv version and /usr/bin/python3 exactly once each, with correct versions', async () => {
    const { code, stdout } = await cli('discover', '--json');
    assert.equal(code, 0);
    const doc = JSON.parse(stdout) as { interpreters: { path: string; realPath: string; version: string }[]; problems: unknown[] };
    assert.ok(Array.isArray(doc.problems));
    for (const version of pyenvVersions()) {
      const matches = doc.interpreters.filter((i) => i.realPath === realpathSync(path.join(PYENV_VERSIONS, version, 'bin', 'python')));
      assert.deepEqual(matches.map((i) => i.version), [version], `pyenv ${version}`);
    }
    if (existsSync('/usr/bin/python3')) {
      const system = doc.interpreters.filter((i) => i.realPath === realpathSync('/usr/bin/python3'));
      const { stdout: version } = await run(['/usr/bin/python3', '-c', 'import platform; print(platform.python_version())']);
      assert.deepEqual(system.map((i) => [i.path, i.version]), [['/usr/bin/python3', version]]);
    }
    assert.ok(existsSync(path.join(cacheHome, 'venv-pilot', 'interpreters.json')), 'the probe cache is kept under $XDG_CACHE_HOME/venv-pilot');
  });

  it('create DEST --python X.Y -r FILE makes a working venv with the requirements, offline', { skip: !pyenvPython('3.12') && 'Python 3.12 is not installed here' }, async () => {
    const dir = tempDir();
    buildWheels(path.join(dir, 'wheels'), DEMO_PACKAGES);
    writeFileSync(path.join(dir, 'requirements.txt'), '--no-index\n--find-links wheels\npilotfish==1.0.0\n');
    const dest = path.join(dir, 'env');
    const { code, stdout, stderr } = await cli('create', dest, '--python', '3.12', '-r', path.join(dir, 'requirements.txt'), '--json');
    assert.equal(code, 0, stderr);
    const doc = JSON.parse(stdout) as { venv: string; python: string; version: string; creator: string; seeded: { project: string; source: string }[] };
    assert.equal(doc.venv, dest);
    assert.match(doc.version, /^3\.12\./);
    assert.equal(doc.creator, 'builtin');
    assert.deepEqual(doc.seeded.map((s) => [s.project, s.source]), [['pip', 'ensurepip']]);
    assert.match(stderr, /^Seeding pip [\d.]+ from ensurepip/m);
    const { stdout: imported } = await run([doc.python, '-c', 'import pilotfish, remora; print(pilotfish.__version__)']);
    assert.equal(imported, '1.0.0');
    await run([doc.python, '-m', 'pip', '--version']);
  });

  it('create --python PATH uses exactly that interpreter', { skip: !existsSync('/usr/bin/python3') && 'no /usr/bin/python3' }, async () => {
    const dest = path.join(tempDir(), 'env');
    const { code, stderr } = await cli('create', dest, '--python', '/usr/bin/python3');
    assert.equal(code, 0, stderr);
    const { stdout } = await run([path.join(dest, 'bin', 'python'), '-c', 'import sys; print(sys.base_prefix)']);
    assert.equal(stdout, '/usr');
  });

  it('find SPEC prints the newest match for versions, implementations and PEP 440 ranges', { skip: !pyenvPython('3.12') && 'Python 3.12 is not installed here' }, async () => {
    assert.deepEqual(await cli('find', '3.12'), { code: 0, stdout: pyenvPython('3.12'), stderr: '' });
    assert.equal((await cli('find', 'cpython3.12-64')).stdout, pyenvPython('3.12'));
    const ranged = await cli('find', '>=3.10,<3.13', '--json');
    assert.equal(ranged.code, 0);
    assert.equal((JSON.parse(ranged.stdout) as { path: string }).path, pyenvPython('3.12'));
    const none = await cli('find', 'pypy3.99');
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^venv-pilot: No interpreter matches pypy 3\.99; nearest found: /);
  });

  it('find answers the specs users type: py, cpython>=3.12, 3.13t (none here: the nearest are named), and a name on PATH', { skip: !pyenvPython('3.13') && 'Python 3.13 is not installed here' }, async () => {
    const newest = (await cli('find', '3')).stdout;
    assert.equal((await cli('find', 'py')).stdout, newest);
    assert.equal((await cli('find', 'cpython>=3.12')).stdout, pyenvPython('3.13'));
    const threaded = await cli('find', '3.13t');
    assert.equal(threaded.code, 1);
    assert.match(threaded.stderr, /^venv-pilot: No interpreter matches Python 3\.13 \(free-threaded\); nearest found: 3\.13\.\d+/);
    const bin = path.join(tempDir(), 'bin');
    const { mkdirSync, symlinkSync } = await import('node:fs');
    mkdirSync(bin);
    symlinkSync(pyenvPython('3.12') ?? '/usr/bin/python3', path.join(bin, 'python-custom'));
    const named = await run_(['find', 'python-custom'], { env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
    assert.equal(named.stdout, path.join(bin, 'python-custom'), named.stderr);
  });

  it('env DEST --json prints the activated-terminal variable changes', async () => {
    const dest = path.join(tempDir(), 'proj', '.venv');
    const created = await cli('create', dest);
    assert.equal(created.code, 0, created.stderr);
    const { code, stdout } = await cli('env', dest, '--json');
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout).mutations, [
      { name: 'PATH', op: 'prepend', value: path.join(dest, 'bin') + ':' },
      { name: 'VIRTUAL_ENV', op: 'replace', value: dest },
      { name: 'VIRTUAL_ENV_PROMPT', op: 'replace', value: '.venv' },
      { name: 'PYTHONHOME', op: 'remove' },
    ]);
  });

  it('sync DEST -r FILE installs, then reports in sync; freeze DEST -o FILE writes what pip freeze prints', { skip: !pyenvPython('3.12') && 'Python 3.12 is not installed here' }, async () => {
    const dir = tempDir();
    buildWheels(path.join(dir, 'wheels'), DEMO_PACKAGES);
    const requirements = path.join(dir, 'requirements.txt');
    writeFileSync(requirements, '--no-index\n--find-links wheels\npilotfish==1.0.0\n');
    const dest = path.join(dir, '.venv');
    assert.equal((await cli('create', dest, '--python', '3.12')).code, 0);
    const planned = await cli('sync', dest, '-r', requirements, '--dry-run', '--json');
    assert.deepEqual(JSON.parse(planned.stdout).install, [{ requirement: 'pilotfish==1.0.0', reason: 'missing' }]);
    const synced = await cli('sync', dest, '-r', requirements);
    assert.equal(synced.code, 0, synced.stderr);
    assert.equal((await cli('sync', dest, '-r', requirements)).stdout, `${dest} is in sync (1 requirements satisfied)`);
    const lock = path.join(dir, 'requirements.lock');
    assert.equal((await cli('freeze', dest, '-o', lock)).code, 0);
    const { stdout } = await run([path.join(dest, 'bin', 'python'), '-m', 'pip', 'freeze']);
    assert.equal(readFileSync(lock, 'utf8'), `${stdout}\n`);
    assert.equal((await cli('freeze', dest, '--all')).stdout.includes('pip=='), true);
  });

  it('sources DIR lists what a folder offers; create and sync install a project with an extra and a group, offline', { skip: !pyenvPython('3.12') && 'Python 3.12 is not installed here' }, async () => {
    const dir = tempDir();
    const wheels = path.join(dir, 'wheels');
    buildWheels(wheels, [...DEMO_PACKAGES, { name: 'wrasse', version: '0.2.0' }]);
    const project = path.join(dir, 'shoal');
    writeProject(project, 'shoal', '0.1.0', { requires: ['remora>=0.3'], extras: { shiny: ['barnacle'] } });
    appendFileSync(path.join(project, 'pyproject.toml'), '[project]\nname = "shoal"\nversion = "0.1.0"\ndependencies = ["remora>=0.3"]\n[project.optional-dependencies]\nshiny = ["barnacle"]\n[dependency-groups]\ntest = ["pilotfish"]\ndev = [{include-group = "test"}, "wrasse"]\n');
    writeFileSync(path.join(project, 'requirements.txt'), 'remora\n');
    const listed = await cli('sources', project);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(listed.stdout.split('\n').map((line) => line.replace(/^(. \S+)\s{2,}.*$/, '$1')), ['* requirements:requirements.txt', '* project', '  extra:shiny', '  group:test', '* group:dev']);
    const json = JSON.parse((await cli('sources', project, '--json')).stdout) as { sources: { id: string; kind: string }[] };
    assert.deepEqual(json.sources.map((s) => s.kind), ['requirements', 'project', 'extra', 'group', 'group']);

    const dest = path.join(project, '.venv');
    const created = await cli('create', dest, '--python', '3.12', '--project', project, '--extra', 'shiny', '--group', 'dev', '--find-links', wheels, '--offline');
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /Installing shoal \[shiny\], group dev/);
    await run([path.join(dest, 'bin', 'python'), '-c', 'import shoal, remora, barnacle, pilotfish, wrasse']);
    const again = await cli('sync', dest, '--project', project, '--extra', 'shiny', '--group', 'dev', '--dry-run', '--json');
    assert.deepEqual(JSON.parse(again.stdout).install, [], again.stderr);
    const unknown = await cli('sync', dest, '--project', project, '--group', 'docs');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /has no dependency group docs \(it has test, dev\)$/m);
    assert.equal((await cli('sync', dest, '--group', 'dev', '--all-groups')).code, 2, '--group and --all-groups exclude each other');
  });

  it('exit code 1 and a one-line message for a user error', async () => {
    const missing = await cli('create', path.join(tempDir(), 'x'), '--python', '9.9');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^venv-pilot: No interpreter matches Python 9\.9; nearest found: [\d.]+(, [\d.]+)*$/);
    const notVenv = await cli('env', tempDir());
    assert.equal(notVenv.code, 1);
    assert.match(notVenv.stderr, /is not a virtual environment \(no pyvenv\.cfg\)/);
  });

  it('exit code 2 for usage errors', async () => {
    assert.equal((await cli('frobnicate')).code, 2);
    assert.equal((await cli('create')).code, 2);
    assert.equal((await cli('discover', '--bogus')).code, 2);
    const help = await cli('--help');
    assert.equal(help.code, 0);
    assert.match(help.stderr, /venv-pilot create DEST/);
  });
});
