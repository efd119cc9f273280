import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BaseInterpreter } from '../discovery/types';
import { UserError } from '../../leaves/errors';
import { compareVersions, filterVersions, isValidVersion, satisfies } from '../../leaves/requirements/pep440';

/** A wheel file on disk, with the name and version taken from its file name (PEP 427). */
export interface WheelFile {
  readonly path: string;
  /** Normalised project name (PEP 503), e.g. `pip`. */
  readonly project: string;
  readonly version: string;
}

/** Where a seed wheel came from, in the order they are searched. */
export type SeedSource = 'find-links' | 'ensurepip' | 'python-wheels' | 'index';

/** A folder of wheels and what kind of source it is. */
export interface WheelSource {
  readonly kind: SeedSource;
  readonly dir: string;
}

/** The wheel chosen for a seed, and where it was found. */
export interface SeedWheel extends WheelFile {
  readonly source: SeedSource;
}

/** A seed request: a project and an optional PEP 440 specifier, as in `pip==23.2.1` or `setuptools>=68`. */
export interface SeedRequest {
  readonly project: string;
  readonly specifier?: string;
}

/** PEP 503 name normalisation. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Parses `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl` (PEP 427); `undefined` if it is not a wheel name. */
export function parseWheelFileName(file: string): Omit<WheelFile, 'path'> | undefined {
  const m = /^([^-]+)-([^-]+)-(?:\d[^-]*-)?[^-]+-[^-]+-[^-]+\.whl$/.exec(path.basename(file));
  if (!m?.[1] || !m[2] || !isValidVersion(m[2])) return undefined;
  return { project: normalizeName(m[1]), version: m[2] };
}

/**
 * Parses a seed request: `pip`, `pip==23.2.1`, `setuptools>=68`.
 *
 * @throws {UserError} for anything else.
 */
export function parseSeedRequest(text: string): SeedRequest {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*((?:===|==|!=|~=|>=|<=|>|<).*)?$/.exec(text);
  if (!m?.[1]) throw new UserError(`Cannot understand seed "${text}": write a project name, optionally pinned, such as pip or pip==23.2.1`);
  return { project: normalizeName(m[1]), ...(m[2] ? { specifier: m[2].trim() } : {}) };
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
    .sort((a, b) => compareVersions(b.version, a.version));
}

/** `Requires-Python` from a wheel's METADATA (PEP 345), or `undefined` when it sets none. */
export async function wheelRequiresPython(wheel: string): Promise<string | undefined> {
  // fflate builds its tables when loaded: load it only when a wheel must really be read.
  const { strFromU8, unzipSync } = await import('fflate');
  const files = unzipSync(readFileSync(wheel), { filter: (f) => /^[^/]+\.dist-info\/METADATA$/.test(f.name) });
  const metadata = Object.values(files)[0];
  if (!metadata) return undefined;
  const header = strFromU8(metadata).split(/\r?\n\r?\n/)[0] ?? '';
  return /^Requires-Python:\s*(.+)$/im.exec(header)?.[1]?.trim();
}

/**
 * The offline wheel sources for an interpreter, in search order: the given find-links folders,
 * its `ensurepip/_bundled`, then Debian's `/usr/share/python-wheels`.
 */
export function offlineWheelSources(interpreter: Pick<BaseInterpreter, 'paths'>, findLinks: readonly string[] = []): WheelSource[] {
  const stdlib = interpreter.paths.stdlib;
  return [
    ...findLinks.map((dir): WheelSource => ({ kind: 'find-links', dir })),
    ...(stdlib ? [{ kind: 'ensurepip' as const, dir: path.join(stdlib, 'ensurepip', '_bundled') }] : []),
    { kind: 'python-wheels', dir: '/usr/share/python-wheels' },
  ];
}

/**
 * The seed wheel for a request: from the first source holding a fitting wheel, the highest
 * version that matches the request's specifier and whose Requires-Python admits the interpreter.
 * `knownToFit` skips reading METADATA for a wheel already checked (one with a built image).
 */
export async function findSeedWheel(sources: readonly WheelSource[], request: SeedRequest, pythonVersion: string, knownToFit: (wheel: SeedWheel) => boolean = () => false): Promise<SeedWheel | undefined> {
  for (const source of sources) {
    // As pip's finder filters candidates: pre-releases only when no final release fits the specifier.
    for (const wheel of filterVersions(wheelsIn(source.dir, request.project), request.specifier ?? '', (w) => w.version)) {
      if (knownToFit({ ...wheel, source: source.kind })) return { ...wheel, source: source.kind };
      const requires = await wheelRequiresPython(wheel.path);
      if (requires && !satisfies(pythonVersion, requires)) continue;
      return { ...wheel, source: source.kind };
    }
  }
  return undefined;
}
