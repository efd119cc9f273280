import * as vscode from 'vscode';
import type { CommandHandler, Services } from '../services';

/** "Venv Pilot: Rediscover Interpreters": runs discovery again (cached probes stay valid) and resolves to the result. */
export function rediscover(services: Services): CommandHandler {
  return () =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Discovering Python interpreters' }, () => services.interpreters.refresh());
}
