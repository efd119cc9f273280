import { isValidSpecifierSet, satisfies } from '../../leaves/requirements/pep440';
import { UserError } from '../../leaves/errors';
import type { Interpreter } from './types';

/**
 * An interpreter spec, as virtualenv's `PythonSpec.from_string_spec` reads one, plus PEP 440 ranges:
 * - a path (contains `/` or `\`);
 * - `[impl][X[.Y[.Z]]][t][-32|-64][-MACHINE]`: `3`, `3.12`, `python3.8.1`, `cpython3`, `pypy3`,
 *   `3.12-64`, `python312` (= 3.12), `3.13t` (free-threaded, PEP 703), `cpython3.12-64-arm64`;
 *   `python`, `py` (or no implementation) match any implementation;
 * - a PEP 440 specifier set, optionally after an implementation: `>=3.10,<3.13`, `cpython>=3.12`;
 * - anything else is an executable name to look up on PATH (`python3.12-dbg`), as virtualenv does.
 */
export type InterpreterSpec =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'name'; readonly name: string }
  | {
      readonly kind: 'version';
      readonly implementation?: string;
      readonly parts: readonly number[];
      readonly bits?: 32 | 64;
      /** `t`: only free-threaded builds; without it, only builds with the GIL. */
      readonly freeThreaded?: boolean;
      /** `platform.machine()` wanted, normalised (`x86_64`, `arm64`). */
      readonly machine?: string;
    }
  | { readonly kind: 'range'; readonly specifier: string; readonly implementation?: string };

const VIRTUALENV_SPEC = /^(?<impl>[a-z]+?)?(?<version>\d+(?:\.\d+){0,2})?(?<threaded>t)?(?:-(?<bits>32|64))?(?:-(?<machine>x86_64|amd64|x64|x86|i[3-6]86|arm64|aarch64|armv[6-8]l|ppc64le|ppc64|s390x|riscv64|loongarch64))?$/i;

/** Implementation names a spec may start with (lower case). */
const IMPLEMENTATIONS = new Set(['python', 'py', 'cpython', 'pypy', 'graalpy', 'pyston', 'ironpython', 'jython', 'micropython', 'rustpython', 'stackless']);

/** Machine names as `platform.machine()` spells them on different systems, to one spelling. */
export function normalizeMachine(machine: string): string {
  const m = machine.toLowerCase();
  return m === 'amd64' || m === 'x64' ? 'x86_64' : m === 'aarch64' ? 'arm64' : m === 'i686' || m === 'i586' || m === 'i486' || m === 'x86' ? 'i386' : m;
}

/** An implementation named in a spec, or `undefined` for "any" (`python`, `py`). */
const implementationOf = (name: string | undefined): string | undefined => (name && !['python', 'py'].includes(name.toLowerCase()) ? name.toLowerCase() : undefined);

/**
 * Parses a spec string. Never throws for a spec that could be an executable name: that is
 * looked up on PATH. A malformed range is refused.
 *
 * @throws {UserError} for an empty spec or an invalid PEP 440 range, with the forms accepted.
 */
export function parseSpec(spec: string): InterpreterSpec {
  const text = spec.trim();
  if (!text) throw new UserError('Give an interpreter spec: a path, a version such as 3.12, an implementation and version such as pypy3, or a range such as >=3.10,<3.13');
  if (text.includes('/') || text.includes('\\')) return { kind: 'path', path: text };
  const range = /^(?<impl>[a-z]+)?\s*(?<specifier>(===|==|!=|~=|>=|<=|>|<).*)$/i.exec(text)?.groups;
  if (range?.specifier && (!range.impl || IMPLEMENTATIONS.has(range.impl.toLowerCase()))) {
    if (!isValidSpecifierSet(range.specifier)) throw new UserError(`"${spec}" is not a valid PEP 440 version range; write it like >=3.10,<3.13`);
    const implementation = implementationOf(range.impl);
    return { kind: 'range', specifier: range.specifier.trim(), ...(implementation ? { implementation } : {}) };
  }
  const groups = VIRTUALENV_SPEC.exec(text)?.groups;
  if (!groups || (!groups.impl && !groups.version) || (groups.impl && !IMPLEMENTATIONS.has(groups.impl.toLowerCase()))) return { kind: 'name', name: text };
  const implementation = implementationOf(groups.impl);
  const version = groups.version ?? '';
  // virtualenv reads "python312" as 3.12: the first digit is the major version.
  const parts = version.includes('.') ? version.split('.').map(Number) : version.length > 1 ? [Number(version[0]), Number(version.slice(1))] : version ? [Number(version)] : [];
  return {
    kind: 'version',
    parts,
    ...(implementation ? { implementation } : {}),
    ...(groups.bits ? { bits: Number(groups.bits) as 32 | 64 } : {}),
    ...(groups.threaded ? { freeThreaded: true } : {}),
    ...(groups.machine ? { machine: normalizeMachine(groups.machine) } : {}),
  };
}

/** True when `interpreter` satisfies a version or range spec (path and name specs match nothing here: they are looked up). */
export function matchesSpec(interpreter: Interpreter, spec: InterpreterSpec): boolean {
  if (spec.kind === 'path' || spec.kind === 'name') return false;
  if (spec.implementation && spec.implementation !== interpreter.implementation.toLowerCase()) return false;
  if (spec.kind === 'range') return satisfies(versionOf(interpreter), spec.specifier);
  if (spec.bits && spec.bits !== interpreter.bits) return false;
  if ((spec.freeThreaded ?? false) !== (interpreter.freeThreaded ?? false)) return false;
  if (spec.machine && spec.machine !== normalizeMachine(interpreter.machine)) return false;
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
  if (spec.kind === 'name') return `${spec.name} (looked up on PATH)`;
  if (spec.kind === 'range') return `${spec.implementation ?? 'Python'} ${spec.specifier}`;
  const details = [spec.freeThreaded ? 'free-threaded' : '', spec.bits ? `${spec.bits}-bit` : '', spec.machine ?? ''].filter(Boolean);
  return `${spec.implementation ?? 'Python'} ${spec.parts.join('.') || 'any version'}${details.length ? ` (${details.join(', ')})` : ''}`;
}
