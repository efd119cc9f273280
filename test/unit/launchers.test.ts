/**
 * Windows console-script launchers, built on Linux from the real launcher templates inside real
 * pip wheels (pyenv's `ensurepip/_bundled`; Debian's wheel has them stripped), and seeding a
 * Windows-shaped venv: simulations of what runs on Windows, checked byte for byte.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { venvLayoutFor, venvPython, type VenvLayout } from '../../src/core/leaves/layout';
import { run } from '../../src/core/leaves/process';
import type { BaseInterpreter } from '../../src/core/parts/discovery/types';
import { ensureImage } from '../../src/core/parts/seed/image';
import { consoleScriptBody, installImages, seedImages } from '../../src/core/parts/seed/install';
import { buildLauncher, enquoteExecutable, launcherDate, launcherShebang, launcherTemplateName, missingLauncherTemplate, storedZip } from '../../src/core/parts/seed/launchers';
import { wheelsIn, type SeedWheel } from '../../src/core/parts/seed/wheels';
import { baseInterpreter, PYENV_VERSIONS, pyenvPython, pyenvVersions, tempDir } from '../fixtures/machine';

/** The newest pip wheel on this machine that still carries distlib's launcher templates. */
function pipWheelWithTemplates(): SeedWheel | undefined {
  const dirs = pyenvVersions().flatMap((v) => {
    const lib = path.join(PYENV_VERSIONS, v, 'lib');
    return existsSync(lib) ? readdirSync(lib).map((py) => path.join(lib, py, 'ensurepip', '_bundled')) : [];
  });
  const wheels = dirs.flatMap((dir) => wheelsIn(dir, 'pip')).filter((w) => /^pip-2[2-9]/.test(path.basename(w.path)));
  wheels.sort((a, b) => b.version.localeCompare(a.version, undefined, { numeric: true }));
  return wheels[0] ? { ...wheels[0], source: 'ensurepip' } : undefined;
}

const python = pyenvPython('3.12') ?? pyenvPython('3.11') ?? '/usr/bin/python3';
const pipWheel = pipWheelWithTemplates();
const debianPip = wheelsIn('/usr/share/python-wheels', 'pip')[0];
let linux: BaseInterpreter;
/** The same interpreter as a Windows probe would report it: win32, 64-bit, the Windows venv scheme. */
let windows: BaseInterpreter;
before(async () => {
  linux = await baseInterpreter(python);
  windows = { ...linux, platform: 'win32', bits: 64, machine: 'AMD64', venvPaths: { scripts: 'Scripts', purelib: 'Lib\\site-packages', platlib: 'Lib\\site-packages', include: 'Include' } };
});

/** Extracts a zip's members with Python's own zipfile (the reader Python uses to run the launcher's archive). */
async function pythonZipList(file: string): Promise<{ names: string[]; main: string }> {
  const { stdout } = await run([python, '-c', 'import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({"names": z.namelist(), "main": z.read("__main__.py").decode()}))', file]);
  return JSON.parse(stdout) as { names: string[]; main: string };
}

