import { readdirSync } from 'node:fs';
import path from 'node:path';
import { compare, valid } from '@renovatebot/pep440';
import type { ProbeInfo } from '../discovery/types';

/** A wheel file on disk, with the name and version taken from its file name (PEP 427). */
export interface WheelFile {
  readonly path: string;
  /** Normalised project name (PEP 503), e.g. `pip`. */
  readonly project: string;
  readonly version: string;
}

/** Parses `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl` (PEP 427); `undefined` if it is not a wheel name. */
export function parseWheelFileName(file: string): Omit<WheelFile, 'path'> | undefined {
  const m = /^([^-]+)-([^-]+)-(?:\d[^-]*-)?[^-]+-[^-]+-[^-]+\.whl$/.exec(path.basename(file));
  if (!m?.[1] || !m[2] || !valid(m[2])) return undefined;
  return { project: m[1].toLowerCase().replace(/[-_.]+/g, '-'), version: m[2] };
}

/** Wheels for `project` in `dir`, highest PEP 440 version first; an unreadable folder has none. */
export function wheelsIn(dir: string, project: string): WheelFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ path: path.join(dir, name), ...parseWheelFileName(name) }))
    .filter((w): w is WheelFile => w.project === project && w.version !== undefined)
    .sort((a, b) => compare(b.version, a.version));
}

/**
 * Where an interpreter's own offline wheels live, in order: `ensurepip/_bundled` in its stdlib,
 * then Debian's `/usr/share/python-wheels` (Debian's ensurepip reads from there).
 */
export function offlineWheelDirs(info: Pick<ProbeInfo, 'paths'>): string[] {
  const stdlib = info.paths.stdlib;
  return [...(stdlib ? [path.join(stdlib, 'ensurepip', '_bundled')] : []), '/usr/share/python-wheels'];
}

/** The newest wheel of `project` from the first folder that has one; `undefined` when none does. */
export function findSeedWheel(dirs: readonly string[], project: string): WheelFile | undefined {
  for (const dir of dirs) {
    const [best] = wheelsIn(dir, project);
    if (best) return best;
  }
  return undefined;
}
