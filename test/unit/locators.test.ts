/**
 * One fixture home per locator. Executables are real symlinks to a real interpreter, or real
 * venvs, so each locator's finds go through the real probe.
 */
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { discoverInterpreters } from '../../src/core/parts/discovery/discover';
import {
  asdfLocator,
  condaLocator,
  envManagersLocator,
  INTERPRETER_NAME,
  miseLocator,
  parsePyLauncherOutput,
  parseRegistryOutput,
  pathLocator,
  pyenvLocator,
  settingsLocator,
  systemInstallations,
  uvLocator,
  windowsLocator,
  workspaceLocator,
  type Locator,
  type LocatorContext,
} from '../../src/core/parts/discovery/locators';
import type { Interpreter } from '../../src/core/parts/discovery/types';
import { run } from '../../src/core/leaves/process';
import { linkInterpreter, pyenvPython, tempDir, writeScript } from '../fixtures/machine';

const python = pyenvPython('3.12') ?? pyenvPython('3.11') ?? '/usr/bin/python3';
let real: string;
let version: string;

/** Discovery restricted to one locator over a fixture home. */
async function found(locator: Locator, home: string, extra: Partial<LocatorContext> & { env?: Record<string, string> } = {}): Promise<readonly Interpreter[]> {
  const { interpreters, problems } = await discoverInterpreters({ home, env: extra.env ?? {}, workspaceFolders: extra.workspaceFolders, workspaceSearchPaths: extra.workspaceSearchPaths, extraSearchPaths: extra.extraSearchPaths, locators: [locator] });
  assert.deepEqual(problems, []);
  return interpreters;
}

const makeVenv = async (dir: string): Promise<string> => {
  await run([python, '-m', 'venv', '--without-pip', dir]);
  return path.join(dir, 'bin', 'python');
};

before(async () => {
  real = realpathSync(python);
  version = (await run([python, '-c', 'import platform; print(platform.python_version())'])).stdout;
});

