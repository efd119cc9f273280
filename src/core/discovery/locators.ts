import { existsSync, lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Candidate } from './types';

/**
 * What every locator is given: the process environment, the home directory and the
 * workspace folders. Locators only read directories; they never run anything.
 */
export interface LocatorContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly home: string;
  readonly workspaceFolders: readonly string[];
}

/** A locator turns a {@link LocatorContext} into candidate executables. */
export type Locator = (context: LocatorContext) => Candidate[];

/** Interpreter file names worth probing: python, python3, python3.12, pypy, pypy3, pypy3.10. */
export const INTERPRETER_NAME = /^(python|pypy)(\d+(\.\d+)?)?$/;

/** Directories whose programs are shims (shell scripts that re-dispatch), never interpreters. */
function shimDirectories(context: LocatorContext): Set<string> {
  return new Set([path.join(pyenvRoot(context), 'shims'), path.join(context.home, '.asdf', 'shims')]);
}

function pyenvRoot(context: LocatorContext): string {
  return context.env.PYENV_ROOT || path.join(context.home, '.pyenv');
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function interpretersIn(dir: string, source: Candidate['source']): Candidate[] {
  return listDir(dir)
    .filter((name) => INTERPRETER_NAME.test(name))
    .map((name) => ({ path: path.join(dir, name), source }));
}

/** Every directory on PATH, skipping pyenv/asdf shim directories (their versions are found directly). */
export const pathLocator: Locator = (context) => {
  const shims = shimDirectories(context);
  const dirs = (context.env.PATH ?? '').split(path.delimiter).filter((d) => path.isAbsolute(d) && !shims.has(path.normalize(d)));
  return [...new Set(dirs)].flatMap((dir) => interpretersIn(dir, 'path'));
};

/** The distribution's own directories, whether or not they are on PATH. */
export const systemLocator: Locator = () => ['/usr/bin', '/usr/local/bin'].flatMap((dir) => interpretersIn(dir, 'system'));

/** `$PYENV_ROOT/versions/*\/bin/python`: the real interpreters behind pyenv's shims. */
export const pyenvLocator: Locator = (context) => {
  const versions = path.join(pyenvRoot(context), 'versions');
  return listDir(versions).flatMap((version) => {
    const bin = path.join(versions, version, 'bin');
    const exe = ['python', 'python3', 'pypy3', 'pypy'].map((n) => path.join(bin, n)).find((p) => existsSync(p));
    return exe ? [{ path: exe, source: 'pyenv' as const }] : [];
  });
};

/** `.venv`, `venv`, and any direct child folder holding a `pyvenv.cfg` (PEP 405), in each workspace folder. */
export const workspaceLocator: Locator = (context) =>
  context.workspaceFolders.flatMap((folder) => {
    const venvDirs = new Set(['.venv', 'venv', ...listDir(folder).filter((child) => existsSync(path.join(folder, child, 'pyvenv.cfg')))]);
    return [...venvDirs].flatMap((child) => {
      const exe = venvInterpreterPath(path.join(folder, child));
      return isPresent(exe) ? [{ path: exe, source: 'workspace' as const }] : [];
    });
  });

/** The interpreter inside a POSIX venv: `DIR/bin/python`. */
export function venvInterpreterPath(venvDir: string): string {
  return path.join(venvDir, 'bin', 'python');
}

/** A file or a symlink, even a dangling one: discovery reports a venv whose base interpreter is gone. */
function isPresent(p: string): boolean {
  try {
    return !lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** All locators in listing priority order. */
export const LOCATORS: readonly Locator[] = [workspaceLocator, pyenvLocator, pathLocator, systemLocator];
