import * as vscode from 'vscode';

/** The `venvPilot.*` settings (declared in package.json, described in package.nls.json). */
export interface Settings {
  /** Per-interpreter probe timeout, ms. */
  readonly probeTimeoutMs: number;
  readonly watchRequirements: boolean;
  readonly activateInTerminals: boolean;
}

/** Reads the settings for a resource scope (a workspace folder), falling back to the declared defaults. */
export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const config = vscode.workspace.getConfiguration('venvPilot', scope);
  return {
    probeTimeoutMs: config.get('probeTimeoutMs', 5000),
    watchRequirements: config.get('watchRequirements', true),
    activateInTerminals: config.get('activateInTerminals', true),
  };
}
