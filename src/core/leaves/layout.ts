/**
 * Where things are in a venv, for each platform: the one place that knows `bin/python` from
 * `Scripts\python.exe`, `lib/pythonX.Y/site-packages` from `Lib\site-packages`, and how
 * `pyvenv.cfg` reads and writes (PEP 405; the stdlib `venv` module's layout). Every other module
 * asks here; lint refuses a `'bin'` literal anywhere else. A leaf: it imports nothing of ours.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The two venv layouts: POSIX (Linux, macOS) and Windows. */
export type VenvPlatform = 'posix' | 'win32';

/** The layout of a platform as Node names it (`process.platform`). */
export function venvPlatformOf(platform: string = process.platform): VenvPlatform {
  return platform === 'win32' ? 'win32' : 'posix';
}

/** Path operations of the layout's own platform, so both layouts are computed (and tested) anywhere. */
const pathFor = (platform: VenvPlatform): path.PlatformPath => (platform === 'win32' ? path.win32 : path.posix);

/** The scripts folder's name inside a venv: `bin`, or `Scripts` on Windows. */
export function scriptsDirName(platform: VenvPlatform = venvPlatformOf()): string {
  return platform === 'win32' ? 'Scripts' : 'bin';
}

/** The scripts folder of a venv (console scripts, activation scripts, the interpreter). */
export function venvScriptsDir(venvDir: string, platform: VenvPlatform = venvPlatformOf()): string {
  return pathFor(platform).join(venvDir, scriptsDirName(platform));
}

/** The interpreter of a venv: `DIR/bin/python`, or `DIR\Scripts\python.exe` on Windows. */
export function venvPython(venvDir: string, platform: VenvPlatform = venvPlatformOf()): string {
  return pathFor(platform).join(venvScriptsDir(venvDir, platform), platform === 'win32' ? 'python.exe' : 'python');
}

/** The interpreter names a venv's scripts folder may hold, first match wins (a PyPy venv has no `python3`). */
export function venvInterpreterNames(platform: VenvPlatform = venvPlatformOf()): string[] {
  return platform === 'win32' ? ['python.exe'] : ['python', 'python3', 'pypy3', 'pypy'];
}

/**
 * The site-packages folders a venv has, in `sys.path` order: on POSIX each
 * `lib/pythonX.Y/site-packages` or `lib/pypyX.Y/site-packages` (the one for `version`, `X.Y`, first), on Windows
 * `Lib\site-packages`. Only folders that exist are listed.
 */
export function venvSitePackagesDirs(venvDir: string, platform: VenvPlatform = venvPlatformOf(), version?: string): string[] {
  const p = pathFor(platform);
  if (platform === 'win32') return [p.join(venvDir, 'Lib', 'site-packages')].filter((dir) => existsSync(dir));
  const lib = p.join(venvDir, 'lib');
  return listFolder(lib)
    .filter((name) => /^(python|pypy)\d/.test(name))
    .sort((a, b) => Number(b.endsWith(version ?? '')) - Number(a.endsWith(version ?? '')))
    .map((name) => p.join(lib, name, 'site-packages'))
    .filter((dir) => existsSync(dir));
}

/** The folders of a venv that creation writes into, absolute. */
export interface VenvLayout {
  readonly dir: string;
  /** The scripts folder. */
  readonly bin: string;
  /** site-packages: where seeds and requirements go. */
  readonly purelib: string;
}

/**
 * The layout a venv of an interpreter has at `dir`, from the sysconfig `venv` scheme the probe
 * reported (`venvPaths`: `purelib`, `scripts`, relative to the venv), else the platform's default.
 */
export function venvLayoutFor(interpreter: { readonly venvPaths?: Readonly<Record<string, string>>; readonly versionInfo: readonly (number | string)[]; readonly platform: string }, dir: string): VenvLayout {
  const platform = venvPlatformOf(interpreter.platform);
  const p = pathFor(platform);
  const [major = 3, minor = 0] = interpreter.versionInfo;
  const purelib = platform === 'win32' ? p.join('Lib', 'site-packages') : p.join('lib', `python${major}.${minor}`, 'site-packages');
  return {
    dir,
    bin: p.join(dir, interpreter.venvPaths?.scripts ?? scriptsDirName(platform)),
    purelib: p.join(dir, interpreter.venvPaths?.purelib ?? purelib),
  };
}

/**
 * Parses `pyvenv.cfg` (PEP 405): `key = value` lines; keys are lower-cased, blank lines and
 * lines without `=` are ignored, as `site.py` does.
 */
export function parsePyvenvCfg(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    if (key) result[key] = line.slice(eq + 1).trim();
  }
  return result;
}

/** `pyvenv.cfg` text for `entries`, in order: `key = value` lines, as the stdlib venv writes them. */
export function formatPyvenvCfg(entries: readonly (readonly [string, string])[]): string {
  return entries.map(([key, value]) => `${key} = ${value}\n`).join('');
}

/** The `pyvenv.cfg` of the venv at `venvDir`. */
export function pyvenvCfgPath(venvDir: string): string {
  return path.join(venvDir, 'pyvenv.cfg');
}

/** Reads `DIR/pyvenv.cfg`; `undefined` when DIR is not a venv. */
export function readPyvenvCfg(venvDir: string): Record<string, string> | undefined {
  try {
    return parsePyvenvCfg(readFileSync(pyvenvCfgPath(venvDir), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The venv folder that owns an interpreter in its scripts folder (`DIR/bin/python`), if `DIR/pyvenv.cfg` exists. */
export function owningVenv(exe: string): string | undefined {
  const dir = path.dirname(path.dirname(exe));
  return readPyvenvCfg(dir) ? dir : undefined;
}

/** `venv` for a PEP 405 venv, `virtualenv` when virtualenv made it (its pyvenv.cfg has a `virtualenv` key); `undefined` when `dir` is not one. */
export function venvKind(dir: string): 'venv' | 'virtualenv' | undefined {
  const cfg = readPyvenvCfg(dir);
  if (!cfg) return undefined;
  return 'virtualenv' in cfg ? 'virtualenv' : 'venv';
}

/** The entries of a folder in name order; empty when it cannot be read (absent, not a folder, no permission). */
export function listFolder(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
