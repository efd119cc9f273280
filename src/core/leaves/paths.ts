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
