import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Candidate } from '../types';
import { childEnvironments, dataHome, envInterpreter, joinLike, listDir, venvKind, type Locator, type LocatorContext } from './context';

/** The version names a `.python-version` file lists (pyenv allows several, one per line or space-separated). */
export function parsePythonVersionFile(text: string): string[] {
  return text
    .split(/\s+/)
    .map((v) => v.trim())
    .filter((v) => v && !v.startsWith('#'));
}

/** `.python-version` files of the workspace folders, with the versions each selects. */
function pythonVersionFiles(context: LocatorContext): { file: string; versions: string[] }[] {
  return context.workspaceFolders.flatMap((folder) => {
    const file = path.join(folder, '.python-version');
    try {
      return [{ file, versions: parsePythonVersionFile(readFileSync(file, 'utf8')) }];
    } catch {
      return [];
    }
  });
}

/**
 * pyenv: `$PYENV_ROOT/versions/*` (default `~/.pyenv`). pyenv-virtualenv environments
 * (`versions/NAME` linking to `versions/BASE/envs/NAME`, or the `envs` folders themselves) are
 * venvs of their base version. A version selected by a workspace `.python-version` is marked.
 */
export const pyenvLocator: Locator = (context) => {
  const versions = joinLike(pyenvRoot(context), 'versions');
  const selections = pythonVersionFiles(context);
  const selectedBy = (name: string): string | undefined => selections.find((s) => s.versions.includes(name))?.file;
  return listDir(versions).flatMap((name): Candidate[] => {
    const dir = path.join(versions, name);
    const exe = envInterpreter(dir, context.platform);
    const own: Candidate[] = exe ? [{ path: exe, kind: venvKind(dir) ?? 'pyenv', locator: 'pyenv', envName: name, selectedBy: selectedBy(name) }] : [];
    const envs = listDir(path.join(dir, 'envs')).flatMap((env): Candidate[] => {
      const envDir = path.join(dir, 'envs', env);
      const envExe = envInterpreter(envDir, context.platform);
      return envExe ? [{ path: envExe, kind: venvKind(envDir) ?? 'venv', locator: 'pyenv', envName: env, selectedBy: selectedBy(env) }] : [];
    });
    return [...own, ...envs];
  });
};

/**
 * pyenv's root: `$PYENV_ROOT`, else `~/.pyenv`. pyenv-win keeps its versions one level down, in
 * `%USERPROFILE%\\.pyenv\\pyenv-win\\versions\\X.Y.Z\\python.exe`; its installer sets
 * `PYENV_ROOT` (and `PYENV`) to that `pyenv-win` folder.
 */
function pyenvRoot(context: LocatorContext): string {
  if (context.platform === 'win32') return context.env.PYENV_ROOT || context.env.PYENV || joinLike(context.home, '.pyenv', 'pyenv-win');
  return context.env.PYENV_ROOT || path.join(context.home, '.pyenv');
}

/** asdf: `$ASDF_DATA_DIR/installs/python/*` (default `~/.asdf`). */
export const asdfLocator: Locator = (context) =>
  childEnvironments(path.join(context.env.ASDF_DATA_DIR || path.join(context.home, '.asdf'), 'installs', 'python'), 'asdf', 'asdf', context.platform);

/** mise: `$MISE_DATA_DIR/installs/python/*` (default `$XDG_DATA_HOME/mise`, `~/.local/share/mise`). */
export const miseLocator: Locator = (context) =>
  childEnvironments(path.join(context.env.MISE_DATA_DIR || path.join(dataHome(context), 'mise'), 'installs', 'python'), 'mise', 'mise', context.platform);

/**
 * uv-managed Pythons: `$UV_PYTHON_INSTALL_DIR/*`, else `python` in uv's data folder (uv's storage
 * reference): `$XDG_DATA_HOME/uv/python` on Linux and macOS; on Windows `%APPDATA%\\uv\\data\\python`,
 * and `%APPDATA%\\uv\\python`, where earlier uv releases put them.
 */
export const uvLocator: Locator = (context) => {
  if (context.env.UV_PYTHON_INSTALL_DIR) return childEnvironments(context.env.UV_PYTHON_INSTALL_DIR, 'uv', 'uv', context.platform);
  if (context.platform !== 'win32') return childEnvironments(path.join(dataHome(context), 'uv', 'python'), 'uv', 'uv', context.platform);
  const appData = context.env.APPDATA || joinLike(context.home, 'AppData', 'Roaming');
  return [joinLike(appData, 'uv', 'data', 'python'), joinLike(appData, 'uv', 'python')].flatMap((dir) => childEnvironments(dir, 'uv', 'uv', context.platform));
};
