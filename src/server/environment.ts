import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installedDistributions, venvSitePackages, type InstalledDistribution } from '../core/parts/pip/installed';
import type { MarkerEnvironment } from '../core/leaves/requirements/pep508';
import { normalizeProjectName } from '../core/leaves/requirements/pep508';
import { readPyvenvCfg } from '../core/leaves/layout';

/** What the server knows about the active venv; re-read when its site-packages change. */
export interface ActiveEnvironment {
  readonly venv: string;
  readonly installed: ReadonlyMap<string, InstalledDistribution>;
  readonly markers: MarkerEnvironment;
}

/**
 * PEP 508 markers for a venv, without running its interpreter (the server never executes
 * workspace binaries): versions from pyvenv.cfg, the platform from this process.
 */
export function markersFor(venv: string): MarkerEnvironment {
  const version = readPyvenvCfg(venv)?.version ?? '';
  const machine = ({ x64: 'x86_64', arm64: process.platform === 'darwin' ? 'arm64' : 'aarch64', ia32: 'i686' } as Record<string, string>)[process.arch] ?? process.arch;
  const system = ({ linux: 'Linux', darwin: 'Darwin', win32: 'Windows' } as Record<string, string>)[process.platform] ?? process.platform;
  return {
    python_version: version.split('.').slice(0, 2).join('.'),
    python_full_version: version,
    implementation_name: 'cpython',
    implementation_version: version,
    platform_python_implementation: 'CPython',
    os_name: process.platform === 'win32' ? 'nt' : 'posix',
    sys_platform: process.platform,
    platform_system: system,
    platform_machine: machine,
    platform_release: os.release(),
    platform_version: os.version(),
  };
}

/** The venv for a workspace root when the client did not say: `.venv`, `venv`, else `$VIRTUAL_ENV`. */
export function findVenv(root: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const candidates = [...(root ? [path.join(root, '.venv'), path.join(root, 'venv')] : []), ...(env.VIRTUAL_ENV ? [env.VIRTUAL_ENV] : [])];
  return candidates.find((dir) => existsSync(path.join(dir, 'pyvenv.cfg')));
}

/** Reads the active environment, reusing the previous read while site-packages is unchanged. */
export function loadEnvironment(venv: string | undefined, previous?: ActiveEnvironment & { stamp?: string }): (ActiveEnvironment & { stamp: string }) | undefined {
  if (!venv || !existsSync(path.join(venv, 'pyvenv.cfg'))) return undefined;
  const stamp = venvSitePackages(venv).map((dir) => `${dir}:${statSync(dir).mtimeMs}`).join('|');
  if (previous && previous.venv === venv && previous.stamp === stamp) return { ...previous, stamp };
  const installed = new Map(installedDistributions(venv).map((d) => [normalizeProjectName(d.name), d]));
  return { venv, installed, markers: markersFor(venv), stamp };
}
