/**
 * The builtin creator against `python -m venv`, for every CPython and PyPy on this machine:
 * same sys paths, `venv --upgrade` works on it, pip installs into it, and its activation scripts
 * round-trip in bash, zsh and fish.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { discoverInterpreters } from '../../src/core/parts/discovery/discover';
import type { Interpreter } from '../../src/core/parts/discovery/types';
import { run } from '../../src/core/leaves/process';
import { builtinSupports, builtinUnsupportedReason } from '../../src/core/parts/venv/builtin';
import type { BaseInterpreter } from '../../src/core/parts/discovery/types';
import { createVenv } from '../../src/core/orchestrations/create';
import { tempDir } from '../fixtures/machine';
import { useHermeticPip } from '../fixtures/pipEnv';
import { buildWheels, DEMO_PACKAGES } from '../fixtures/wheels';

useHermeticPip();

/** What a venv's interpreter reports about itself, with the venv folder written as <venv>. */
const REPORT = `
import json, site, sys, sysconfig
venv = sys.argv[1]
def clean(v):
    return v.replace(venv, "<venv>") if isinstance(v, str) else [clean(x) for x in v] if isinstance(v, list) else dict((k, clean(x)) for k, x in v.items()) if isinstance(v, dict) else v
print(json.dumps(clean({"prefix": sys.prefix, "base_prefix": sys.base_prefix, "exec_prefix": sys.exec_prefix, "site": site.getsitepackages(), "paths": sysconfig.get_paths(), "in_venv": sys.prefix != sys.base_prefix})))
`;

async function report(venv: string): Promise<unknown> {
  return JSON.parse((await run([path.join(venv, 'bin', 'python'), '-c', REPORT, venv])).stdout);
}

const machine = await discoverInterpreters({ env: { PATH: '/usr/bin:/usr/local/bin' }, home: os.homedir() });
const interpreters = machine.interpreters.filter((i): i is Interpreter => !i.isVenv && builtinSupports({ ...i }));
const shells = ['bash', 'zsh', 'fish'].filter((s) => existsSync(`/usr/bin/${s}`));

/** Sources `bin/activate*` in `shell`, then deactivates; returns the lines the shell printed. */
async function activationRoundTrip(shell: string, venv: string): Promise<string[]> {
  const bin = path.join(venv, 'bin');
  const script =
    shell === 'fish'
      ? `set -gx PATH /usr/bin /bin; set before "$PATH"; source ${bin}/activate.fish; echo $VIRTUAL_ENV; echo $VIRTUAL_ENV_PROMPT; command -v python; fish_prompt | string match -q '(*' && echo prompt-prefixed; deactivate; test "$PATH" = "$before" && echo path-restored; set -q VIRTUAL_ENV || echo unset; functions -q deactivate || echo no-deactivate`
      : `PATH=/usr/bin:/bin; PS1='base> '; before="$PATH"; . '${bin}/activate'; echo "$VIRTUAL_ENV"; echo "$VIRTUAL_ENV_PROMPT"; command -v python; shown="$PS1"; [ -n "\${BASH_VERSION:-}" ] && eval 'shown="\${PS1@P}"'; case "$shown" in "(.venv) base> ") echo prompt-prefixed;; esac; deactivate; [ "$PATH" = "$before" ] && echo path-restored; [ "$PS1" = 'base> ' ] && [ -z "\${VIRTUAL_ENV+x}" ] && echo unset; type deactivate >/dev/null 2>&1 || echo no-deactivate`;
  const argv = shell === 'fish' ? ['/usr/bin/fish', '--no-config', '-c', script] : shell === 'zsh' ? ['/usr/bin/zsh', '-f', '-c', script] : ['/bin/bash', '--norc', '--noprofile', '-c', script];
  return (await run(argv, { env: { HOME: tempDir() } })).stdout.split('\n');
}

