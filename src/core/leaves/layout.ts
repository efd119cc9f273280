/**
 * Where things are in a venv, for each platform: the one place that knows `bin/python` from
 * `Scripts\python.exe`, `lib/pythonX.Y/site-packages` from `Lib\site-packages`, and how
 * `pyvenv.cfg` reads and writes (PEP 405; the stdlib `venv` module's layout). It also knows where
 * the installations venvs are made from keep their interpreters: macOS framework builds
 * (python.org, Homebrew, Xcode), Homebrew's prefixes, and Windows installation folders. Every
 * other module asks here; lint refuses a `'bin'` literal anywhere else. A leaf: it imports
 * nothing of ours.
 *
 * Every function takes the platform as a parameter, so both layouts are computed (and tested)
 * on any machine. A Windows layout at a POSIX absolute path (`/tmp/x`) is a simulation: a tree
 * laid out the Windows way on Linux, joined with `/` so it can be written and read there.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The two venv layouts: POSIX (Linux, macOS) and Windows. */
export type VenvPlatform = 'posix' | 'win32';

/** The layout of a platform as Node names it (`process.platform`). */
export function venvPlatformOf(platform: string = process.platform): VenvPlatform {
  return platform === 'win32' ? 'win32' : 'posix';
}

/**
 * Path operations of the layout's own platform, so both layouts are computed (and tested)
 * anywhere: Windows paths for the Windows layout, except at a POSIX absolute path (no backslash,
 * a leading `/`), which on Windows itself never reaches here resolved, and on Linux is a
 * Windows-shaped tree a simulation laid out.
 */
function pathFor(platform: VenvPlatform, base?: string): path.PlatformPath {
  if (platform === 'posix') return path.posix;
  return base !== undefined && base.startsWith('/') && !base.includes('\\') ? path.posix : path.win32;
}

/** The scripts folder's name inside a venv: `bin`, or `Scripts` on Windows. */
export function scriptsDirName(platform: VenvPlatform = venvPlatformOf()): string {
  return platform === 'win32' ? 'Scripts' : 'bin';
}

/** The scripts folder of a venv (console scripts, activation scripts, the interpreter). */
export function venvScriptsDir(venvDir: string, platform: VenvPlatform = venvPlatformOf()): string {
  return pathFor(platform, venvDir).join(venvDir, scriptsDirName(platform));
}

/** The interpreter of a venv: `DIR/bin/python`, or `DIR\Scripts\python.exe` on Windows. */
export function venvPython(venvDir: string, platform: VenvPlatform = venvPlatformOf()): string {
  return pathFor(platform, venvDir).join(venvScriptsDir(venvDir, platform), platform === 'win32' ? 'python.exe' : 'python');
}

/**
 * The interpreter a venv runs GUI programs with, without a console window: `Scripts\pythonw.exe`
 * on Windows (CPython's venv copies it beside `python.exe`); on POSIX there is no such thing, so
 * the plain interpreter.
 */
export function venvGuiPython(venvDir: string, platform: VenvPlatform = venvPlatformOf()): string {
  return platform === 'win32' ? pathFor(platform, venvDir).join(venvScriptsDir(venvDir, platform), 'pythonw.exe') : venvPython(venvDir, platform);
}

/**
 * The file name a console script gets in a venv's scripts folder: the name itself on POSIX (a
 * text file with a shebang), `NAME.exe` on Windows (a launcher, as pip writes it through
 * distlib's `ScriptMaker`).
 */
export function consoleScriptFileName(name: string, platform: VenvPlatform = venvPlatformOf()): string {
  return platform === 'win32' ? `${name}.exe` : name;
}

/**
 * `home` in a venv's pyvenv.cfg: the folder of the base interpreter (PEP 405; CPython's `venv`
 * writes `os.path.dirname(sys._base_executable)`), so `C:\Python312` for
 * `C:\Python312\python.exe` on Windows and `/usr/bin` for `/usr/bin/python3` on POSIX.
 */
export function pyvenvHome(baseExecutable: string, platform: VenvPlatform = venvPlatformOf()): string {
  return pathFor(platform, baseExecutable).dirname(baseExecutable);
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
  const p = pathFor(platform, venvDir);
  if (platform === 'win32') return [p.join(venvDir, 'Lib', 'site-packages')].filter((dir) => existsSync(dir));
  const lib = p.join(venvDir, 'lib');
  return listFolder(lib)
    .filter((name) => /^(python|pypy)\d/.test(name))
    .sort((a, b) => Number(b.endsWith(version ?? '')) - Number(a.endsWith(version ?? '')))
    .map((name) => p.join(lib, name, 'site-packages'))
    .filter((dir) => existsSync(dir));
}

/**
 * How console scripts are written into a venv's scripts folder: text files with a shebang on
 * POSIX; on Windows `.exe` launchers for the interpreter's platform tag (what
 * `sysconfig.get_platform()` says: `win32` for a 32-bit build, `win-amd64`, `win-arm64`), which
 * decides the launcher template distlib picks.
 */
export type ScriptStyle = { readonly kind: 'shebang' } | { readonly kind: 'launcher'; readonly tag: 'win32' | 'win-amd64' | 'win-arm64' };

/**
 * The script style of a venv of `interpreter`. distlib's `_get_launcher` picks by pointer size
 * (`struct.calcsize('P')`) and `get_platform() == 'win-arm64'`; the probe reports the pointer size
 * (`bits`) and `platform.machine()`, which on an ARM64 build says `ARM64`.
 */