describe('locators find each source, and the real probe identifies what they found', () => {
  it('pyenv: versions, pyenv-virtualenv environments as venvs of their base, and the .python-version mark', async () => {
    const home = tempDir();
    const versions = path.join(home, '.pyenv', 'versions');
    linkInterpreter(real, path.join(versions, version, 'bin', 'python'));
    const envPython = await makeVenv(path.join(versions, version, 'envs', 'tools'));
    const ws = tempDir();
    writeFileSync(path.join(ws, '.python-version'), `${version}\n`);
    const list = await found(pyenvLocator, home, { workspaceFolders: [ws] });
    const base = list.find((i) => !i.isVenv);
    assert.equal(base?.kind, 'pyenv');
    assert.equal(base?.envName, version);
    assert.equal(base?.version, version);
    assert.equal(base?.selectedBy, path.join(ws, '.python-version'));
    const env = list.find((i) => i.isVenv);
    assert.equal(env?.path, envPython);
    assert.equal(env?.kind, 'venv');
    assert.equal(env?.envName, 'tools');
    assert.equal(env?.base && realpathSync(env.base), real, 'the venv records its base interpreter');
  });

  const managers: [string, Locator, (home: string) => string, string, Record<string, string>?][] = [
    ['asdf (~/.asdf)', asdfLocator, (h) => path.join(h, '.asdf', 'installs', 'python'), 'asdf'],
    ['asdf ($ASDF_DATA_DIR)', asdfLocator, (h) => path.join(h, 'asdf-data', 'installs', 'python'), 'asdf', { ASDF_DATA_DIR: 'asdf-data' }],
    ['mise (~/.local/share/mise)', miseLocator, (h) => path.join(h, '.local', 'share', 'mise', 'installs', 'python'), 'mise'],
    ['mise ($MISE_DATA_DIR)', miseLocator, (h) => path.join(h, 'mise-data', 'installs', 'python'), 'mise', { MISE_DATA_DIR: 'mise-data' }],
    ['uv (~/.local/share/uv/python)', uvLocator, (h) => path.join(h, '.local', 'share', 'uv', 'python'), 'uv'],
    ['uv ($UV_PYTHON_INSTALL_DIR)', uvLocator, (h) => path.join(h, 'uv-pythons'), 'uv', { UV_PYTHON_INSTALL_DIR: 'uv-pythons' }],
  ];
  for (const [name, locator, root, kind, vars] of managers) {
    it(`${name}: installed versions`, async () => {
      const home = tempDir();
      const env = Object.fromEntries(Object.entries(vars ?? {}).map(([k, v]) => [k, path.join(home, v)]));
      const exe = linkInterpreter(real, path.join(root(home), `cpython-${version}`, 'bin', 'python3'));
      const [interpreter, ...rest] = await found(locator, home, { env });
      assert.equal(rest.length, 0);
      assert.equal(interpreter?.path, exe);
      assert.equal(interpreter?.kind, kind);
      assert.equal(interpreter?.envName, `cpython-${version}`);
      assert.equal(interpreter?.version, version);
    });
  }

  it('conda: environments.txt, $CONDA_PREFIX, and the base and envs/* of a common root, without running conda', async () => {
    const home = tempDir();
    linkInterpreter(real, path.join(home, 'miniforge3', 'bin', 'python'));
    linkInterpreter(real, path.join(home, 'miniforge3', 'envs', 'science', 'bin', 'python'));
    const listed = path.join(home, 'elsewhere', 'envs', 'listed');
    linkInterpreter(real, path.join(listed, 'bin', 'python'));
    mkdirSync(path.join(home, '.conda'));
    writeFileSync(path.join(home, '.conda', 'environments.txt'), `${listed}\n`);
    const active = path.join(home, 'active-env');
    linkInterpreter(real, path.join(active, 'bin', 'python'));
    // All four share one binary: listed separately only because each is its own folder; check the locator's view.
    const candidates = condaLocator({ env: { CONDA_PREFIX: active }, home, platform: 'linux', workspaceFolders: [] });
    assert.deepEqual(
      candidates.map((c) => [path.relative(home, c.path), c.envName]),
      [['elsewhere/envs/listed/bin/python', 'listed'], ['active-env/bin/python', 'base'], ['miniforge3/bin/python', 'base'], ['miniforge3/envs/science/bin/python', 'science']],
    );
    assert.ok(candidates.every((c) => c.kind === 'conda'));
    const [probed] = await found(condaLocator, home, { env: { CONDA_PREFIX: active } });
    assert.equal(probed?.version, version);
  });

  it('virtualenvwrapper, pipenv, poetry and hatch venvs', async () => {
    const home = tempDir();
    const workon = await makeVenv(path.join(home, '.virtualenvs', 'wrapped'));
    const pipenv = await makeVenv(path.join(home, '.local', 'share', 'virtualenvs', 'app-Xy12Ab'));
    const poetry = await makeVenv(path.join(home, '.cache', 'pypoetry', 'virtualenvs', 'app-abc-py3.12'));
    const hatch = await makeVenv(path.join(home, '.local', 'share', 'hatch', 'env', 'virtual', 'app', 'Qw3rTy', 'default'));
    const list = await found(envManagersLocator, home);
    const byPath = new Map(list.map((i) => [i.path, i]));
    assert.deepEqual([workon, pipenv, poetry, hatch].map((p) => byPath.get(p)?.kind), ['virtualenv', 'pipenv', 'poetry', 'hatch']);
    assert.deepEqual([workon, pipenv, poetry, hatch].map((p) => byPath.get(p)?.isVenv), [true, true, true, true]);
    assert.equal(byPath.get(hatch)?.envName, 'default');
  });

  it('workspace: venvs up to two levels down, plus workspaceSearchPaths, skipping node_modules', async () => {
    const ws = tempDir();
    const dotVenv = await makeVenv(path.join(ws, '.venv'));
    const nested = await makeVenv(path.join(ws, 'services', 'api-env'));
    const searched = await makeVenv(path.join(ws, 'envs-elsewhere', 'a', 'py'));
    await makeVenv(path.join(ws, 'node_modules', 'x'));
    await makeVenv(path.join(ws, 'deep', 'er', 'still'));
    const list = await found(workspaceLocator, tempDir(), { workspaceFolders: [ws], workspaceSearchPaths: ['envs-elsewhere/a'] });
    assert.deepEqual(list.map((i) => i.path).sort(), [dotVenv, searched, nested].sort());
    assert.ok(list.every((i) => i.inWorkspace && i.kind === 'venv' && i.locator === 'workspace'));
  });

  it('extraSearchPaths: an interpreter, a bin folder, an environment, or a folder of environments', async () => {
    const root = tempDir();
    const single = linkInterpreter(real, path.join(root, 'single', 'py'));
    const bin = linkInterpreter(real, path.join(root, 'tools', 'python3'));
    const env = await makeVenv(path.join(root, 'one-env'));
    const inFolder = await makeVenv(path.join(root, 'many', 'first'));
    const candidates = settingsLocator({ env: {}, home: root, platform: 'linux', workspaceFolders: [], extraSearchPaths: [single, path.dirname(bin), path.dirname(path.dirname(env)), path.join(root, 'many')] });
    assert.deepEqual(candidates.map((c) => c.path), [single, bin, env, inFolder]);
  });

  it('PATH: interpreter names only, and never the pyenv, asdf or mise shims', () => {
    const home = tempDir();
    const bin = path.join(home, 'bin');
    for (const name of ['python3', 'python3.12', 'python3-config', 'pypy3']) linkInterpreter(real, path.join(bin, name));
    const shims = ['.pyenv/shims', '.asdf/shims', '.local/share/mise/shims'].map((s) => path.join(home, s));
    for (const dir of shims) writeScript(path.join(dir, 'python3'), 'exec pyenv exec python3 "$@"');
    const candidates = pathLocator({ env: { PATH: [...shims, bin].join(':') }, home, platform: 'linux', workspaceFolders: [] });
    assert.deepEqual(candidates.map((c) => path.basename(c.path)), ['pypy3', 'python3', 'python3.12']);
  });

  it('recognises interpreter names and nothing else', () => {
    for (const name of ['python', 'python3', 'python3.12', 'pypy', 'pypy3', 'pypy3.10', 'python.exe', 'python3.12.exe']) assert.match(name, INTERPRETER_NAME);
    for (const name of ['python3-config', 'python3.12-config', 'pythonw', 'python-argcomplete-tcsh', 'pip3', 'python3.12m-config']) assert.doesNotMatch(name, INTERPRETER_NAME);
  });
});