describe('builtin creator ≡ python -m venv, for every CPython and PyPy here', { concurrency: 3 }, () => {
  let wheels: string;
  before(() => {
    wheels = path.join(tempDir(), 'wheels');
    buildWheels(wheels, DEMO_PACKAGES);
  });

  it('covers CPython and the PyPy Debian ships, when installed', () => {
    assert.ok(interpreters.length >= 1, 'at least one interpreter to compare');
    assert.ok(interpreters.every((i) => i.versionInfo[0] === 3));
  });

  for (const interpreter of interpreters) {
    it(`${interpreter.implementation} ${interpreter.version} (${interpreter.path})`, async () => {
      const root = tempDir();
      const builtin = path.join(root, 'builtin', '.venv');
      const reference = path.join(root, 'reference', '.venv');
      const created = await createVenv({ interpreter, dest: builtin, cacheDir: path.join(root, 'cache') });
      assert.equal(created.creator, 'builtin');
      await run([interpreter.path, '-m', 'venv', '--without-pip', reference]);
      assert.deepEqual(await report(builtin), await report(reference), 'sys.prefix, base_prefix, exec_prefix, site-packages and sysconfig paths agree');
      assert.equal(readFileSync(path.join(builtin, '.gitignore'), 'utf8'), '# Created by venv-pilot\n*\n');
      assert.match(readFileSync(path.join(builtin, 'CACHEDIR.TAG'), 'utf8'), /^Signature: 8a477f597d28d172789f06886806bc55/);

      await run([interpreter.path, '-m', 'venv', '--upgrade', '--without-pip', builtin]);
      assert.deepEqual(await report(builtin), await report(reference), 'still equivalent after python -m venv --upgrade');

      await run([path.join(builtin, 'bin', 'pip'), 'install', '--no-index', '--find-links', wheels, 'pilotfish']);
      assert.equal((await run([path.join(builtin, 'bin', 'pilotfish')])).stdout, 'pilotfish 1.0.0 with remora 0.3.0');

      for (const shell of shells) {
        const lines = await activationRoundTrip(shell, builtin);
        assert.deepEqual(lines.slice(0, 3), [builtin, '.venv', path.join(builtin, 'bin', 'python')], `${shell}: activated`);
        assert.deepEqual(lines.slice(3).filter(Boolean), ['prompt-prefixed', 'path-restored', 'unset', 'no-deactivate'], `${shell}: prompt prefixed, then everything restored by deactivate`);
      }
    });
  }
});

describe('which creator on macOS and Windows (simulations: interpreters as the probe reports them there)', () => {
  /** A probe result as a macOS or Windows interpreter reports it (the fields the choice reads). */
  const probed = (overrides: Partial<BaseInterpreter>): BaseInterpreter =>
    ({
      implementation: 'CPython',
      version: '3.12.1',
      versionInfo: [3, 12, 1, 'final', 0],
      bits: 64,
      platform: 'darwin',
      machine: 'arm64',
      path: '/Library/Frameworks/Python.framework/Versions/3.12/bin/python3',
      executable: '/Library/Frameworks/Python.framework/Versions/3.12/bin/python3',
      prefix: '/Library/Frameworks/Python.framework/Versions/3.12',
      basePrefix: '/Library/Frameworks/Python.framework/Versions/3.12',
      paths: {},
      venvPaths: { scripts: 'bin', purelib: 'lib/python3.12/site-packages' },
      hasVenvModule: true,
      hasEnsurepip: true,
      ...overrides,
    }) as BaseInterpreter;

  it('simulation (macOS): the builtin creator takes python.org and Homebrew framework builds', () => {
    assert.equal(builtinUnsupportedReason(probed({})), undefined);
    const brew = '/opt/homebrew/opt/python@3.12/Frameworks/Python.framework/Versions/3.12';
    assert.equal(builtinUnsupportedReason(probed({ path: '/opt/homebrew/bin/python3', executable: '/opt/homebrew/bin/python3', basePrefix: brew, prefix: brew })), undefined);
  });

  it('simulation (macOS): anything unproven falls back to python -m venv, and the reason says why', () => {
    const clt = '/Library/Developer/CommandLineTools/Library/Frameworks/Python3.framework/Versions/3.9';
    assert.match(builtinUnsupportedReason(probed({ path: '/usr/bin/python3', executable: '/Library/Developer/CommandLineTools/usr/bin/python3', basePrefix: clt, prefix: clt })) ?? '', /not a python\.org or Homebrew framework build/);
    assert.match(builtinUnsupportedReason(probed({ path: '/Users/ana/.pyenv/versions/3.12.1/bin/python3', executable: '/Users/ana/.pyenv/versions/3.12.1/bin/python3', basePrefix: '/Users/ana/.pyenv/versions/3.12.1' })) ?? '', /not a python\.org or Homebrew framework build/);
    assert.match(builtinUnsupportedReason(probed({ path: '/usr/local/bin/shim/python3', executable: '/Library/Frameworks/Python.framework/Versions/3.12/bin/python3.12' })) ?? '', /a shim or stub/);
    assert.equal(builtinSupports(probed({ basePrefix: clt })), false);
  });

  it('simulation (Windows): python -m venv, which copies the matching launcher', () => {
    const windows = probed({ platform: 'win32', path: 'C:\\Python312\\python.exe', executable: 'C:\\Python312\\python.exe', basePrefix: 'C:\\Python312', venvPaths: { scripts: 'Scripts', purelib: 'Lib\\site-packages' } });
    assert.match(builtinUnsupportedReason(windows) ?? '', /on Windows python -m venv copies the venv launcher/);
    assert.match(builtinUnsupportedReason(probed({ implementation: 'GraalVM' })) ?? '', /CPython and PyPy only/);
  });
});
