/**
 * A real pyproject project (hatchling backend, requests, an extra with rich and pytest) installed
 * editable from the real package index in /opt/pypi, served on 127.0.0.1: what a user's project
 * looks like, offline.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installedDistributions } from '../../src/core/parts/pip/installed';
import { syncVenv } from '../../src/core/orchestrations/sync';
import { run, startProcess, type StartedProcess } from '../../src/core/leaves/process';
import { createVenv } from '../../src/core/orchestrations/create';
import { baseInterpreter, pyenvPython, tempDir } from '../fixtures/machine';
import { useHermeticPip } from '../fixtures/pipEnv';

useHermeticPip();

const PYPI = '/opt/pypi';
const exe = pyenvPython('3.11');
const skip = !existsSync(path.join(PYPI, 'simple')) ? `${PYPI} (the local package index) is absent` : !exe ? 'Python 3.11 (the index holds cp311 wheels) is not installed here' : false;

describe('a real project from the local package index', { skip }, () => {
  let server: StartedProcess | undefined;
  let indexUrl = '';
  before(async () => {
    let resolvePort: (port: string) => void = () => undefined;
    const port = new Promise<string>((resolve) => (resolvePort = resolve));
    server = await startProcess(['/usr/bin/python3', '-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', PYPI, '0'], {
      onLine: (line) => {
        const listening = /port (\d+)/.exec(line);
        if (listening?.[1]) resolvePort(listening[1]);
      },
    });
    indexUrl = `http://127.0.0.1:${await port}/simple`;
  });
  after(() => server?.stop());

  it('-e .[dev]: sync --exact keeps the project and every dependency of the extra, and a second sync starts no pip', async () => {
    const project = tempDir();
    mkdirSync(path.join(project, 'src', 'shop'), { recursive: true });
    writeFileSync(path.join(project, 'src', 'shop', '__init__.py'), '__version__ = "0.1.0"\n');
    writeFileSync(
      path.join(project, 'pyproject.toml'),
      '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "shop"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = ["requests>=2.28"]\n\n[project.optional-dependencies]\ndev = ["rich", "pytest"]\n',
    );
    const requirements = path.join(project, 'requirements.txt');
    writeFileSync(requirements, '-e .[dev]\n');
    const interpreter = await baseInterpreter(exe as string);
    const venv = await createVenv({ interpreter, dest: path.join(project, '.venv'), requirements: [requirements], cwd: project, pip: { indexUrl }, cacheDir: path.join(tempDir(), 'seed') });
    await run([venv.python, '-m', 'pip', 'install', '--index-url', indexUrl, 'six']);

    const commands: string[] = [];
    const sync = (): ReturnType<typeof syncVenv> =>
      syncVenv(venv.dir, { requirements: [requirements], exact: true, cwd: project, environment: interpreter.markerEnvironment ?? {}, interpreterIdentity: `${exe}|${interpreter.version}`, log: (c) => commands.push(c) });
    const first = await sync();
    assert.deepEqual(first.install, [], 'the editable project is already installed from this folder');
    assert.deepEqual(first.uninstall.map((d) => d.normalizedName), ['six'], 'only what nothing requires goes');
    const names = new Set(installedDistributions(venv.dir).map((d) => d.normalizedName));
    for (const kept of ['shop', 'requests', 'urllib3', 'idna', 'certifi', 'charset-normalizer', 'rich', 'markdown-it-py', 'pygments', 'pytest', 'pluggy', 'iniconfig', 'packaging']) assert.ok(names.has(kept), `${kept} is kept`);
    await run([venv.python, '-c', 'import shop, requests, rich, pytest']);

    commands.length = 0;
    const second = await sync();
    assert.deepEqual([second.install, second.uninstall], [[], []]);
    assert.deepEqual(commands, [], 'no pip process was started');
  });
});
