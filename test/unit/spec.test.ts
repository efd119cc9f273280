import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { recommendInterpreter, requiresPython } from '../../src/core/parts/discovery/recommend';
import { describeSpec, matchesSpec, nearestVersions, parseSpec, pickInterpreter } from '../../src/core/parts/discovery/spec';
import type { Interpreter, InterpreterKind } from '../../src/core/parts/discovery/types';
import { tempDir } from '../fixtures/machine';

/** An interpreter record as discovery reports it (the data spec matching reads; nothing runs). */
function interpreter(version: string, options: { implementation?: string; bits?: number; kind?: InterpreterKind; path?: string; isVenv?: boolean; envName?: string } = {}): Interpreter {
  const [major = 0, minor = 0, micro = 0] = version.split('.').map(Number);
  const prefix = `/opt/${options.implementation ?? 'CPython'}-${version}-${options.bits ?? 64}`;
  return {
    implementation: options.implementation ?? 'CPython',
    version,
    versionInfo: [major, minor, micro, 'final', 0],
    bits: options.bits ?? 64,
    platform: 'linux',
    machine: 'x86_64',
    executable: `${prefix}/bin/python`,
    prefix,
    basePrefix: options.isVenv ? '/usr' : prefix,
    paths: {},
    hasVenvModule: true,
    hasEnsurepip: true,
    path: options.path ?? `${prefix}/bin/python`,
    realPath: `${prefix}/bin/python`,
    kind: options.kind ?? 'pyenv',
    locator: 'pyenv',
    envName: options.envName,
    inWorkspace: false,
    isVenv: options.isVenv ?? false,
    probed: true,
  };
}

// Sorted newest first, as discovery returns them.
const machine: Interpreter[] = [
  interpreter('3.13.0'),
  interpreter('3.12.1', { path: '/home/me/project/.venv/bin/python', isVenv: true, kind: 'venv' }),
  interpreter('3.12.1'),
  interpreter('3.12.1', { bits: 32 }),
  interpreter('3.11.7'),
  interpreter('3.11.2', { kind: 'system' }),
  interpreter('3.10.14', { implementation: 'PyPy' }),
  interpreter('3.9.18'),
  interpreter('3.9.18', { implementation: 'PyPy' }),
  interpreter('3.8.1'),
  interpreter('2.7.18'),
  interpreter('2.7.18', { implementation: 'PyPy' }),
];

const label = (i: Interpreter | undefined): string | undefined => i && `${i.implementation} ${i.version}${i.bits === 32 ? ' 32-bit' : ''}`;

