import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  consoleScriptFileName,
  formatPyvenvCfg,
  homebrewBinDirs,
  macosInstallationKind,
  owningVenv,
  parsePyvenvCfg,
  pyvenvHome,
  readPyvenvCfg,
  scriptsDirName,
  scriptStyleOf,
  venvGuiPython,
  venvInterpreterNames,
  venvKind,
  venvLayoutFor,
  venvPlatformOf,
  venvPython,
  venvScriptsDir,
  venvSitePackagesDirs,
  windowsInstallationPython,
} from '../../src/core/leaves/layout';
import { tempDir } from '../fixtures/machine';

describe('the venv layout, for both platforms', () => {
  it('POSIX: bin/python, lib/pythonX.Y/site-packages', () => {
    assert.equal(venvPlatformOf('linux'), 'posix');
    assert.equal(venvPlatformOf('darwin'), 'posix');
    assert.equal(scriptsDirName('posix'), 'bin');
    assert.equal(venvScriptsDir('/p/.venv', 'posix'), '/p/.venv/bin');
    assert.equal(venvPython('/p/.venv', 'posix'), '/p/.venv/bin/python');
    assert.deepEqual(venvInterpreterNames('posix'), ['python', 'python3', 'pypy3', 'pypy']);
    assert.deepEqual(venvLayoutFor({ versionInfo: [3, 12, 1], platform: 'linux' }, '/p/.venv'), { dir: '/p/.venv', bin: '/p/.venv/bin', purelib: '/p/.venv/lib/python3.12/site-packages', platform: 'posix', python: '/p/.venv/bin/python', scripts: { kind: 'shebang' } });
  });

  it('Windows: Scripts\\python.exe, Lib\\site-packages', () => {
    assert.equal(venvPlatformOf('win32'), 'win32');
    assert.equal(scriptsDirName('win32'), 'Scripts');
    assert.equal(venvScriptsDir('C:\\p\\.venv', 'win32'), 'C:\\p\\.venv\\Scripts');
    assert.equal(venvPython('C:\\p\\.venv', 'win32'), 'C:\\p\\.venv\\Scripts\\python.exe');
    assert.deepEqual(venvInterpreterNames('win32'), ['python.exe']);
    assert.deepEqual(venvLayoutFor({ versionInfo: [3, 12, 1], platform: 'win32', bits: 64, machine: 'AMD64' }, 'C:\\p\\.venv'), {
      dir: 'C:\\p\\.venv',
      bin: 'C:\\p\\.venv\\Scripts',
      purelib: 'C:\\p\\.venv\\Lib\\site-packages',
      platform: 'win32',
      python: 'C:\\p\\.venv\\Scripts\\python.exe',
      scripts: { kind: 'launcher', tag: 'win-amd64' },
    });
    // As a Windows probe reports the venv scheme: backslashes.
    assert.equal(venvLayoutFor({ versionInfo: [3, 12, 1], platform: 'win32', venvPaths: { scripts: 'Scripts', purelib: 'Lib\\site-packages' } }, 'C:\\p\\.venv').purelib, 'C:\\p\\.venv\\Lib\\site-packages');
    assert.equal(venvGuiPython('C:\\p\\.venv', 'win32'), 'C:\\p\\.venv\\Scripts\\pythonw.exe');
    assert.equal(venvGuiPython('/p/.venv', 'posix'), '/p/.venv/bin/python');
    assert.equal(consoleScriptFileName('pip', 'win32'), 'pip.exe');
    assert.equal(consoleScriptFileName('pip', 'posix'), 'pip');
    assert.deepEqual(scriptStyleOf({ platform: 'win32', bits: 32, machine: 'AMD64' }), { kind: 'launcher', tag: 'win32' });
    assert.deepEqual(scriptStyleOf({ platform: 'win32', bits: 64, machine: 'ARM64' }), { kind: 'launcher', tag: 'win-arm64' });
    assert.deepEqual(scriptStyleOf({ platform: 'darwin', bits: 64, machine: 'arm64' }), { kind: 'shebang' });
  });

  it("the probe's venv scheme wins over the defaults (a PyPy or a distro that patched sysconfig)", () => {
    const layout = venvLayoutFor({ versionInfo: [3, 9, 16], platform: 'linux', venvPaths: { scripts: 'bin', purelib: 'lib/pypy3.9/site-packages' } }, '/p/v');
    assert.equal(layout.purelib, '/p/v/lib/pypy3.9/site-packages');
  });

  it('site-packages folders that exist, the one for the venv version first', () => {
    const venv = tempDir();
    for (const v of ['python3.11', 'python3.12']) mkdirSync(path.join(venv, 'lib', v, 'site-packages'), { recursive: true });
    assert.deepEqual(venvSitePackagesDirs(venv, 'posix', '3.12'), [path.join(venv, 'lib', 'python3.12', 'site-packages'), path.join(venv, 'lib', 'python3.11', 'site-packages')]);
    // On Windows only Lib\site-packages counts (its existence can only be checked on Windows).
    assert.deepEqual(venvSitePackagesDirs(venv, 'win32'), []);
  });

  it('pyvenv.cfg: written as the stdlib writes it, read as site.py reads it; the owning venv and its kind', () => {
    const text = formatPyvenvCfg([
      ['home', '/usr/bin'],
      ['version', '3.12.1'],
    ]);
    assert.equal(text, 'home = /usr/bin\nversion = 3.12.1\n');
    assert.deepEqual(parsePyvenvCfg('Home = /x\n\nno equals here\nvirtualenv = 20.0\n'), { home: '/x', virtualenv: '20.0' });
    const venv = tempDir();
    writeFileSync(path.join(venv, 'pyvenv.cfg'), text);
    assert.deepEqual(readPyvenvCfg(venv), { home: '/usr/bin', version: '3.12.1' });
    assert.equal(owningVenv(venvPython(venv, 'posix')), venv);
    assert.equal(venvKind(venv), 'venv');
    writeFileSync(path.join(venv, 'pyvenv.cfg'), `${text}virtualenv = 20.26.0\n`);
    assert.equal(venvKind(venv), 'virtualenv');
    assert.equal(venvKind(tempDir()), undefined);
  });
});

