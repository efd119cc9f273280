import { copyFileSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BaseInterpreter } from '../discovery/types';
import { activationScripts } from './activationScripts';
import { formatPyvenvCfg, pyvenvCfgPath, venvLayoutFor, type VenvLayout } from '../../leaves/layout';

/** How the venv's interpreter files point at the base interpreter. */
export type LinkMode = 'symlinks' | 'copies';

/** Options for {@link writeVenv}. */
export interface BuiltinVenvOptions {
  readonly interpreter: BaseInterpreter;
  /** Absolute venv folder; must be absent or empty (the caller checks). */
  readonly dir: string;
  /** Default `symlinks`, as `python -m venv` on POSIX. */
  readonly links?: LinkMode;
  readonly systemSitePackages?: boolean;
  /** Prompt name; default the folder name. Written to pyvenv.cfg only when given, as venv does. */
  readonly prompt?: string;
  /** Skip `.gitignore` and `CACHEDIR.TAG`. */
  readonly noVcsIgnore?: boolean;
}

/**
 * True when the builtin creator has been proven for this interpreter: CPython 3.3+ or PyPy 3,
 * on Linux or macOS, with the venv layout reported by the probe. Anything else uses `python -m venv`.
 */
export function builtinSupports(interpreter: BaseInterpreter): boolean {
  const [major = 0, minor = 0] = interpreter.versionInfo;
  const posix = interpreter.platform === 'linux' || interpreter.platform === 'darwin';
  const implementation = interpreter.implementation === 'CPython' || interpreter.implementation === 'PyPy';
  return posix && implementation && (major > 3 || (major === 3 && minor >= 3)) && !!interpreter.venvPaths?.purelib;
}

/** The layout a venv of `interpreter` at `dir` has (see layout.ts). */
export function venvLayout(interpreter: BaseInterpreter, dir: string): VenvLayout {
  return venvLayoutFor(interpreter, dir);
}

/**
 * A string as Python's `repr()` writes it, which is how the stdlib venv writes `prompt` into
 * pyvenv.cfg: single quotes unless the text has `'` and no `"`; backslashes, the quote and
 * control characters escaped.
 */
export function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const named: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  const escaped = [...text].map((c) => named[c] ?? (c === quote ? `\\${c}` : /[\x00-\x1f\x7f]/.test(c) ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c)).join('');
  return `${quote}${escaped}${quote}`;
}

/** Interpreter names in `bin`, as the stdlib venv makes them: the base's own name, python, python3, python3.X (and pypy names for PyPy). */
function interpreterNames(interpreter: BaseInterpreter): string[] {
  const [major, minor] = interpreter.versionInfo;
  const own = path.basename(interpreter.path);
  const pypy = interpreter.implementation === 'PyPy' ? ['pypy', `pypy${major}`] : [];
  return [...new Set([own, 'python', `python${major}`, `python${major}.${minor}`, ...pypy])];
}

/**
 * Writes a PEP 405 venv without running Python: pyvenv.cfg, the interpreter links (or copies),
 * site-packages, `lib64 -> lib` on 64-bit Linux, include, activation scripts, and `.gitignore` plus
 * `CACHEDIR.TAG`. Equivalent to `python -m venv --without-pip` for the interpreters
 * {@link builtinSupports} accepts (the equivalence test runs every interpreter on the machine).
 *
 * @throws {Error} (a Node file-system error) when the folder cannot be written.
 */
export function writeVenv(options: BuiltinVenvOptions): VenvLayout {
  const { interpreter, dir } = options;
  const layout = venvLayout(interpreter, dir);
  const [major, minor, micro] = interpreter.versionInfo;
  const cfg: [string, string][] = [
    ['home', path.dirname(interpreter.path)],
    ['include-system-site-packages', options.systemSitePackages ? 'true' : 'false'],
    ['version', `${major}.${minor}.${micro}`],
    ['executable', realpathSync(interpreter.path)],
    ['command', `venv-pilot create ${dir}`],
    ...(options.prompt !== undefined ? [['prompt', pythonRepr(options.prompt)] as [string, string]] : []),
  ];
  // pyvenv.cfg first, as the stdlib venv writes it: a folder left by a killed creation is still a venv.
  mkdirSync(dir, { recursive: true });
  writeFileSync(pyvenvCfgPath(dir), formatPyvenvCfg(cfg));

  mkdirSync(layout.bin, { recursive: true });
  mkdirSync(layout.purelib, { recursive: true });
  mkdirSync(path.join(dir, 'include'), { recursive: true });
  if (interpreter.bits === 64 && interpreter.platform === 'linux' && path.relative(dir, layout.purelib).split(path.sep)[0] === 'lib') {
    symlinkSync('lib', path.join(dir, 'lib64'));
  }

  // Like venv: the base's own name points at the base interpreter, the other names at that one.
  const [own, ...aliases] = interpreterNames(interpreter) as [string, ...string[]];
  if (options.links === 'copies') {
    for (const name of [own, ...aliases]) copyFileSync(interpreter.path, path.join(layout.bin, name));
  } else {
    symlinkSync(interpreter.path, path.join(layout.bin, own));
    for (const name of aliases) symlinkSync(own, path.join(layout.bin, name));
  }

  for (const [name, text] of Object.entries(activationScripts(dir, options.prompt ?? path.basename(dir)))) {
    writeFileSync(path.join(layout.bin, name), text);
  }
  if (!options.noVcsIgnore) {
    writeFileSync(path.join(dir, '.gitignore'), '# Created by venv-pilot\n*\n');
    writeFileSync(path.join(dir, 'CACHEDIR.TAG'), 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by venv-pilot.\n# For information about cache directory tags see https://bford.info/cachedir/\n');
  }
  return layout;
}
