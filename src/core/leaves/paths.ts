import { accessSync, constants, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The per-user cache folder (XDG Base Directory spec): `$XDG_CACHE_HOME/venv-pilot`, else `~/.cache/venv-pilot`. */
export function userCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'venv-pilot');
}

/** The interpreter probe cache inside a cache folder. */
export function probeCacheFile(cacheDir: string): string {
  return path.join(cacheDir, 'interpreters.json');
}

/** The app-data folder for seed install images inside a cache folder. */
export function seedCacheDir(cacheDir: string): string {
  return path.join(cacheDir, 'seed');
}

/** The folder of per-script environments inside a cache folder. */
export function scriptsCacheDir(cacheDir: string): string {
  return path.join(cacheDir, 'scripts');
}

/** The first executable file called `name` in the PATH folders, as a shell finds it (virtualenv's reading of a spec that is no version). */
export function onPath(name: string, pathVariable: string): string | undefined {
  for (const dir of pathVariable.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // Not here, or not executable: go on.
    }
  }
  return undefined;
}