describe('interpreter specs: virtualenv format, paths and PEP 440 ranges (newest match wins)', () => {
  const table: [spec: string, expected: string | undefined][] = [
    ['3', 'CPython 3.13.0'],
    ['2', 'CPython 2.7.18'],
    ['3.12', 'CPython 3.12.1'],
    ['3.12.1', 'CPython 3.12.1'],
    ['3.11', 'CPython 3.11.7'],
    ['3.11.2', 'CPython 3.11.2'],
    ['3.8.1', 'CPython 3.8.1'],
    ['3.8', 'CPython 3.8.1'],
    ['2.7', 'CPython 2.7.18'],
    ['python', 'CPython 3.13.0'],
    ['python3', 'CPython 3.13.0'],
    ['python3.12', 'CPython 3.12.1'],
    ['python3.8.1', 'CPython 3.8.1'],
    ['python312', 'CPython 3.12.1'],
    ['python39', 'CPython 3.9.18'],
    ['Python3.11', 'CPython 3.11.7'],
    ['cpython', 'CPython 3.13.0'],
    ['cpython3', 'CPython 3.13.0'],
    ['cpython3.9', 'CPython 3.9.18'],
    ['CPython3.9', 'CPython 3.9.18'],
    ['cpython2', 'CPython 2.7.18'],
    ['pypy', 'PyPy 3.10.14'],
    ['pypy3', 'PyPy 3.10.14'],
    ['pypy3.9', 'PyPy 3.9.18'],
    ['pypy2', 'PyPy 2.7.18'],
    ['pypy2.7', 'PyPy 2.7.18'],
    ['PyPy3.10', 'PyPy 3.10.14'],
    ['3.12-64', 'CPython 3.12.1'],
    ['3.12-32', 'CPython 3.12.1 32-bit'],
    ['cpython3.12-32', 'CPython 3.12.1 32-bit'],
    ['python3-64', 'CPython 3.13.0'],
    ['3.13-32', undefined],
    ['pypy3.12', undefined],
    ['3.14', undefined],
    ['4', undefined],
    ['graalpy3', undefined],
    ['>=3.10,<3.13', 'CPython 3.12.1'],
    ['>=3.10', 'CPython 3.13.0'],
    ['<3', 'CPython 2.7.18'],
    ['~=3.9.0', 'CPython 3.9.18'],
    ['==3.11.*', 'CPython 3.11.7'],
    ['==3.11.2', 'CPython 3.11.2'],
    ['!=3.13.0', 'CPython 3.12.1'],
    ['>3.13', undefined],
    ['>=3.8,<3.9', 'CPython 3.8.1'],
  ];
  for (const [spec, expected] of table) {
    it(`${spec} -> ${expected ?? 'no match'}`, () => {
      assert.equal(label(pickInterpreter(machine, parseSpec(spec))), expected);
    });
  }

  it('has at least 40 cases', () => assert.ok(table.length >= 40));

  it('a path spec is a path, Windows paths too', () => {
    assert.deepEqual(parseSpec('/usr/bin/python3'), { kind: 'path', path: '/usr/bin/python3' });
    assert.deepEqual(parseSpec('./.venv/bin/python'), { kind: 'path', path: './.venv/bin/python' });
    assert.deepEqual(parseSpec('C:\\Python312\\python.exe'), { kind: 'path', path: 'C:\\Python312\\python.exe' });
    assert.equal(matchesSpec(machine[0] as Interpreter, parseSpec('/opt/x')), false);
  });

  it('venvs are never picked as a base interpreter, even when they match', () => {
    const venvOnly = machine.filter((i) => i.isVenv);
    assert.equal(pickInterpreter(venvOnly, parseSpec('3.12')), undefined);
  });

  it('anything that is no version is an executable name to look up on PATH, as virtualenv reads it; an empty spec or a bad range is refused', () => {
    assert.deepEqual(parseSpec('snake'), { kind: 'name', name: 'snake' });
    assert.deepEqual(parseSpec('python3.12-dbg'), { kind: 'name', name: 'python3.12-dbg' });
    assert.deepEqual(parseSpec('3.12-16'), { kind: 'name', name: '3.12-16' });
    assert.throws(() => parseSpec(''), /Give an interpreter spec/);
    assert.throws(() => parseSpec('>=three'), /"\>=three" is not a valid PEP 440 version range; write it like >=3\.10,<3\.13/);
  });

  it('py is any Python; t asks for a free-threaded build (and its absence for one with the GIL); a machine suffix and an implementation before a range are understood', () => {
    const threaded = { ...interpreter('3.13.0'), freeThreaded: true, path: '/opt/ft/bin/python3.13t' };
    const arm = { ...interpreter('3.12.1'), machine: 'aarch64', path: '/opt/arm/bin/python3.12' };
    const pool = [threaded, ...machine];
    assert.deepEqual(parseSpec('py'), { kind: 'version', parts: [] });
    assert.equal(pickInterpreter(pool, parseSpec('3.13t'))?.path, '/opt/ft/bin/python3.13t');
    assert.equal(pickInterpreter(pool, parseSpec('python3.13t'))?.path, '/opt/ft/bin/python3.13t');
    assert.equal(pickInterpreter(pool, parseSpec('3.13'))?.path, (machine[0] as Interpreter).path, 'a plain 3.13 is the GIL build');
    assert.equal(pickInterpreter(machine, parseSpec('3.13t')), undefined);
    assert.deepEqual(parseSpec('cpython3.12-64-arm64'), { kind: 'version', parts: [3, 12], implementation: 'cpython', bits: 64, machine: 'arm64' });
    assert.equal(pickInterpreter([arm, ...machine], parseSpec('cpython3.12-64-arm64'))?.path, '/opt/arm/bin/python3.12', 'aarch64 is arm64');
    assert.equal(pickInterpreter([arm, ...machine], parseSpec('3.12-x86_64')), machine.find((i) => i.version === '3.12.1' && !i.isVenv));
    assert.deepEqual(parseSpec('cpython>=3.12'), { kind: 'range', specifier: '>=3.12', implementation: 'cpython' });
    assert.equal(label(pickInterpreter([interpreter('3.14.0', { implementation: 'PyPy' }), ...machine], parseSpec('cpython>=3.12'))), 'CPython 3.13.0');
    assert.equal(describeSpec(parseSpec('3.13t')), 'Python 3.13 (free-threaded)');
  });

  it('names the nearest versions when nothing matches', () => {
    assert.deepEqual(nearestVersions(machine, parseSpec('3.14')), ['3.13.0', '3.12.1', '3.11.7']);
    assert.deepEqual(nearestVersions(machine, parseSpec('2.6')), ['2.7.18', '3.8.1', '3.9.18']);
    assert.equal(describeSpec(parseSpec('pypy3.12-64')), 'pypy 3.12 (64-bit)');
    assert.equal(describeSpec(parseSpec('>=3.14')), 'Python >=3.14');
  });
});