describe('Windows locators, on captured output', () => {
  const registry = [
    'HKEY_CURRENT_USER\\Software\\Python\\PythonCore',
    '    DisplayName    REG_SZ    Python Software Foundation',
    '',
    'HKEY_CURRENT_USER\\Software\\Python\\PythonCore\\3.12',
    '    DisplayName    REG_SZ    Python 3.12 (64-bit)',
    '    SysVersion    REG_SZ    3.12',
    '',
    'HKEY_CURRENT_USER\\Software\\Python\\PythonCore\\3.12\\InstallPath',
    '    (Default)    REG_SZ    C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\',
    '    ExecutablePath    REG_SZ    C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\python.exe',
    '    WindowedExecutablePath    REG_SZ    C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\pythonw.exe',
    '',
    'HKEY_CURRENT_USER\\Software\\Python\\ContinuumAnalytics\\Anaconda39-64\\InstallPath',
    '    (Default)    REG_SZ    C:\\Users\\me\\anaconda3',
    '',
  ].join('\r\n');
  const launcher = [' -V:3.12 *        C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\python.exe', ' -V:3.11          C:\\Python311\\python.exe', ' -3.9-64        C:\\Python39\\python.exe', ''].join('\r\n');

  it('parses PEP 514 registry keys: ExecutablePath, else the InstallPath folder plus python.exe', () => {
    assert.deepEqual(parseRegistryOutput(registry), [
      { company: 'PythonCore', tag: '3.12', executable: 'C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\python.exe' },
      { company: 'ContinuumAnalytics', tag: 'Anaconda39-64', executable: 'C:\\Users\\me\\anaconda3\\python.exe' },
    ]);
  });

  it('parses py --list-paths, current and older layouts', () => {
    assert.deepEqual(parsePyLauncherOutput(launcher), [
      { tag: '3.12', executable: 'C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\python.exe' },
      { tag: '3.11', executable: 'C:\\Python311\\python.exe' },
      { tag: '3.9-64', executable: 'C:\\Python39\\python.exe' },
    ]);
  });

  it('lists registry, launcher and Microsoft Store interpreters on win32 only', () => {
    const home = tempDir();
    const apps = path.join(home, 'AppData', 'Local', 'Microsoft', 'WindowsApps');
    mkdirSync(apps, { recursive: true });
    for (const name of ['python.exe', 'python3.12.exe', 'winget.exe']) writeFileSync(path.join(apps, name), '');
    const context: LocatorContext = { env: { LOCALAPPDATA: path.join(home, 'AppData', 'Local') }, home, platform: 'win32', workspaceFolders: [], registryOutput: registry, pyLauncherOutput: launcher };
    const candidates = windowsLocator(context);
    assert.deepEqual(candidates.map((c) => c.kind), ['registry', 'registry', 'registry', 'registry', 'registry', 'store', 'store']);
    assert.equal(candidates[0]?.envName, 'PythonCore\\3.12');
    assert.deepEqual(windowsLocator({ ...context, platform: 'linux' }), []);
  });
});

