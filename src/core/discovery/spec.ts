import { satisfies, validRange } from '@renovatebot/pep440';
import { UserError } from '../errors';
import type { Interpreter } from './types';

/**
 * An interpreter spec (virtualenv's "Python discovery" docs, plus PEP 440 ranges):
 * - a path (contains `/` or `\`);
 * - `[impl][X[.Y[.Z]]][-32|-64]`: `3`, `3.12`, `python3.8.1`, `cpython3`, `pypy3`, `3.12-64`, `python312` (= 3.12);
 *   `python` (or no implementation) matches any implementation;
 * - a PEP 440 specifier set such as `>=3.10,<3.13`.
 */
export type InterpreterSpec =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'version'; readonly implementation?: string; readonly parts: readonly number[]; readonly bits?: 32 | 64 }
  | { readonly kind: 'range'; readonly specifier: string };

const VIRTUALENV_SPEC = /^(?<impl>[a-z]+?)?(?<version>\d+(?:\.\d+){0,2})?(?:-(?<bits>32|64))?$/i;

/** Implementation names a spec may start with (lower case); anything else is more likely a typo than a Python. */
const IMPLEMENTATIONS = new Set(['python', 'cpython', 'pypy', 'graalpy', 'pyston', 'ironpython', 'jython', 'micropython', 'rustpython', 'stackless']);

/**
 * Parses a spec string.
 *
 * @throws {UserError} for anything that is none of the three forms, with the forms it accepts.
 */
export function parseSpec(spec: string): InterpreterSpec {
  const text = spec.trim();
  if (text.includes('/') || text.includes('\\')) return { kind: 'path', path: text };
  if (/^(===|==|!=|~=|>=|<=|>|<)/.test(text)) {
    if (!validRange(text)) throw new UserError(`"${spec}" is not a valid PEP 440 version range; write it like >=3.10,<3.13`);
    return { kind: 'range', specifier: text };
  }
  const groups = VIRTUALENV_SPEC.exec(text)?.groups;
  if (!text || !groups || (!groups.impl && !groups.version) || (groups.impl && !IMPLEMENTATIONS.has(groups.impl.toLowerCase()))) {
    throw new UserError(`Cannot understand interpreter spec "${spec}": give a path, a version such as 3.12, an implementation and version such as pypy3 or cpython3.12-64, or a range such as >=3.10,<3.13`);
  }
  const implementation = groups.impl && groups.impl.toLowerCase() !== 'python' ? groups.impl.toLowerCase() : undefined;
  const version = groups.version ?? '';
  // virtualenv reads "python312" as 3.12: the first digit is the major version.
  const parts = version.includes('.') ? version.split('.').map(Number) : version.length > 1 ? [Number(version[0]), Number(version.slice(1))] : version ? [Number(version)] : [];
  return { kind: 'version', parts, ...(implementation ? { implementation } : {}), ...(groups.bits ? { bits: Number(groups.bits) as 32 | 64 } : {}) };
}

/** True when `interpreter` satisfies a version or range spec (path specs match nothing here: probe the path). */
export function matchesSpec(interpreter: Interpreter, spec: InterpreterSpec): boolean {
  if (spec.kind === 'path') return false;
  if (spec.kind === 'range') return satisfies(versionOf(interpreter), spec.specifier);
  if (spec.implementation && spec.implementation !== interpreter.implementation.toLowerCase()) return false;
  if (spec.bits && spec.bits !== interpreter.bits) return false;
  return spec.parts.every((part, i) => interpreter.versionInfo[i] === part);
}

/** `X.Y.Z` from version_info, without the release level (so 3.13.0rc1 compares as 3.13.0). */
function versionOf(interpreter: Interpreter): string {
  return interpreter.versionInfo.slice(0, 3).join('.');
}

/**
 * The best base interpreter (not a venv, and actually probed) for a spec, from a list sorted by
 * `compareInterpreters`: so the newest match wins, and among equal versions the locator priority,
 * then 64-bit, then the path decide.
 */
export function pickInterpreter(interpreters: readonly Interpreter[], spec: InterpreterSpec): Interpreter | undefined {
  return interpreters.find((i) => !i.isVenv && i.probed && matchesSpec(i, spec));
}

/** Up to `count` distinct base versions found, nearest to the spec's version first (for "no match" messages). */
export function nearestVersions(interpreters: readonly Interpreter[], spec: InterpreterSpec, count = 3): string[] {
  const versions = [...new Set(interpreters.filter((i) => !i.isVenv && i.probed).map(versionOf))];
  const target = spec.kind === 'version' ? spec.parts : [];
  const distance = (v: string): number => {
    const [major = 0, minor = 0] = v.split('.').map(Number);
    return Math.abs((target[0] ?? major) * 100 + (target[1] ?? minor) - (major * 100 + minor));
  };
  return versions.sort((a, b) => distance(a) - distance(b)).slice(0, count);
}

/** Renders a spec back for messages. */
export function describeSpec(spec: InterpreterSpec): string {
  if (spec.kind === 'path') return spec.path;
  if (spec.kind === 'range') return `Python ${spec.specifier}`;
  return `${spec.implementation ?? 'Python'} ${spec.parts.join('.') || 'any version'}${spec.bits ? ` (${spec.bits}-bit)` : ''}`;
}