describe('the recommended interpreter for a folder', () => {
  const project = (files: Record<string, string>): string => {
    const dir = tempDir();
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    return dir;
  };

  it('1. the workspace .venv', () => {
    const dir = project({ '.python-version': '3.9\n' });
    const venv = interpreter('3.11.7', { path: path.join(dir, '.venv', 'bin', 'python'), isVenv: true, kind: 'venv' });
    const recommended = recommendInterpreter([venv, ...machine], dir);
    assert.equal(recommended?.interpreter, venv);
    assert.equal(recommended?.reason, 'the workspace .venv');
    assert.equal(recommendInterpreter([venv, ...machine], dir, { forCreate: true })?.reason, '.python-version selects 3.9', 'creating a venv wants a base interpreter');
  });

  it('2. else the version .python-version names, by pyenv name or version prefix', () => {
    assert.equal(label(recommendInterpreter(machine, project({ '.python-version': '3.11\n' }))?.interpreter), 'CPython 3.11.7');
    assert.equal(label(recommendInterpreter(machine, project({ '.python-version': '3.14 3.9.18\n' }))?.interpreter), 'CPython 3.9.18', 'the first version found wins');
    const named = [interpreter('3.12.1', { envName: 'my-312' }), ...machine];
    assert.equal(recommendInterpreter(named, project({ '.python-version': 'my-312\n' }))?.interpreter, named[0]);
  });

  it("3. else the newest interpreter satisfying pyproject.toml's requires-python", () => {
    const dir = project({ 'pyproject.toml': '[project]\nname = "x"\nrequires-python = ">=3.9,<3.12"\n' });
    assert.equal(requiresPython(dir), '>=3.9,<3.12');
    const recommended = recommendInterpreter(machine, dir);
    assert.equal(label(recommended?.interpreter), 'CPython 3.11.7');
    assert.equal(recommended?.reason, 'newest Python satisfying requires-python >=3.9,<3.12');
  });

  it('4. else the newest CPython; a broken pyproject.toml is ignored', () => {
    const dir = project({ 'pyproject.toml': '[project\nbroken' });
    assert.equal(requiresPython(dir), undefined);
    const recommended = recommendInterpreter([interpreter('3.14.0', { implementation: 'PyPy' }), ...machine], dir);
    assert.equal(label(recommended?.interpreter), 'CPython 3.13.0');
    assert.equal(recommended?.reason, 'newest CPython');
  });
});