/** Lays empty files (a trailing `/` is a folder) out below `root`: locators only look, never run. */
function fakeTree(root: string, files: readonly string[]): void {
  for (const file of files) {
    const target = path.join(root, ...file.split('/'));
    if (file.endsWith('/')) mkdirSync(target, { recursive: true });
    else {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, '');
    }
  }
}

/** The paths of candidates, relative to `root`, sorted. */
const relative = (root: string, candidates: readonly { path: string }[]): string[] => candidates.map((c) => path.relative(root, c.path)).sort();

describe('locators on macOS and Windows (simulations: fake trees laid out as those systems lay them out)', () => {
  it('simulation (macOS): python.org frameworks, both Homebrew prefixes with their kegs, Xcode and the Command Line Tools', () => {
    const root = tempDir();
    fakeTree(root, [
      'Library/Frameworks/Python.framework/Versions/3.12/bin/python3',
      'Library/Frameworks/Python.framework/Versions/3.12/bin/python3.12',
      'Library/Frameworks/Python.framework/Versions/3.12/bin/python3-config',
      'Library/Frameworks/Python.framework/Versions/3.11/bin/python3.11',
      'opt/homebrew/bin/python3',
      'opt/homebrew/Cellar/python@3.13/3.13.1/bin/python3.13',
      'usr/local/bin/python3.10',
      'usr/local/Cellar/python@3.10/3.10.16/bin/python3.10',
      'Applications/Xcode.app/Contents/Developer/usr/bin/python3',
      'Library/Developer/CommandLineTools/usr/bin/python3',
      'usr/bin/python3',
    ]);
    symlinkSync('3.12', path.join(root, 'Library/Frameworks/Python.framework/Versions/Current'));
    const context: LocatorContext = { env: {}, home: path.join(root, 'Users', 'ana'), platform: 'darwin', workspaceFolders: [] };
    const found = systemInstallations(context, root);
    assert.ok(found.every((c) => c.kind === 'system' && c.locator === 'system'));
    assert.deepEqual(relative(root, found), [
      'Applications/Xcode.app/Contents/Developer/usr/bin/python3',
      'Library/Developer/CommandLineTools/usr/bin/python3',
      'Library/Frameworks/Python.framework/Versions/3.11/bin/python3.11',
      'Library/Frameworks/Python.framework/Versions/3.12/bin/python3',
      'Library/Frameworks/Python.framework/Versions/3.12/bin/python3.12',
      'opt/homebrew/Cellar/python@3.13/3.13.1/bin/python3.13',
      'opt/homebrew/bin/python3',
      'usr/bin/python3',
      'usr/local/Cellar/python@3.10/3.10.16/bin/python3.10',
      'usr/local/bin/python3.10',
    ]);
    // On Linux the frameworks and Xcode are not looked for.
    assert.deepEqual(relative(root, systemInstallations({ ...context, platform: 'linux' }, root)), ['opt/homebrew/Cellar/python@3.13/3.13.1/bin/python3.13', 'opt/homebrew/bin/python3', 'usr/bin/python3', 'usr/local/Cellar/python@3.10/3.10.16/bin/python3.10', 'usr/local/bin/python3.10']);
  });

  it('simulation (Windows): python.org per-user and all-users folders, pyenv-win, conda, uv, and a workspace venv with Scripts\\python.exe', () => {
    const root = tempDir();
    const home = path.join(root, 'Users', 'ana');
    const env = {
      USERPROFILE: home,
      LOCALAPPDATA: path.join(home, 'AppData', 'Local'),
      APPDATA: path.join(home, 'AppData', 'Roaming'),
      ProgramData: path.join(root, 'ProgramData'),
      ProgramFiles: path.join(root, 'Program Files'),
    };
    fakeTree(root, [
      'Users/ana/AppData/Local/Programs/Python/Python312/python.exe',
      'Users/ana/AppData/Local/Programs/Python/Python312/pythonw.exe',
      'Users/ana/AppData/Local/Programs/Python/Python311-32/python.exe',
      'Users/ana/AppData/Local/Programs/Python/Launcher/py.exe',
      'Program Files/Python313/python.exe',
      'Users/ana/AppData/Local/Microsoft/WindowsApps/python3.12.exe',
      'Users/ana/.pyenv/pyenv-win/versions/3.11.9/python.exe',
      'Users/ana/.pyenv/pyenv-win/versions/3.10.11/python.exe',
      'Users/ana/miniconda3/python.exe',
      'Users/ana/miniconda3/envs/ds/python.exe',
      'ProgramData/anaconda3/python.exe',
      'ProgramData/anaconda3/envs/ml/python.exe',
      'Users/ana/AppData/Roaming/uv/data/python/cpython-3.12.8-windows-x86_64-none/python.exe',
      'Users/ana/AppData/Roaming/uv/python/cpython-3.11.11-windows-x86_64-none/python.exe',
      'Users/ana/proj/.venv/Scripts/python.exe',
      'Users/ana/proj/.venv/Scripts/pythonw.exe',
      'Users/ana/proj/.venv/Lib/site-packages/',
    ]);
    writeFileSync(path.join(home, 'proj', '.venv', 'pyvenv.cfg'), 'home = C:\\Users\\ana\\AppData\\Local\\Programs\\Python\\Python312\r\nversion = 3.12.1\r\n');
    const context: LocatorContext = { env, home, platform: 'win32', workspaceFolders: [path.join(home, 'proj')] };
    assert.deepEqual(relative(home, windowsLocator(context)), [
      path.join('..', '..', 'Program Files', 'Python313', 'python.exe'),
      'AppData/Local/Microsoft/WindowsApps/python3.12.exe',
      'AppData/Local/Programs/Python/Python311-32/python.exe',
      'AppData/Local/Programs/Python/Python312/python.exe',
    ]);
    assert.deepEqual(relative(home, pyenvLocator(context)), ['.pyenv/pyenv-win/versions/3.10.11/python.exe', '.pyenv/pyenv-win/versions/3.11.9/python.exe']);
    assert.deepEqual(relative(home, pyenvLocator({ ...context, env: { ...env, PYENV_ROOT: path.join(home, 'elsewhere') } })), []);
    const conda = condaLocator(context);
    assert.deepEqual(relative(root, conda), ['ProgramData/anaconda3/envs/ml/python.exe', 'ProgramData/anaconda3/python.exe', 'Users/ana/miniconda3/envs/ds/python.exe', 'Users/ana/miniconda3/python.exe']);
    assert.deepEqual(conda.map((c) => c.envName).sort(), ['base', 'base', 'ds', 'ml']);
    assert.deepEqual(relative(home, uvLocator(context)), ['AppData/Roaming/uv/data/python/cpython-3.12.8-windows-x86_64-none/python.exe', 'AppData/Roaming/uv/python/cpython-3.11.11-windows-x86_64-none/python.exe']);
    const workspace = workspaceLocator(context);
    assert.deepEqual(relative(home, workspace), ['proj/.venv/Scripts/python.exe']);
    assert.equal(workspace[0]?.kind, 'venv');
    // None of the Windows places is looked at on Linux.
    assert.deepEqual(windowsLocator({ ...context, platform: 'linux' }), []);
  });
});
