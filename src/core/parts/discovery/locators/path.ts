import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { Candidate } from '../types';
import { HOMEBREW_PREFIXES, homebrewBinDirs, installationBinDir, MACOS_FRAMEWORK_VERSIONS, XCODE_PYTHONS } from '../../../leaves/layout';
import { dataHome, interpretersIn, isPresent, listDir, type Locator, type LocatorContext } from './context';

/** Folders of shims (scripts or links that re-dispatch to a version manager), never interpreters. */
export function shimDirectories(context: LocatorContext): Set<string> {
  return new Set([
    path.join(context.env.PYENV_ROOT || path.join(context.home, '.pyenv'), 'shims'),
    path.join(context.env.ASDF_DATA_DIR || path.join(context.home, '.asdf'), 'shims'),
    path.join(context.env.MISE_DATA_DIR || path.join(dataHome(context), 'mise'), 'shims'),
  ]);
}

/**
 * Every folder on PATH, in order, skipping version-manager shim folders (their versions are found
 * directly) and folders that are another PATH folder under a second name (`/bin` and `/usr/bin`
 * on merged-/usr systems): each is listed once, under its first name.
 */
export const pathLocator: Locator = (context) => {
  const shims = shimDirectories(context);
  const delimiter = context.platform === 'win32' ? ';' : ':';
  const dirs = (context.env.PATH ?? context.env.Path ?? '').split(delimiter).filter((d) => d && !shims.has(path.normalize(d)));
  const seen = new Set<string>();
  return dirs.flatMap((dir) => {
    const real = realDir(dir);
    if (seen.has(real)) return [];
    seen.add(real);
    return interpretersIn(dir, { kind: 'system', locator: 'path' }, context.platform);
  });
};

/** A folder's real path, or the path as given when it cannot be resolved (missing, or a Windows path tested on Linux). */
function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/**
 * The distributions' folders, Homebrew's (both prefixes: `/opt/homebrew` on Apple silicon,
 * `/usr/local` on Intel, each with its `bin` and its Cellar kegs), and on macOS python.org's
 * framework builds (`/Library/Frameworks/Python.framework/Versions/X.Y/bin`) and the `python3` of
 * Xcode and of the Command Line Tools, whether or not any is on PATH. `root` is `/` except in a
 * simulation, which lays those folders out below a temporary folder.
 */
export function systemInstallations(context: LocatorContext, root: string): Candidate[] {
  if (context.platform === 'win32') return [];
  const under = (absolute: string): string => path.posix.join(root, absolute);
  const frameworks =
    context.platform === 'darwin'
      ? listDir(under(MACOS_FRAMEWORK_VERSIONS))
          // `Current` is a link to one of the versions, found under its own name.
          .filter((version) => version !== 'Current')
          .map((version) => installationBinDir(path.posix.join(under(MACOS_FRAMEWORK_VERSIONS), version)))
      : [];
  const dirs = [under('/usr/bin'), ...HOMEBREW_PREFIXES.flatMap((prefix) => homebrewBinDirs(under(prefix))), ...frameworks];
  const apple = context.platform === 'darwin' ? XCODE_PYTHONS.map(under).filter(isPresent).map((exe): Candidate => ({ path: exe, kind: 'system', locator: 'system' })) : [];
  return [...[...new Set(dirs)].flatMap((dir) => interpretersIn(dir, { kind: 'system', locator: 'system' }, context.platform)), ...apple];
}

/** {@link systemInstallations} on this machine's own folders. */
export const systemLocator: Locator = (context) => systemInstallations(context, '/');
