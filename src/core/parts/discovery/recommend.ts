import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { isValidSpecifierSet, satisfies } from '../../leaves/requirements/pep440';
import { parsePythonVersionFile } from './locators';
import type { Interpreter } from './types';
import { venvPython } from '../../leaves/layout';

/** The interpreter to preselect for a folder, and why, in words for the picker. */
export interface Recommendation {
  readonly interpreter: Interpreter;
  /** e.g. "the workspace .venv", ".python-version selects 3.12.1". */
  readonly reason: string;
}

/** `project.requires-python` from `pyproject.toml` (PEP 621), if present and a valid PEP 440 range. */
export function requiresPython(folder: string): string | undefined {
  try {
    const project = (parseToml(readFileSync(path.join(folder, 'pyproject.toml'), 'utf8')) as { project?: { 'requires-python'?: unknown } }).project;
    const range = project?.['requires-python'];
    return typeof range === 'string' && isValidSpecifierSet(range) ? range : undefined;
  } catch {
    return undefined;
  }
}

function readPythonVersionFile(folder: string): string[] {
  try {
    return parsePythonVersionFile(readFileSync(path.join(folder, '.python-version'), 'utf8'));
  } catch {
    return [];
  }
}

/**
 * The recommended interpreter for `folder`, from a list sorted newest first:
 * 1. the folder's own `.venv` (skipped with `forCreate`, where a base interpreter is wanted);
 * 2. else the version named by `.python-version` (a pyenv name or a version prefix);
 * 3. else the newest interpreter satisfying `requires-python` in `pyproject.toml`;
 * 4. else the newest CPython.
 * Steps 2–4 consider base interpreters only.
 */
export function recommendInterpreter(interpreters: readonly Interpreter[], folder: string, options: { forCreate?: boolean } = {}): Recommendation | undefined {
  if (!options.forCreate) {
    const ownPython = venvPython(path.join(folder, '.venv'));
    const own = interpreters.find((i) => i.isVenv && i.path === ownPython);
    if (own) return { interpreter: own, reason: 'the workspace .venv' };
  }
  const bases = interpreters.filter((i) => !i.isVenv && i.probed);
  for (const wanted of readPythonVersionFile(folder)) {
    const match = bases.find((i) => i.envName === wanted || i.version === wanted || i.version.startsWith(`${wanted}.`));
    if (match) return { interpreter: match, reason: `.python-version selects ${wanted}` };
  }
  const range = requiresPython(folder);
  const fitting = range && bases.find((i) => satisfies(i.versionInfo.slice(0, 3).join('.'), range));
  if (fitting) return { interpreter: fitting, reason: `newest Python satisfying requires-python ${range}` };
  const cpython = bases.find((i) => i.implementation === 'CPython');
  return cpython && { interpreter: cpython, reason: 'newest CPython' };
}
