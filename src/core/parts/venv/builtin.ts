import { copyFileSync, existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BaseInterpreter } from '../discovery/types';
import { activationScripts } from './activationScripts';
import { formatPyvenvCfg, macosInstallationKind, pyvenvCfgPath, pyvenvHome, venvLayoutFor, venvPlatformOf, type VenvLayout } from '../../leaves/layout';

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
 * Why the builtin creator is not used for this interpreter, or `undefined` when it has been
 * proven for it: CPython 3.3+ or PyPy 3, with the venv layout reported by the probe, on Linux, or
 * on macOS for a framework build by python.org or Homebrew (`sys.base_prefix` under
 * `Python.framework/Versions/X.Y`), run by its own path (not a shim). Everything else (Windows,
 * whose venvs need CPython's launcher copied; Apple's `Python3.framework` behind the `xcrun`
 * stub; pyenv, conda or uv builds on macOS, never checked against CPython's venv there) uses
 * `python -m venv`, and the reason is shown.
 */
export function builtinUnsupportedReason(interpreter: BaseInterpreter): string | undefined {
  const [major = 0, minor = 0] = interpreter.versionInfo;
  if (interpreter.implementation !== 'CPython' && interpreter.implementation !== 'PyPy') return `the builtin creator is proven for CPython and PyPy only, not ${interpreter.implementation}`;
  if (!(major > 3 || (major === 3 && minor >= 3))) return `Python ${interpreter.version} predates venv (3.3)`;
  if (!interpreter.venvPaths?.purelib) return 'the probe reported no venv layout';
  if (interpreter.platform === 'linux') return undefined;
  if (interpreter.platform === 'win32') return 'on Windows python -m venv copies the venv launcher (python.exe) that matches the base';
  if (interpreter.platform !== 'darwin') return `the builtin creator is proven on Linux and macOS only, not ${interpreter.platform}`;
  const kind = macosInstallationKind(interpreter.basePrefix);
  if (kind !== 'python.org' && kind !== 'homebrew') return `${interpreter.basePrefix} is not a python.org or Homebrew framework build, the macOS Pythons the builtin creator is proven for`;
  if (path.resolve(interpreter.executable) !== path.resolve(interpreter.path) && path.dirname(interpreter.executable) !== path.dirname(interpreter.path)) {
    return `${interpreter.path} runs ${interpreter.executable} (a shim or stub), and the venv must point at the interpreter itself`;
  }
  return undefined;
}

/** True when the builtin creator has been proven for this interpreter (see {@link builtinUnsupportedReason}). */
export function builtinSupports(interpreter: BaseInterpreter): boolean {
  return builtinUnsupportedReason(interpreter) === undefined;
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
    ['home', pyvenvHome(interpreter.path, venvPlatformOf(interpreter.platform))],
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

  writeActivationScripts(layout, options.prompt ?? path.basename(dir), 'all');
  if (!options.noVcsIgnore) {
    writeFileSync(path.join(dir, '.gitignore'), '# Created by venv-pilot\n*\n');
    writeFileSync(path.join(dir, 'CACHEDIR.TAG'), 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by venv-pilot.\n# For information about cache directory tags see https://bford.info/cachedir/\n');
  }
  return layout;
}

/**
 * Writes venv-pilot's activation scripts into a venv's scripts folder. `all` writes every script
 * of the venv's platform (the builtin creator, and on Windows after `python -m venv`, so
 * `activate.bat`, `deactivate.bat` and `Activate.ps1` behave the same on every Python version);
 * `missing` writes only those the folder lacks (after `python -m venv` on POSIX: CPython's own
 * scripts stay, `activate.nu` is added).
 *
 * @throws {Error} (a Node file-system error) when the folder cannot be written.
 */
export function writeActivationScripts(layout: VenvLayout, prompt: string, which: 'all' | 'missing'): void {
  for (const [name, text] of Object.entries(activationScripts(layout.dir, prompt, layout.platform ?? venvPlatformOf()))) {
    const file = path.join(layout.bin, name);
    if (which === 'missing' && existsSync(file)) continue;
    writeFileSync(file, text);
  }
}

/**
 * What creation does after `python -m venv --without-pip`: on Windows our own activation scripts
 * replace CPython's (see {@link writeActivationScripts}); on POSIX the ones CPython lacks are
 * added. The prompt is the one given to venv, else the folder's name, as venv's default.
 *
 * @throws {Error} (a Node file-system error) when the folder cannot be written.
 */
export function completeVenvModuleVenv(layout: VenvLayout, prompt: string | undefined): void {
  writeActivationScripts(layout, prompt ?? path.basename(layout.dir), layout.platform === 'win32' ? 'all' : 'missing');
}
