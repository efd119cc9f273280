import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { formatPyvenvCfg, owningVenv, parsePyvenvCfg, readPyvenvCfg, scriptsDirName, venvInterpreterNames, venvKind, venvLayoutFor, venvPlatformOf, venvPython, venvScriptsDir, venvSitePackagesDirs } from '../../src/core/leaves/layout';
import { tempDir } from '../fixtures/machine';

describe('the venv layout, for both platforms', () => {
  it('POSIX: bin/python, lib/pythonX.Y/site-packages', () => {
    assert.equal(venvPlatformOf('linux'), 'posix');
    assert.equal(venvPlatformOf('darwin'), 'posix');
    assert.equal(scriptsDirName('posix'), 'bin');
    assert.equal(venvScriptsDir('/p/.venv', 'posix'), '/p/.venv/bin');
    assert.equal(venvPython('/p/.venv', 'posix'), '/p/.venv/bin/python');
    assert.deepEqual(venvInterpreterNames('posix'), ['python', 'python3', 'pypy3', 'pypy']);
    assert.deepEqual(venvLayoutFor({ versionInfo: [3, 12, 1], platform: 'linux' }, '/p/.venv'), { dir: '/p/.venv', bin: '/p/.venv/bin', purelib: '/p/.venv/lib/python3.12/site-packages' });
  });

  it('Windows: Scripts\\python.exe, Lib\\site-packages', () => {
    assert.equal(venvPlatformOf('win32'), 'win32');
    assert.equal(scriptsDirName('win32'), 'Scripts');
    assert.equal(venvScriptsDir('C:\\p\\.venv', 'win32'), 'C:\\p\\.venv\\Scripts');
    assert.equal(venvPython('C:\\p\\.venv', 'win32'), 'C:\\p\\.venv\\Scripts\\python.exe');
    assert.deepEqual(venvInterpreterNames('win32'), ['python.exe']);
    assert.deepEqual(venvLayoutFor({ versionInfo: [3, 12, 1], platform: 'win32' }, 'C:\\p\\.venv'), { dir: 'C:\\p\\.venv', bin: 'C:\\p\\.venv\\Scripts', purelib: 'C:\\p\\.venv\\Lib\\site-packages' });
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