export function scriptStyleOf(interpreter: { readonly platform: string; readonly bits?: number; readonly machine?: string }): ScriptStyle {
  if (venvPlatformOf(interpreter.platform) !== 'win32') return { kind: 'shebang' };
  if (interpreter.bits === 32) return { kind: 'launcher', tag: 'win32' };
  return { kind: 'launcher', tag: /^(arm64|aarch64)$/i.test(interpreter.machine ?? '') ? 'win-arm64' : 'win-amd64' };
}

/** The folders of a venv that creation writes into, absolute. */
export interface VenvLayout {
  readonly dir: string;
  /** The scripts folder. */
  readonly bin: string;
  /** site-packages: where seeds and requirements go. */
  readonly purelib: string;
  /** Which layout (default: this machine's). */
  readonly platform?: VenvPlatform;
  /** The venv's interpreter, as console scripts name it. */
  readonly python?: string;
  /** How console scripts are written (default: shebang scripts). */
  readonly scripts?: ScriptStyle;
}

/**
 * The layout a venv of an interpreter has at `dir`, from the sysconfig `venv` scheme the probe
 * reported (`venvPaths`: `purelib`, `scripts`, relative to the venv), else the platform's default.
 */
export function venvLayoutFor(
  interpreter: { readonly venvPaths?: Readonly<Record<string, string>>; readonly versionInfo: readonly (number | string)[]; readonly platform: string; readonly bits?: number; readonly machine?: string },
  dir: string,
): VenvLayout {
  const platform = venvPlatformOf(interpreter.platform);
  const p = pathFor(platform, dir);
  const [major = 3, minor = 0] = interpreter.versionInfo;
  // The probe reports Windows paths with backslashes; a simulation joins with `/`.
  const relative = (value: string): string => value.split(/[\\/]/).join(p.sep);
  const purelib = platform === 'win32' ? p.join('Lib', 'site-packages') : p.join('lib', `python${major}.${minor}`, 'site-packages');
  const bin = p.join(dir, relative(interpreter.venvPaths?.scripts ?? scriptsDirName(platform)));
  return {
    dir,
    bin,
    purelib: p.join(dir, relative(interpreter.venvPaths?.purelib ?? purelib)),
    platform,
    python: p.join(bin, platform === 'win32' ? 'python.exe' : 'python'),
    scripts: scriptStyleOf(interpreter),
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

/** The venv folder that owns an interpreter in its scripts folder (`DIR/bin/python`, `DIR\\Scripts\\python.exe`), if `DIR/pyvenv.cfg` exists. */
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

/**
 * Where python.org's macOS installer puts each version: a framework build,
 * `/Library/Frameworks/Python.framework/Versions/X.Y` (the installer's ReadMe; `sys.prefix` of
 * such a build).
 */
export const MACOS_FRAMEWORK_VERSIONS = '/Library/Frameworks/Python.framework/Versions';

/** Homebrew's prefixes: `/opt/homebrew` on Apple silicon, `/usr/local` on Intel (Homebrew's installation docs). */
export const HOMEBREW_PREFIXES: readonly string[] = ['/opt/homebrew', '/usr/local'];

/**
 * The `python3` of Xcode and of the Command Line Tools. Both are framework builds of their own
 * (`Python3.framework`) run through a stub; `/usr/bin/python3` is the `xcrun` shim that picks one.
 */
export const XCODE_PYTHONS: readonly string[] = ['/Applications/Xcode.app/Contents/Developer/usr/bin/python3', '/Library/Developer/CommandLineTools/usr/bin/python3'];

/** The folder of an installation prefix (a POSIX `--prefix`, a framework version, a Homebrew keg) holding its interpreters. */
export function installationBinDir(prefix: string): string {
  return path.posix.join(prefix, 'bin');
}

/** The folders Homebrew puts Pythons in under `prefix`: its `bin` (links), and each `Cellar/python@X.Y/VERSION/bin` keg. */
export function homebrewBinDirs(prefix: string): string[] {
  const cellar = path.posix.join(prefix, 'Cellar');
  const kegs = listFolder(cellar)
    .filter((formula) => /^python(@\d+(\.\d+)?)?$/.test(formula))
    .flatMap((formula) => listFolder(path.posix.join(cellar, formula)).map((version) => installationBinDir(path.posix.join(cellar, formula, version))));
  return [installationBinDir(prefix), ...kegs];
}

/** What kind of macOS installation `prefix` (`sys.prefix`) is: a framework build (python.org's, Homebrew's, or Apple's `Python3.framework` of Xcode and the Command Line Tools), or none of those. */
export function macosInstallationKind(prefix: string): 'python.org' | 'homebrew' | 'apple' | undefined {
  if (/\/Python3\.framework\/Versions\/[^/]+\/?$/.test(prefix)) return 'apple';
  if (!/\/Python\.framework\/Versions\/[^/]+\/?$/.test(prefix)) return undefined;
  if (prefix.startsWith(`${MACOS_FRAMEWORK_VERSIONS}/`)) return 'python.org';
  return HOMEBREW_PREFIXES.some((p) => prefix.startsWith(`${p}/Cellar/`) || prefix.startsWith(`${p}/opt/`)) ? 'homebrew' : undefined;
}

/** The interpreter of a Windows installation folder (python.org's installer, pyenv-win, conda, uv): `python.exe` at its top. */
export function windowsInstallationPython(dir: string): string {
  return pathFor('win32', dir).join(dir, 'python.exe');
}
