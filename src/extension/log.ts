import * as vscode from 'vscode';

/** The one "Venv Pilot" log channel (VS Code API: `window.createOutputChannel(name, { log: true })`). */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel('Venv Pilot', { log: true });
}

/** Logs each command line core is about to run (core's `CommandLogger`). */
export function logCommand(log: vscode.LogOutputChannel): (commandLine: string) => void {
  return (commandLine) => log.info(`run: ${commandLine}`);
}
