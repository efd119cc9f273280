import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cacheKey, uniqueSuffix } from '../../leaves/cacheKey';
import type { BaseInterpreter } from '../discovery/types';
import { run, type CommandLogger } from '../../leaves/process';
import { isolatedEnv, isolatedModule } from '../../leaves/pythonScripts';
import type { SeedWheel } from './wheels';
import { UserError } from '../../leaves/errors';
import { consoleScriptFileName, scriptsDirName, venvPlatformOf } from '../../leaves/layout';

/** A console script a seed installs: `name = module:attr` from `entry_points.txt`. */
export interface ConsoleScript {
  readonly name: string;
  readonly module: string;
  readonly attr: string;
}

/** What an install image holds, relative to its `site/` folder, listed so seeding needs no directory walk. */
export interface ImageManifest {
  readonly project: string;
  readonly version: string;
  /** Folders, parents before children. */
  readonly dirs: readonly string[];
  /** Files, including precompiled `.pyc` and the dist-info's RECORD and INSTALLER. */
  readonly files: readonly string[];
  readonly scripts: readonly ConsoleScript[];
}

/** An unpacked, precompiled wheel for one interpreter version, shared by every venv seeded from it. */
export interface SeedImage {
  /** The folder whose `site/` is laid into site-packages. */
  readonly dir: string;
  readonly manifest: ImageManifest;
}

const MANIFEST = 'manifest.json';

/** Parses the `[console_scripts]` section of an `entry_points.txt`. */
export function parseConsoleScripts(text: string): ConsoleScript[] {
  const scripts: ConsoleScript[] = [];
  let inSection = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) inSection = line === '[console_scripts]';
    else if (inSection) {
      const m = /^([^=\s]+)\s*=\s*([\w.]+)\s*:\s*([\w.]+)/.exec(line);
      if (m?.[1] && m[2] && m[3]) scripts.push({ name: m[1], module: m[2], attr: m[3] });
    }
  }
  return scripts;
}

/**
 * Version-suffixed scripts name the interpreter they run with, as pip does on install:
 * `pip3.10` from the wheel becomes `pip3.12` for Python 3.12, and `pip3` is added when missing.
 */
export function scriptsForPython(scripts: readonly ConsoleScript[], major: number, minor: number): ConsoleScript[] {
  const renamed = scripts.map((s) => {
    const m = /^(.*?)(-?)(\d+)\.(\d+)$/.exec(s.name);
    return m ? { ...s, name: `${m[1]}${m[2]}${major}.${minor}` } : s;
  });
  const byName = new Map(renamed.map((s) => [s.name, s]));
  for (const s of renamed) {
    const versioned = /^(.*?)(-?)\d+\.\d+$/.exec(s.name);
    if (versioned && !byName.has(`${versioned[1]}${versioned[2]}${major}`)) byName.set(`${versioned[1]}${versioned[2]}${major}`, { ...s, name: `${versioned[1]}${versioned[2]}${major}` });
  }
  return [...byName.values()];
}

/** The cache folder for one wheel on one interpreter version and venv layout. */
export function imageDir(cacheDir: string, wheel: SeedWheel, interpreter: BaseInterpreter): string {
  const size = statSync(wheel.path).size;
  const [major, minor] = interpreter.versionInfo;
  const layout = `${interpreter.venvPaths?.purelib}|${interpreter.venvPaths?.scripts}|${size}`;
  const key = `${interpreter.implementation.toLowerCase()}${major}.${minor}-${cacheKey(layout).slice(0, 10)}`;
  return path.join(cacheDir, 'images', path.basename(wheel.path, '.whl'), key);
}

/** True when the image of `wheel` for `interpreter` has been built (so the wheel was found to fit before). */
export function hasImage(cacheDir: string, wheel: SeedWheel, interpreter: BaseInterpreter): boolean {
  return existsSync(path.join(imageDir(cacheDir, wheel, interpreter), MANIFEST));
}

