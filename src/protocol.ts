/**
 * What the extension (the language client) and the language server say to each other beyond
 * LSP itself, in one place both sides import (as vscode-eslint shares its protocol file). Free of
 * `vscode` and of Node-only modules.
 */

/**
 * Client to server, whenever the active folder's environment changes: the venv whose installed
 * set diagnostics and hovers use. `venv` absent means "none selected".
 */
export const ACTIVE_ENVIRONMENT_NOTIFICATION = 'venvPilot/activeEnvironment';

/** The parameters of {@link ACTIVE_ENVIRONMENT_NOTIFICATION}. */
export interface ActiveEnvironmentParams {
  /** Absolute venv folder. */
  readonly venv?: string;
}
