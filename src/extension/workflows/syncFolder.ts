import path from 'node:path';
import * as vscode from 'vscode';
import { syncVenv } from '../../core/orchestrations/sync';
import type { SyncPlan } from '../../core/parts/syncPlan';
import { withCancellableProgress } from '../feedback';
import { logCommand } from '../log';
import type { Services } from '../services';
import { readSettings } from '../settings';
import { trackedRequirements } from '../trackedRequirements';
import { venvPython } from '../../core/leaves/layout';

/**
 * Syncs a folder's selected venv with its tracked requirements files, with cancellable progress.
 * Resolves to the plan carried out, or `undefined` when there was nothing to sync with or it failed
 * (the failure is shown with pip's own message).
 */
export async function syncFolder(services: Services, folder: vscode.WorkspaceFolder): Promise<SyncPlan | undefined> {
  const venv = services.selections.get(folder)?.venv;
  const requirements = trackedRequirements(services.state, folder);
  if (!venv || requirements.length === 0) {
    void vscode.window.showWarningMessage(`${folder.name} has no environment with tracked requirements files; create one with "Venv Pilot: Create Environment".`);
    return undefined;
  }
  const settings = readSettings(folder);
  const interpreter = await services.interpreters.describe(venvPython(venv));
  const name = path.relative(folder.uri.fsPath, venv) || path.basename(venv);
  try {
    const plan = await withCancellableProgress(`Syncing ${name} with ${requirements.map((r) => path.basename(r)).join(', ')}`, (signal, report) =>
      syncVenv(venv, {
        requirements,
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
