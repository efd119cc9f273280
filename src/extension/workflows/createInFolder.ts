import path from 'node:path';
import * as vscode from 'vscode';
import type { Interpreter } from '../../core/parts/discovery/types';
import { describeSources, isEmptySelection, readSources, type TrackedSources } from '../../core/parts/sources';
import { stampFor, writeStamp } from '../../core/parts/syncPlan';
import { createVenv, type CreatedVenv } from '../../core/orchestrations/create';
import { readPyvenvCfg, venvPython } from '../../core/leaves/layout';
import { withCancellableProgress } from '../feedback';
import { logCommand } from '../log';
import { selectionOf } from '../selection';
import type { Services } from '../services';
import { readSettings, uvLookup } from '../settings';
import { setTrackedSources } from '../trackedSources';

/**
 * Creates (or, with `replace`, recreates) the venv at `dest` in `folder` with cancellable
 * progress, installs `tracked` (requirements files and a pyproject.toml project's parts), then
 * selects the venv, tracks that set and stamps the venv in sync with it. Shared by Create and
 * Recreate Environment and the public API. Resolves to the venv, or `undefined` after showing
 * the failure.
 */
export async function createInFolder(services: Services, folder: vscode.WorkspaceFolder, interpreter: Interpreter, dest: string, tracked: TrackedSources, replace: boolean): Promise<CreatedVenv | undefined> {
  const name = path.relative(folder.uri.fsPath, dest) || path.basename(dest);
  const settings = readSettings(folder);
  try {
    const created = await withCancellableProgress(`${replace ? 'Recreating' : 'Creating'} ${name}`, (signal, report) =>
      createVenv({
        interpreter,
        dest,
        requirements: tracked.requirements,
        ...(tracked.project ? { project: tracked.project } : {}),
        ...(tracked.uvLock ? { uvLock: tracked.uvLock } : {}),
        installer: settings.installer,
        uv: uvLookup(settings),
        seedPip: settings.seedPip,
        clear: replace,
        findLinks: settings.seedFindLinks.map((dir) => path.resolve(folder.uri.fsPath, dir)),
        pip: settings.pip,
        // Relative requirements (`-e .`) mean the workspace folder, as in a terminal opened there.
        cwd: folder.uri.fsPath,
        signal,
        log: logCommand(services.log),
        onProgress: (_step, message) => {
          services.log.info(message);
          report(message);
        },
      }),
    );
    // pip installed the set just now: stamp the venv as in sync with every file it was read from
    // (requirements files, their includes, pyproject.toml), as a sync would.
    await writeStamp(created.dir, stampFor(tracked, readSources(tracked).parsed.files, `${created.python}|${interpreter.version}`));
    await adopt(services, folder, created.python, interpreter, dest, tracked);
    setImmediate(() => {
      try {
        created.stageNext();
      } catch (error) {
        services.log.warn(`Could not stage seeds for the next environment: ${String(error)}`);
      }
    });
    const installed = isEmptySelection(tracked) ? '' : ` and installed ${describeSources(tracked)}`;
    const how = [`${created.creator} creator`, ...created.seeded.map((s) => `${s.project} ${s.version} from ${s.source}`)].join(', ');
    void vscode.window.showInformationMessage(`${replace ? 'Recreated' : 'Created'} ${name} with Python ${interpreter.version} (${how})${installed}.`);
    return created;
  } catch (error) {
    // A failed install leaves a working venv behind: select it so the user can fix and retry.
    if (readPyvenvCfg(dest)) await adopt(services, folder, venvPython(dest), interpreter, dest, tracked);
    void services.failures.show(error);
    return undefined;
  }
}

async function adopt(services: Services, folder: vscode.WorkspaceFolder, python: string, base: Interpreter, venv: string, tracked: TrackedSources): Promise<void> {
  await setTrackedSources(services.state, folder, tracked);
  await services.selections.set(folder, { ...selectionOf(base), path: python, venv, kind: 'venv' });
  void services.interpreters.refresh();
}
