import { existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Creates `dir` and its parents, like `mkdir -p`. On failure the error carries the real cause:
 * Node's recursive mkdir reports ENOENT for a read-only file system (and for a parent it may not
 * write), so the first missing folder is created on its own to get EROFS, EACCES or ENOSPC.
 *
 * @throws the file system's error (with `code`), for `describeFsError`.
 */
export function ensureFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    let missing = path.resolve(dir);
    while (!existsSync(path.dirname(missing)) && path.dirname(missing) !== missing) missing = path.dirname(missing);
    // Throws the real cause; if it works (another process was faster), the rest can be made too.
    mkdirSync(missing);
    mkdirSync(dir, { recursive: true });
  }
}

/**
 * Bytes under `dir`, links not followed and each inode counted once: a venv's seed files are
 * hard links into the app data, so counting paths would report space it does not take.
 * Unreadable parts count as nothing.
 */
export function folderSize(dir: string): number {
  const seen = new Set<string>();
  let total = 0;
  const walk = (current: string): void => {
    let names: string[];
    try {
      names = readdirSync(current);
    } catch {
      return;
    }
    for (const name of names) {
      const entry = path.join(current, name);
      let stat;
      try {
        stat = lstatSync(entry);
      } catch {
        continue;
      }
      if (stat.isDirectory()) walk(entry);
      else if (!seen.has(`${stat.dev}:${stat.ino}`)) {
        seen.add(`${stat.dev}:${stat.ino}`);
        total += stat.size;
      }
    }
  };
  walk(dir);
  return total;
}
