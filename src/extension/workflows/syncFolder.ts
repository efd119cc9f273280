import path from 'node:path';
import * as vscode from 'vscode';
import { syncVenv } from '../../core/orchestrations/sync';
import { describeSources, isEmptySelection } from '../../core/parts/sources';
import type { SyncPlan } from '../../core/parts/syncPlan';
import { withCancellableProgress } from '../feedback';
import { logCommand } from '../log';
import type { Services } from '../services';
import { readSettings, uvLookup } from '../settings';
import { trackedSources } from '../trackedSources';
import { venvPython } from '../../core/leaves/layout';

/**
 * Syncs a folder's selected venv with what it tracks (requirements files, a pyproject.toml
 * project, its extras and dependency groups), with cancellable progress.
 * Resolves to the plan carried out, or `undefined` when there was nothing to sync with or it failed
 * (the failure is shown with pip's own message).
 */
export async function syncFolder(services: Services, folder: vscode.WorkspaceFolder): Promise<SyncPlan | undefined> {
  const venv = services.selections.get(folder)?.venv;
  const tracked = trackedSources(services.state, folder);
  if (!venv || isEmptySelection(tracked)) {
    void vscode.window.showWarningMessage(`${folder.name} has no environment tracking requirements files or a pyproject.toml project; create one with "Venv Pilot: Create Environment".`);
    return undefined;
  }
  const settings = readSettings(folder);
  const interpreter = await services.interpreters.describe(venvPython(venv));
  const name = path.relative(folder.uri.fsPath, venv) || path.basename(venv);
  try {
    const plan = await withCancellableProgress(`Syncing ${name} with ${describeSources(tracked)}`, (signal, report) =>
      syncVenv(venv, {
        requirements: tracked.requirements,
        ...(tracked.project ? { project: tracked.project } : {}),
        ...(tracked.uvLock ? { uvLock: tracked.uvLock } : {}),
        installer: settings.installer,
        uv: uvLookup(settings),
        exact: settings.exactSync,
        environment: interpreter?.markerEnvironment ?? {},
        interpreterIdentity: `${interpreter?.executable}|${interpreter?.version}`,
        pip: settings.pip,
        cwd: folder.uri.fsPath,
        signal,
        log: logCommand(services.log),
        onDetail: (line) => services.log.trace(line),
        onProgress: (message) => {
          services.log.info(message);
          report(message);
        },
      }),
    );
    services.health.refresh();
    const changes = plan.install.length + plan.uninstall.length;
    void vscode.window.showInformationMessage(changes ? `Synced ${name}: ${plan.install.length} installed or updated, ${plan.uninstall.length} removed.` : `${name} is already in sync.`);
    return plan;
  } catch (error) {
    void services.failures.show(error);
    return undefined;
  }
}
