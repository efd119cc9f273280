import { realpathSync } from 'node:fs';
import path from 'node:path';
import { dataHome, interpretersIn, listDir, type Locator, type LocatorContext } from './context';

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

/** The distributions' and Homebrew's folders, whether or not they are on PATH, plus the Homebrew Cellar's Pythons. */
export const systemLocator: Locator = (context) => {
  if (context.platform === 'win32') return [];
  const cellarBins = ['/opt/homebrew/Cellar', '/usr/local/Cellar'].flatMap((cellar) =>
    listDir(cellar)
      .filter((formula) => /^python(@\d+(\.\d+)?)?$/.test(formula))
      // eslint-disable-next-line no-restricted-syntax -- Homebrew's keg layout (Cellar/FORMULA/VERSION/bin), not a venv's.
      .flatMap((formula) => listDir(path.join(cellar, formula)).map((version) => path.join(cellar, formula, version, 'bin'))),
  );
  return ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin', ...cellarBins].flatMap((dir) => interpretersIn(dir, { kind: 'system', locator: 'system' }, context.platform));
};
