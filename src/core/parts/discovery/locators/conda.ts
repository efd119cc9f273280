import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Candidate } from '../types';
import { childEnvironments, envInterpreter, type Locator } from './context';

/** Install folders conda's installers default to, under the home folder and under /opt. */
const ROOT_NAMES = ['miniconda3', 'anaconda3', 'miniforge3', 'mambaforge', 'miniconda', 'anaconda'];

/**
 * conda environments, without running conda: `~/.conda/environments.txt`, `$CONDA_PREFIX`, and
 * the common install roots (their base environment and `envs/*`).
 */
export const condaLocator: Locator = (context) => {
  let listed: string[] = [];
  try {
    listed = readFileSync(path.join(context.home, '.conda', 'environments.txt'), 'utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  } catch {
    // No environments.txt: conda was never used by this user.
  }
  const roots = [...ROOT_NAMES.map((n) => path.join(context.home, n)), ...(context.platform === 'win32' ? [] : ROOT_NAMES.map((n) => path.join('/opt', n))), '/opt/conda'];
  const prefixes = [...listed, ...(context.env.CONDA_PREFIX ? [context.env.CONDA_PREFIX] : []), ...roots];
  const named = prefixes.flatMap((prefix): Candidate[] => {
    const exe = envInterpreter(prefix, context.platform);
    const envName = path.basename(path.dirname(prefix)) === 'envs' ? path.basename(prefix) : 'base';
    return exe ? [{ path: exe, kind: 'conda', locator: 'conda', envName }] : [];
  });
  return [...named, ...roots.flatMap((root) => childEnvironments(path.join(root, 'envs'), 'conda', 'conda', context.platform))];
};
