import path from 'node:path';
import type { Candidate } from '../types';
import { envInterpreter, interpretersIn, isDir, isPresent, venvKind, venvsBelow, type Locator, type LocatorContext } from './context';

/** How deep below a workspace folder venvs are looked for. */
const WORKSPACE_DEPTH = 2;

/** The candidate for one environment folder, named after it. */
function environment(dir: string, context: LocatorContext, locator: Candidate['locator']): Candidate[] {
  const exe = envInterpreter(dir, context.platform);
  return exe ? [{ path: exe, kind: venvKind(dir) ?? 'system', locator, envName: path.basename(dir) }] : [];
}

/**
 * Workspace venvs: every folder with a `pyvenv.cfg` up to two levels below each workspace
 * folder (so `.venv`, `venv`, `envs/py312`), plus the `venvPilot.discovery.workspaceSearchPaths`
 * folders (relative to each workspace folder, or absolute), each a venv or a folder of venvs.
 */
export const workspaceLocator: Locator = (context) =>
  context.workspaceFolders.flatMap((folder) => {
    const searchRoots = (context.workspaceSearchPaths ?? []).map((p) => path.resolve(folder, p));
    const venvs = [...venvsBelow(folder, WORKSPACE_DEPTH), ...searchRoots.flatMap((root) => venvsBelow(root, 1))];
    return [...new Set(venvs)].flatMap((dir) => environment(dir, context, 'workspace'));
  });

/**
 * `venvPilot.discovery.extraSearchPaths`: each entry may be an interpreter, a folder of
 * interpreters (a `bin`), an environment or installation folder, or a folder of environments.
 */
export const settingsLocator: Locator = (context) =>
  (context.extraSearchPaths ?? []).flatMap((entry): Candidate[] => {
    if (!isDir(entry)) return isPresent(entry) ? [{ path: entry, kind: 'system', locator: 'settings' }] : [];
    const own = environment(entry, context, 'settings');
    if (own.length) return own;
    const bin = interpretersIn(entry, { kind: 'system', locator: 'settings' }, context.platform);
    if (bin.length) return bin;
    return venvsBelow(entry, 1).flatMap((dir) => environment(dir, context, 'settings'));
  });
