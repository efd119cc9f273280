import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Candidate } from '../types';
import { childEnvironments, envInterpreter, joinLike, type Locator, type LocatorContext } from './context';

/** Install folders conda's installers default to, under the home folder and under /opt. */
const ROOT_NAMES = ['miniconda3', 'anaconda3', 'miniforge3', 'mambaforge', 'miniconda', 'anaconda'];

/**
 * The install roots conda's installers default to: under the home folder, and for all users
 * `/opt/NAME` on POSIX; on Windows `%ProgramData%\\NAME` (an all-users install) and
 * `%LOCALAPPDATA%\\NAME` (an older per-user default), beside `%USERPROFILE%\\NAME`.
 */
function condaRoots(context: LocatorContext): string[] {
  const home = ROOT_NAMES.map((n) => joinLike(context.home, n));
  if (context.platform !== 'win32') return [...home, ...ROOT_NAMES.map((n) => path.join('/opt', n)), '/opt/conda'];
  const shared = [context.env.ProgramData, context.env.LOCALAPPDATA].flatMap((dir) => (dir ? ROOT_NAMES.map((n) => joinLike(dir, n)) : []));
  return [...home, ...shared];
}

/**
 * conda environments, without running conda: `~/.conda/environments.txt`, `$CONDA_PREFIX`, and
 * the common install roots (their base environment and `envs/*`). A Windows environment keeps
 * `python.exe` at its top, which {@link envInterpreter} finds.
 */
export const condaLocator: Locator = (context) => {
  let listed: string[] = [];
  try {
    listed = readFileSync(path.join(context.home, '.conda', 'environments.txt'), 'utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  } catch {
    // No environments.txt: conda was never used by this user.
  }
  const roots = condaRoots(context);
  const prefixes = [...listed, ...(context.env.CONDA_PREFIX ? [context.env.CONDA_PREFIX] : []), ...roots];
  const named = prefixes.flatMap((prefix): Candidate[] => {
    const exe = envInterpreter(prefix, context.platform);
    const p = prefix.includes('\\') ? path.win32 : path.posix;
    const envName = p.basename(p.dirname(prefix)) === 'envs' ? p.basename(prefix) : 'base';
    return exe ? [{ path: exe, kind: 'conda', locator: 'conda', envName }] : [];
  });
  return [...named, ...roots.flatMap((root) => childEnvironments(joinLike(root, 'envs'), 'conda', 'conda', context.platform))];
};
