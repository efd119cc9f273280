import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Candidate, InterpreterKind, LocatorName } from '../types';
import { venvInterpreterNames, venvKind, venvPlatformOf, venvScriptsDir } from '../../../leaves/layout';

/**
 * What every locator is given. Locators only read the filesystem; they never run anything.
 * On Windows, discovery captures `reg query` and `py --list-paths` output first and passes it in.
 */
export interface LocatorContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly home: string;
  readonly platform: NodeJS.Platform;
  readonly workspaceFolders: readonly string[];
  /** `venvPilot.discovery.workspaceSearchPaths`: folders (relative to each workspace folder, or absolute) holding venvs. */
  readonly workspaceSearchPaths?: readonly string[];
  /** `venvPilot.discovery.extraSearchPaths`: interpreters, bin folders, environments, or folders of environments. */
  readonly extraSearchPaths?: readonly string[];
  /** Output of `reg query HKCU\Software\Python /s` and the HKLM equivalent (Windows only). */
  readonly registryOutput?: string;
  /** Output of `py --list-paths` (Windows only). */
  readonly pyLauncherOutput?: string;
}

/** A locator turns a {@link LocatorContext} into candidate executables. */
export type Locator = (context: LocatorContext) => Candidate[];

/** Interpreter file names worth probing: python, python3, python3.12, pypy, pypy3, pypy3.10 (and `.exe` on Windows). */
export const INTERPRETER_NAME = /^(python|pypy)(\d+(\.\d+)?)?(\.exe)?$/i;

/** Joins in the separator style of `base`: Windows paths stay Windows paths even when tests run on Linux. */
export function joinLike(base: string, ...parts: string[]): string {
  return (base.includes('\\') ? path.win32 : path.posix).join(base, ...parts);
}

/** Folder entries, sorted; an unreadable or missing folder has none. */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** A file or a symlink, even a dangling one, but not a folder. */
export function isPresent(p: string): boolean {
  try {
    return !lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A folder (following links). */
export function isDir(p: string): boolean {
  try {
    return readdirSync(p) !== undefined;
  } catch {
    return false;
  }
}

/** Every interpreter-named file in `dir`, in name order (so `python3` comes before `python3.12`). */
export function interpretersIn(dir: string, props: Omit<Candidate, 'path'>, platform: NodeJS.Platform): Candidate[] {
  return listDir(dir)
    .filter((name) => INTERPRETER_NAME.test(name) && (platform === 'win32') === /\.exe$/i.test(name))
    .map((name) => ({ ...props, path: joinLike(dir, name) }));
}

/** The interpreter of an environment or installation folder: `bin/python3`/`bin/python` on POSIX; `Scripts\python.exe` or `python.exe` on Windows. */
export function envInterpreter(dir: string, platform: NodeJS.Platform): string | undefined {
  const layout = venvPlatformOf(platform);
  const scripts = venvScriptsDir(dir, layout);
  // A Windows installation (not a venv) keeps python.exe at its top level.
  const options = [...venvInterpreterNames(layout).map((name) => joinLike(scripts, name)), ...(layout === 'win32' ? [joinLike(dir, 'python.exe')] : [])];
  return options.find(isPresent);
}

export { venvKind } from '../../../leaves/layout';

/** Candidates for each child folder of `parent` that holds an interpreter, named after the folder. */
export function childEnvironments(parent: string, kind: InterpreterKind, locator: LocatorName, platform: NodeJS.Platform): Candidate[] {
  return listDir(parent).flatMap((name) => {
    const exe = envInterpreter(path.join(parent, name), platform);
    return exe ? [{ path: exe, kind, locator, envName: name }] : [];
  });
}

/** Folders holding a `pyvenv.cfg` at most `depth` levels below `root` (the root itself included), skipping VCS and node_modules. */
export function venvsBelow(root: string, depth: number): string[] {
  if (venvKind(root)) return [root];
  if (depth === 0) return [];
  return listDir(root)
    .filter((name) => name !== 'node_modules' && name !== '.git')
    .flatMap((name) => {
      const child = path.join(root, name);
      return isDir(child) ? venvsBelow(child, depth - 1) : [];
    });
}

/** `$XDG_DATA_HOME`, else `~/.local/share` (XDG Base Directory spec). */
export function dataHome(context: LocatorContext): string {
  return context.env.XDG_DATA_HOME || path.join(context.home, '.local', 'share');
}