describe('Windows console-script launchers (simulation: built on Linux from real templates)', () => {
  it('picks the template distlib picks: kind, pointer size, ARM64', () => {
    assert.equal(launcherTemplateName('win-amd64'), 't64.exe');
    assert.equal(launcherTemplateName('win32'), 't32.exe');
    assert.equal(launcherTemplateName('win-arm64'), 't64-arm.exe');
    assert.equal(launcherTemplateName('win-amd64', 'w'), 'w64.exe');
  });

  it('writes the shebang as distlib does: enquoted when it has a space, then \\n and os.linesep', () => {
    assert.equal(enquoteExecutable('C:\\proj\\.venv\\Scripts\\python.exe'), 'C:\\proj\\.venv\\Scripts\\python.exe');
    assert.equal(enquoteExecutable('C:\\My Projects\\.venv\\Scripts\\python.exe'), '"C:\\My Projects\\.venv\\Scripts\\python.exe"');
    assert.equal(launcherShebang('C:\\My Projects\\.venv\\Scripts\\python.exe').toString(), '#!"C:\\My Projects\\.venv\\Scripts\\python.exe"\n\r\n');
    assert.equal(launcherDate({ SOURCE_DATE_EPOCH: '315532800' }).toISOString(), '1980-01-01T00:00:00.000Z');
  });

  it('a stored zip that Python reads back, with the date, CRC and UTF-8 name it was given', async () => {
    const file = path.join(tempDir(), 'x.zip');
    writeFileSync(file, storedZip('__main__.py', Buffer.from('print("ü")\n'), new Date(Date.UTC(2024, 4, 17, 13, 45, 30))));
    const { stdout } = await run([python, '-c', 'import sys, zipfile\ni = zipfile.ZipFile(sys.argv[1]).infolist()[0]\nprint(i.filename, i.date_time, i.compress_type, i.file_size, zipfile.ZipFile(sys.argv[1]).testzip())', file]);
    assert.equal(stdout, '__main__.py (2024, 5, 17, 13, 45, 30) 0 12 None');
  });

  it("builds pip.exe from the real t64.exe in a real pip wheel: MZ, template, shebang, then a zip whose __main__.py imports the entry point", async (t) => {
    if (!pipWheel) return t.skip('no pip wheel with launcher templates (pyenv ensurepip/_bundled) on this machine');
    const { unzipSync } = await import('fflate');
    const entries = unzipSync(readFileSync(pipWheel.path), { filter: (f) => f.name === 'pip/_vendor/distlib/t64.exe' });
    const template = entries['pip/_vendor/distlib/t64.exe'];
    assert.ok(template, `${pipWheel.path} has pip/_vendor/distlib/t64.exe`);
    const venvPythonExe = 'C:\\Users\\Ana Lyst\\proj ^&%\\.venv\\Scripts\\python.exe';
    const body = consoleScriptBody({ name: 'pip', module: 'pip._internal.cli.main', attr: 'main' });
    const launcher = buildLauncher(template, venvPythonExe, body, new Date(Date.UTC(2024, 0, 2, 3, 4, 6)));

    assert.equal(launcher.subarray(0, 2).toString('latin1'), 'MZ', 'a PE executable starts with the DOS header');
    assert.ok(launcher.subarray(0, template.length).equals(Buffer.from(template)), 'the template comes first, unchanged');
    const shebang = `#!"${venvPythonExe}"\n\r\n`;
    assert.equal(launcher.subarray(template.length, template.length + Buffer.byteLength(shebang)).toString('utf8'), shebang);
    assert.equal(launcher.readUInt32LE(template.length + Buffer.byteLength(shebang)), 0x04034b50, 'the zip starts right after the shebang');
    assert.equal(launcher.readUInt32LE(launcher.length - 22), 0x06054b50, 'and its end record closes the file');

    const file = path.join(tempDir(), 'pip.exe');
    writeFileSync(file, launcher);
    const { names, main } = await pythonZipList(file);
    assert.deepEqual(names, ['__main__.py']);
    assert.equal(main, body);
    assert.match(main, /^from pip\._internal\.cli\.main import main$/m);
    assert.match(main, /sys\.exit\(main\(\)\)/);
    // python3 -m zipfile lists it too, as it would any zip with bytes in front.
    const listed = await run([python, '-m', 'zipfile', '-l', file]);
    assert.match(listed.stdout, /__main__\.py/);
    // The archive is runnable Python: __main__.py compiles.
    await run([python, '-c', 'import sys, zipfile; compile(zipfile.ZipFile(sys.argv[1]).read("__main__.py"), "__main__.py", "exec")', file]);
  });

  it('seeds a Windows-shaped venv: Lib\\site-packages, Scripts\\pip.exe and friends as launchers, RECORD naming them', async (t) => {
    if (!pipWheel) return t.skip('no pip wheel with launcher templates on this machine');
    const cache = tempDir();
    const image = await ensureImage(pipWheel, windows, cache);
    const dir = path.join(tempDir(), '.venv');
    const layout = venvLayoutFor(windows, dir);
    assert.equal(layout.bin, path.join(dir, 'Scripts'));
    assert.equal(layout.purelib, path.join(dir, 'Lib', 'site-packages'));
    mkdirSync(layout.bin, { recursive: true });
    mkdirSync(layout.purelib, { recursive: true });
    installImages([image], layout, 'copy');

    const scripts = readdirSync(layout.bin).sort();
    assert.deepEqual(scripts, image.manifest.scripts.map((s) => `${s.name}.exe`).sort());
    assert.ok(scripts.includes('pip.exe') && scripts.includes('pip3.exe'), scripts.join(', '));
    const pipExe = readFileSync(path.join(layout.bin, 'pip.exe'));
    assert.equal(pipExe.subarray(0, 2).toString('latin1'), 'MZ');
    assert.ok(pipExe.includes(Buffer.from(`#!${venvPython(dir, 'win32')}\n\r\n`)), 'the shebang names the venv\'s Scripts\\python.exe');
    const { main } = await pythonZipList(path.join(layout.bin, 'pip.exe'));
    assert.match(main, /^from pip\._internal\.cli\.main import main$/m);
    assert.ok(existsSync(path.join(layout.purelib, 'pip', '__init__.py')));
    const record = readFileSync(path.join(layout.purelib, `pip-${pipWheel.version}.dist-info`, 'RECORD'), 'utf8');
    assert.match(record, /^\.\.\/\.\.\/Scripts\/pip\.exe,,$/m, 'RECORD lists the launcher where pip uninstall will look for it');
  });

  it('without a template (Debian strips them), a Windows venv is seeded by the venv\'s own python -m ensurepip, and says why', async (t) => {
    if (!debianPip) return t.skip('no Debian pip wheel (python3-pip-whl) on this machine');
    const cache = tempDir();
    const image = await ensureImage({ ...debianPip, source: 'python-wheels' }, windows, cache);
    const windowsLayout = venvLayoutFor(windows, path.join(tempDir(), '.venv'));
    assert.equal(missingLauncherTemplate([image], windowsLayout), 't64.exe');
    assert.equal(missingLauncherTemplate([image], venvLayoutFor(linux, tempDir())), undefined, 'POSIX venvs need no template');

    // The fallback runs the venv's interpreter: a real (Linux) venv stands in for Scripts\python.exe.
    const real = path.join(tempDir(), 'real');
    await run([python, '-m', 'venv', '--without-pip', real]);
    const layout: VenvLayout = { ...windowsLayout, python: venvPython(real, 'posix') };
    const messages: string[] = [];
    const method = await seedImages([image], [{ ...debianPip, source: 'python-wheels' }], layout, { cacheDir: cache, onFallback: (m) => messages.push(m) });
    assert.equal(method, 'ensurepip');
    assert.match(messages.join('\n'), /no console-script launcher template \(t64\.exe\); seeding with python -m ensurepip/);
    const { stdout } = await run([venvPython(real, 'posix'), '-c', 'import pip; print(pip.__file__)']);
    assert.ok(stdout.startsWith(real), `pip is installed in the venv (${stdout})`);
  });

  it("finds the template inside an image's site folder, for the interpreter's architecture", () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'site', 'pip', '_vendor', 'distlib'), { recursive: true });
    writeFileSync(path.join(dir, 'site', 'pip', '_vendor', 'distlib', 't64.exe'), 'MZ');
    const image = { dir, manifest: { project: 'pip', version: '1', dirs: [], files: [], scripts: [{ name: 'pip', module: 'pip', attr: 'main' }] } };
    assert.equal(missingLauncherTemplate([image], venvLayoutFor({ versionInfo: [3, 12, 0], platform: 'win32', bits: 64, machine: 'AMD64' }, tempDir())), undefined);
    assert.equal(missingLauncherTemplate([image], venvLayoutFor({ versionInfo: [3, 12, 0], platform: 'win32', bits: 64, machine: 'ARM64' }, tempDir())), 't64-arm.exe');
  });
});
