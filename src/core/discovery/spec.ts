import { UserError } from '../errors';
import type { Interpreter } from './types';

/**
 * An interpreter spec, first version: a path (contains `/`), or a version prefix `X`, `X.Y`
 * or `X.Y.Z` as in virtualenv's `--python 3.12` (virtualenv docs, "Python discovery").
 */
export type InterpreterSpec = { readonly kind: 'path'; readonly path: string } | { readonly kind: 'version'; readonly parts: readonly number[] };

/**
 * Parses a spec string.
 *
 * @throws {UserError} for anything that is neither a path nor a version prefix.
 */
export function parseSpec(spec: string): InterpreterSpec {
  if (spec.includes('/')) return { kind: 'path', path: spec };
  const m = /^(?:python)?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(spec.trim());
  if (!m) throw new UserError(`Cannot understand interpreter spec "${spec}": give a path or a version such as 3.12`);
  return { kind: 'version', parts: m.slice(1).filter((p): p is string => p !== undefined).map(Number) };
}

/** True when `interpreter`'s version starts with every part of the spec's version. */
export function matchesVersion(interpreter: Interpreter, parts: readonly number[]): boolean {
  return parts.every((part, i) => interpreter.versionInfo[i] === part);
}

/**
 * The best base interpreter (not a venv) for a version spec from a list sorted newest first.
 * Path specs are not resolved here: probe them directly.
 */
export function pickInterpreter(interpreters: readonly Interpreter[], parts: readonly number[]): Interpreter | undefined {
  return interpreters.find((i) => !i.isVenv && i.probed && matchesVersion(i, parts));
}
