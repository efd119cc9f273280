import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from './errors';

/** This module's folder: `__dirname` in the CommonJS bundles, `import.meta.url` when run as ES modules (tests). */
function moduleDir(): string {
  return typeof __dirname === 'string' ? __dirname : path.dirname(fileURLToPath(import.meta.url));
}

/**
 * Absolute path of a script from the repository's `python/` folder. The folder sits beside
 * `dist/` in the bundle and beside `src/` in the source tree, so search upwards from here.
 *
 * @throws {UserError} when the installation is incomplete and the script is missing.
 */
export function pythonScriptPath(name: string, from: string = moduleDir()): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'python', name);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new UserError(`venv-pilot is incomplete: python/${name} was not found above ${from}`);
  }
}
