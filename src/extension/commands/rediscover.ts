import * as vscode from 'vscode';
import type { Services } from '../services';

/** "Venv Pilot: Rediscover Interpreters": runs discovery again (cached probes stay valid) and resolves to the result. */
export function registerRediscover(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand('venvPilot.rediscover', () =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Discovering Python interpreters' }, () => services.interpreters.refresh()),
  );
}
