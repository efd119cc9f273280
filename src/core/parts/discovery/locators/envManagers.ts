import path from 'node:path';
import type { Candidate, InterpreterKind } from '../types';
import { dataHome, envInterpreter, venvsBelow, type Locator, type LocatorContext } from './context';

/** Where each environment manager keeps its venvs, and how deep below that folder they sit. */
function managedFolders(context: LocatorContext): { dir: string; kind: InterpreterKind; depth: number }[] {
  const cacheHome = context.env.XDG_CACHE_HOME || path.join(context.home, '.cache');
  return [
    // virtualenvwrapper; pipenv also honours WORKON_HOME.
    { dir: context.env.WORKON_HOME || path.join(context.home, '.virtualenvs'), kind: 'virtualenv', depth: 1 },
    { dir: path.join(dataHome(context), 'virtualenvs'), kind: 'pipenv', depth: 1 },
    { dir: context.env.POETRY_VIRTUALENVS_PATH || path.join(context.env.POETRY_CACHE_DIR || path.join(cacheHome, 'pypoetry'), 'virtualenvs'), kind: 'poetry', depth: 1 },
    // hatch: env/virtual/PROJECT/PROJECT-ID/ENV
    { dir: path.join(context.env.HATCH_DATA_DIR || path.join(dataHome(context), 'hatch'), 'env', 'virtual'), kind: 'hatch', depth: 3 },
  ];
}

/** Venvs of virtualenvwrapper (`WORKON_HOME`), pipenv, poetry and hatch. */
export const envManagersLocator: Locator = (context) =>
  managedFolders(context).flatMap(({ dir, kind, depth }) =>
    venvsBelow(dir, depth).flatMap((venv): Candidate[] => {
      const exe = envInterpreter(venv, context.platform);
      return exe ? [{ path: exe, kind, locator: 'env-managers', envName: path.basename(venv) }] : [];
    }),
  );
