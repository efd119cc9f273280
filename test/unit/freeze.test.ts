import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { freezeVenv, hiddenByFreeze } from '../../src/core/orchestrations/freeze';
import { run } from '../../src/core/leaves/process';
import { wheelsIn } from '../../src/core/parts/seed/wheels';
import { createVenv } from '../../src/core/orchestrations/create';
import { baseInterpreter, pyenvPython, tempDir } from '../fixtures/machine';
import { useHermeticPip } from '../fixtures/pipEnv';
import { gitProject, writeProject, writeSdist } from '../fixtures/projects';
import { buildWheels, DEMO_PACKAGES } from '../fixtures/wheels';

useHermeticPip();

// One interpreter per bundled pip version: 22.0.4, 23.0.1, 23.2.1, 24.2.
const PIPS: [python: string, pip: string][] = [
  ['3.8', '22.0.4'],
  ['3.10', '23.0.1'],
  ['3.12', '23.2.1'],
  ['3.13', '24.2'],
];
const available = PIPS.filter(([v]) => pyenvPython(v));

describe('freeze reads the venv and prints exactly what pip freeze prints', { concurrency: 2 }, () => {
  let wheels: string;
  let sdist: string;
  let repo: string;
  before(async () => {
    const root = tempDir();
    wheels = path.join(root, 'wheels');
    buildWheels(wheels, [...DEMO_PACKAGES, { name: 'Zebra_Case', version: '1.0' }, { name: 'wrasse', version: '0.2.0' }, { name: 'legacy-ver', version: '2013b' }]);
    sdist = await writeSdist(path.join(root, 'sdists'), 'packed', '0.4.0');
    repo = await gitProject(path.join(root, 'repo'), 'git-pkg', '0.5.0');
  });

  it('covers at least three pip versions', { skip: available.length < 3 && `only pip ${available.map(([, p]) => p).join(', ') || 'none'} bundled by the Pythons here` }, () => assert.ok(available.length >= 3));

  for (const [version, pipVersion] of available) {
    it(`pip ${pipVersion} (Python ${version}): plain, mixed-case, legacy-version, direct-URL, archive, editable and editable-git installs`, async () => {
      const exe = pyenvPython(version) as string;
      const interpreter = await baseInterpreter(exe);
      const root = tempDir();
      const seeds = [{ project: 'pip' }, ...(wheelsIn('/usr/share/python-wheels', 'setuptools').length ? [{ project: 'setuptools' }, { project: 'wheel' }] : [])];
      const venv = await createVenv({ interpreter, dest: path.join(root, '.venv'), cacheDir: path.join(root, 'cache'), seed: seeds });
      const pip = (...args: string[]): Promise<unknown> => run([venv.python, '-m', 'pip', '--disable-pip-version-check', 'install', '--no-index', '--find-links', wheels, ...args], { cwd: root });
      await pip('pilotfish', 'barnacle', 'Zebra_Case', 'legacy-ver');
      await pip(`file://${path.join(wheels, 'wrasse-0.2.0-py2.py3-none-any.whl')}`);
      await pip(sdist);
      await pip('-e', writeProject(path.join(root, 'editable'), 'edit-me', '0.1.0'));
      await pip('-e', `git+${repo}#egg=git-pkg`);
      for (const all of [false, true]) {
        const { stdout } = await run([venv.python, '-m', 'pip', 'freeze', ...(all ? ['--all'] : [])], { cwd: root });
        assert.equal(await freezeVenv(venv.dir, { all }), stdout ? `${stdout}\n` : '', `pip freeze${all ? ' --all' : ''}`);
      }
    });
  }

  it('hides what each pip version hides', () => {
    assert.deepEqual([...hiddenByFreeze('23.2.1', '3.12.1')], ['pip']);
    assert.deepEqual([...hiddenByFreeze('23.0.1', '3.12.1')].sort(), ['distribute', 'pip', 'setuptools', 'wheel']);
    assert.deepEqual([...hiddenByFreeze('24.2', '3.13.0')], ['pip']);
    assert.deepEqual([...hiddenByFreeze('24.2', '3.11.7')].sort(), ['distribute', 'pip', 'setuptools', 'wheel']);
  });
});
