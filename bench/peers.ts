/**
 * The tools the benchmarks compare with, fetched once from the package index into the bench
 * cache (peers may be fetched once by a script; the product itself never downloads them).
 * Each is `undefined`, with the reason printed, where it cannot be had.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { run } from '../src/core/leaves/process';
import { userCacheDir } from '../src/core/leaves/paths';
import { pyenvPython } from '../test/fixtures/machine';

/** Where peers live: `$XDG_CACHE_HOME/venv-pilot/bench-peers` (kept between runs). */
export function peersDir(): string {
  return path.join(userCacheDir(), 'bench-peers');
}

/**
 * A current virtualenv from the package index, installed once into a venv of its own.
 *
 * @returns the argv prefix that runs it (`[python, '-m', 'virtualenv']`), or undefined when it cannot be installed.
 */
export async function virtualenvPeer(): Promise<string[] | undefined> {
  const venv = path.join(peersDir(), 'venv');
  const python = path.join(venv, 'bin', 'python');
  if (!existsSync(path.join(venv, 'bin', 'virtualenv'))) {
    const base = pyenvPython('3.11') ?? pyenvPython('3.12');
    if (!base) return skip('virtualenv', 'no pyenv Python 3.11 or 3.12 to install it with');
    mkdirSync(peersDir(), { recursive: true });
    try {
      await run([base, '-m', 'venv', '--clear', venv]);
      await run([python, '-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', 'virtualenv'], { timeoutMs: 300_000 });
    } catch (error) {
      return skip('virtualenv', `pip could not install it from the package index (${error instanceof Error ? error.message : error})`);
    }
  }
  return [python, '-m', 'virtualenv'];
}

/**
 * uv from the package index (its wheel carries the binary), installed once beside virtualenv.
 *
 * @returns the path of the `uv` binary, or undefined when it cannot be installed.
 */
export async function uvPeer(): Promise<string | undefined> {
  const venv = path.join(peersDir(), 'venv');
  const uv = path.join(venv, 'bin', 'uv');
  if (existsSync(uv)) return uv;
  if (!(await virtualenvPeer())) return skip('uv', 'there is no peers venv to install it into');
  try {
    await run([path.join(venv, 'bin', 'python'), '-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', 'uv'], { timeoutMs: 300_000 });
  } catch (error) {
    return skip('uv', `pip could not install it from the package index (${error instanceof Error ? error.message : error})`);
  }
  return existsSync(uv) ? uv : skip('uv', `its wheel installed no ${uv}`);
}

function skip(peer: string, reason: string): undefined {
  console.log(`  (${peer} is not compared: ${reason})`);
  return undefined;
}