/** Reads an existing image, or `undefined` when it has not been built. */
export function readImage(dir: string): SeedImage | undefined {
  try {
    return { dir, manifest: JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8')) as ImageManifest };
  } catch {
    return undefined;
  }
}

/**
 * The install image of `wheel` for `interpreter`, building it on first use: the wheel unpacked,
 * `.pyc` precompiled by the target interpreter, INSTALLER and a complete RECORD (PEP 376) written.
 * Two processes may build the same image at once: each builds in its own temporary folder and
 * the first rename wins.
 *
 * @throws {ProcessError} only if the interpreter cannot run at all; a file that fails to compile just stays uncompiled.
 */
export async function ensureImage(wheel: SeedWheel, interpreter: BaseInterpreter, cacheDir: string, options: { log?: CommandLogger; signal?: AbortSignal } = {}): Promise<SeedImage> {
  const dir = imageDir(cacheDir, wheel, interpreter);
  const existing = readImage(dir);
  if (existing) return existing;
  const tmp = `${dir}.tmp-${uniqueSuffix()}`;
  // RECORD needs real sha256 digests; only building an image loads node:crypto.
  const { createHash } = await import('node:crypto');
  const site = path.join(tmp, 'site');
  try {
    const { unzipSync } = await import('fflate');
    const entries = unzipSync(readFileSync(wheel.path));
    let distInfo = '';
    for (const [name, bytes] of Object.entries(entries)) {
      if (name.endsWith('/')) continue;
      if (!staysInside(site, name)) throw new UserError(`The wheel ${wheel.path} has a file ${name} trying to install outside the target directory; refusing to seed from it`);
      // *.data/purelib and *.data/platlib belong in site-packages; seeds ship nothing else there.
      const target = name.replace(/^[^/]+\.data\/(purelib|platlib)\//, '');
      if (/^[^/]+\.data\//.test(target)) continue;
      if (/^[^/]+\.dist-info\/$/.test(path.posix.dirname(target) + '/')) distInfo = path.posix.dirname(target);
      mkdirSync(path.join(site, path.dirname(target)), { recursive: true });
      writeFileSync(path.join(site, target), bytes);
    }
    if (!distInfo) throw new Error(`${wheel.path} has no .dist-info folder`);
    writeFileSync(path.join(site, distInfo, 'INSTALLER'), 'venv-pilot\n');
    // Isolated: a compileall.py in the working folder must not run (and cache an image without .pyc).
    const compile = isolatedModule(interpreter.path, 'compileall', ['-q', site], ['-E', '-s']);
    await run(compile.argv, { display: compile.display, log: options.log, signal: options.signal, env: isolatedEnv() }).catch(() => undefined);

    const [major = 3, minor = 0] = interpreter.versionInfo;
    const entryPoints = path.join(site, distInfo, 'entry_points.txt');
    const scripts = existsSync(entryPoints) ? scriptsForPython(parseConsoleScripts(readFileSync(entryPoints, 'utf8')), major, minor) : [];
    const unsafe = scripts.find((script) => !isPlainFileName(script.name));
    if (unsafe) throw new UserError(`The wheel ${wheel.path} declares a console script named ${JSON.stringify(unsafe.name)}, which is not a plain file name; refusing to seed from it`);
    const { dirs, files } = walk(site);
    // RECORD paths use `/` (PEP 376); a Windows probe reports `Lib\\site-packages`.
    const platform = venvPlatformOf(interpreter.platform);
    const posixRelative = (value: string): string => value.replace(/\\/g, '/');
    const binFromSite = path.posix.relative(posixRelative(interpreter.venvPaths?.purelib ?? (platform === 'win32' ? 'Lib/site-packages' : 'lib/site-packages')), posixRelative(interpreter.venvPaths?.scripts ?? scriptsDirName(platform)));
    const recordFile = `${distInfo}/RECORD`;
    const record = [
      ...files.filter((file) => file !== recordFile).map((file) => {
        const bytes = readFileSync(path.join(site, file));
        return `${file},sha256=${createHash('sha256').update(bytes).digest('base64url')},${bytes.length}`;
      }),
      ...scripts.map((s) => `${binFromSite}/${consoleScriptFileName(s.name, platform)},,`),
      `${recordFile},,`,
    ];
    writeFileSync(path.join(site, recordFile), record.join('\n') + '\n');
    const manifest: ImageManifest = { project: wheel.project, version: wheel.version, dirs, files: files.includes(recordFile) ? files : [...files, recordFile], scripts };
    writeFileSync(path.join(tmp, MANIFEST), JSON.stringify(manifest));
    mkdirSync(path.dirname(dir), { recursive: true });
    try {
      renameSync(tmp, dir);
    } catch {
      // Another process finished the same image first; use theirs.
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  const built = readImage(dir);
  if (!built) throw new Error(`The seed image at ${dir} could not be read back`);
  return built;
}

/**
 * True when archive member `name` lands inside `root`: not absolute, no `..` climbing out, no
 * drive or backslash tricks. The check pip makes before extracting a wheel ("trying to install
 * outside the target directory").
 */
export function staysInside(root: string, name: string): boolean {
  if (name.includes('\0') || name.includes('\\') || path.posix.isAbsolute(name) || /^[A-Za-z]:/.test(name)) return false;
  const relative = path.relative(root, path.resolve(root, name));
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/** A console script name usable as a file in `bin`: no folder parts, not `.` or `..`, no control characters. */
export function isPlainFileName(name: string): boolean {
  return name !== '.' && name !== '..' && !/[/\\\x00-\x1f]/.test(name);
}

/** Every folder (parents first) and file below `root`, as POSIX relative paths. */
function walk(root: string): { dirs: string[]; files: string[] } {
  const dirs: string[] = [];
  const files: string[] = [];
  const visit = (rel: string): void => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        dirs.push(child);
        visit(child);
      } else files.push(child);
    }
  };
  visit('');
  return { dirs, files };
}
