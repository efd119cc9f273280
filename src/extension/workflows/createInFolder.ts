import path from 'node:path';
import * as vscode from 'vscode';
import type { Interpreter } from '../../core/parts/discovery/types';
import { parseRequirementSet } from '../../core/leaves/requirements/parser';
import { requirementsHash, writeStamp } from '../../core/parts/syncPlan';
import { createVenv, type CreatedVenv } from '../../core/orchestrations/create';
import { readPyvenvCfg, venvPython } from '../../core/leaves/layout';
import { withCancellableProgress } from '../feedback';
import { logCommand } from '../log';
import { selectionOf } from '../selection';
import type { Services } from '../services';
import { readSettings } from '../settings';
import { setTrackedRequirements } from '../trackedRequirements';

/**
 * Creates (or, with `replace`, recreates) the venv at `dest` in `folder` with cancellable
 * progress, then selects it, tracks its requirements and stamps it in sync. Shared by Create and
 * Recreate Environment. Resolves to the venv, or `undefined` after showing the failure.
 */
export async function createInFolder(services: Services, folder: vscode.WorkspaceFolder, interpreter: Interpreter, dest: string, requirements: readonly string[], replace: boolean): Promise<CreatedVenv | undefined> {
  const name = path.relative(folder.uri.fsPath, dest) || path.basename(dest);
  const settings = readSettings(folder);
  try {
    const created = await withCancellableProgress(`${replace ? 'Recreating' : 'Creating'} ${name}`, (signal, report) =>
      createVenv({
        interpreter,
        dest,
        requirements,
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
    // pip installed the files just now: stamp the venv as in sync with them.
    const parsed = parseRequirementSet(requirements);
    await writeStamp(created.dir, { requirementsHash: requirementsHash(parsed.files), interpreter: `${created.python}|${interpreter.version}`, files: parsed.files });
    await adopt(services, folder, created.python, interpreter, dest, requirements);
    setImmediate(() => {
      try {
        created.stageNext();
      } catch (error) {
        services.log.warn(`Could not stage seeds for the next environment: ${String(error)}`);
      }
    });
    const installed = requirements.length ? ` and installed ${requirements.map((r) => path.basename(r)).join(', ')}` : '';
    const how = [`${created.creator} creator`, ...created.seeded.map((s) => `${s.project} ${s.version} from ${s.source}`)].join(', ');
    void vscode.window.showInformationMessage(`${replace ? 'Recreated' : 'Created'} ${name} with Python ${interpreter.version} (${how})${installed}.`);
    return created;
  } catch (error) {
    // A failed install leaves a working venv behind: select it so the user can fix and retry.
    if (readPyvenvCfg(dest)) await adopt(services, folder, venvPython(dest), interpreter, dest, requirements);
    void services.failures.show(error);
    return undefined;
  }
}

async function adopt(services: Services, folder: vscode.WorkspaceFolder, python: string, base: Interpreter, venv: string, requirements: readonly string[]): Promise<void> {
  await setTrackedRequirements(services.state, folder, requirements);
  await services.selections.set(folder, { ...selectionOf(base), path: python, venv, kind: 'venv' });
  void services.interpreters.refresh();
}