/**
 * A venv as `C:\...\Python312\python.exe -m venv C:\proj\.venv` leaves it on Windows (CPython
 * 3.12: the file list and pyvenv.cfg as it writes them), laid out in a temporary folder here.
 */
const WINDOWS_VENV_FILES = ['pyvenv.cfg', 'Include/', 'Lib/site-packages/', 'Scripts/python.exe', 'Scripts/pythonw.exe', 'Scripts/activate', 'Scripts/activate.bat', 'Scripts/Activate.ps1', 'Scripts/deactivate.bat'];
const WINDOWS_PYVENV_CFG =
  'home = C:\\Users\\runneradmin\\AppData\\Local\\Programs\\Python\\Python312\r\n' +
  'include-system-site-packages = false\r\n' +
  'version = 3.12.1\r\n' +
  'executable = C:\\Users\\runneradmin\\AppData\\Local\\Programs\\Python\\Python312\\python.exe\r\n' +
  'command = C:\\Users\\runneradmin\\AppData\\Local\\Programs\\Python\\Python312\\python.exe -m venv C:\\proj\\.venv\r\n';

/** Lays `files` (a trailing `/` is a folder) out below `root`. */
function layOut(root: string, files: readonly string[], contents: Record<string, string> = {}): void {
  for (const file of files) {
    const target = path.join(root, ...file.split('/'));
    if (file.endsWith('/')) mkdirSync(target, { recursive: true });
    else {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, contents[file] ?? '');
    }
  }
}

describe('the venv layout on Windows and macOS (simulations: trees laid out that way on Linux)', () => {
  it('simulation: a Windows venv (Scripts\\python.exe, pythonw.exe, Lib\\site-packages, pyvenv.cfg home = the base folder)', () => {
    const venv = path.join(tempDir(), '.venv');
    layOut(venv, WINDOWS_VENV_FILES, { 'pyvenv.cfg': WINDOWS_PYVENV_CFG });
    // A Windows layout at a POSIX path joins with `/`, so the tree written here is the one read back.
    assert.equal(venvScriptsDir(venv, 'win32'), path.join(venv, 'Scripts'));
    assert.ok(existsSync(venvPython(venv, 'win32')));
    assert.ok(existsSync(venvGuiPython(venv, 'win32')));
    assert.deepEqual(venvSitePackagesDirs(venv, 'win32'), [path.join(venv, 'Lib', 'site-packages')]);
    assert.equal(owningVenv(venvPython(venv, 'win32')), venv);
    const cfg = readPyvenvCfg(venv);
    assert.equal(cfg?.home, pyvenvHome(cfg?.executable ?? '', 'win32'), 'home is the folder of the base python.exe');
    assert.equal(pyvenvHome('C:\\Python312\\python.exe', 'win32'), 'C:\\Python312');
    assert.equal(pyvenvHome('/usr/bin/python3', 'posix'), '/usr/bin');
    assert.equal(windowsInstallationPython('C:\\Python312'), 'C:\\Python312\\python.exe');
    const layout = venvLayoutFor({ versionInfo: [3, 12, 1], platform: 'win32', bits: 64, machine: 'AMD64', venvPaths: { scripts: 'Scripts', purelib: 'Lib\\site-packages' } }, venv);
    assert.equal(layout.purelib, path.join(venv, 'Lib', 'site-packages'));
    assert.equal(layout.python, venvPython(venv, 'win32'));
  });

  it('simulation: macOS framework builds (python.org, Homebrew, Apple) and Homebrew prefixes', () => {
    assert.equal(macosInstallationKind('/Library/Frameworks/Python.framework/Versions/3.12'), 'python.org');
    assert.equal(macosInstallationKind('/opt/homebrew/opt/python@3.12/Frameworks/Python.framework/Versions/3.12'), 'homebrew');
    assert.equal(macosInstallationKind('/usr/local/Cellar/python@3.11/3.11.7_1/Frameworks/Python.framework/Versions/3.11'), 'homebrew');
    assert.equal(macosInstallationKind('/Library/Developer/CommandLineTools/Library/Frameworks/Python3.framework/Versions/3.9'), 'apple');
    assert.equal(macosInstallationKind('/Applications/Xcode.app/Contents/Developer/Library/Frameworks/Python3.framework/Versions/3.9'), 'apple');
    assert.equal(macosInstallationKind('/Users/me/.pyenv/versions/3.12.1'), undefined);
    // Homebrew's own tree: bin links, and the kegs of each python formula.
    const prefix = tempDir();
    layOut(prefix, ['bin/python3', 'Cellar/python@3.12/3.12.1/bin/python3.12', 'Cellar/python@3.11/3.11.7_1/bin/python3.11', 'Cellar/node/22.0.0/bin/node']);
    assert.deepEqual(homebrewBinDirs(prefix), [path.join(prefix, 'bin'), path.join(prefix, 'Cellar/python@3.11/3.11.7_1/bin'), path.join(prefix, 'Cellar/python@3.12/3.12.1/bin')]);
  });
});
