import * as vscode from 'vscode';
import type { Services } from '../services';

/** "Venv Pilot: Show Log": every command line venv-pilot ran, and pip's output. */
export function registerShowLog(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand('venvPilot.showLog', () => services.log.show());
}
