import { existsSync, mkdirSync } from 'node:fs';
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
