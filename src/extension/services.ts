import type * as vscode from 'vscode';
import type { FailureReporter } from './feedback';
import type { InterpreterService } from './interpreters';
import type { QuickInputs } from './quickInput';
import type { EnvironmentHealth } from './environmentHealth';
import type { PublicApi } from './api';
import type { OwnWrites } from './ownWrites';
import type { RequirementsWatcher } from './watchers/requirementsWatcher';
import type { SelectionStore } from './selection';

/** The objects built once in `activate()` and handed to every command and watcher. */
export interface Services {
  readonly context: vscode.ExtensionContext;
  /** Per-workspace state (selections, tracked requirements), on disk as soon as it is written. */
  readonly state: vscode.Memento;
  readonly log: vscode.LogOutputChannel;
  readonly failures: FailureReporter;
  readonly quickInputs: QuickInputs;
  readonly interpreters: InterpreterService;
  readonly selections: SelectionStore;
  readonly health: EnvironmentHealth;
  readonly ownWrites: OwnWrites;
}

/**
 * What `activate()` returns when VS Code runs the extension's tests (`ExtensionMode.Test`): the
 * public API plus test-facing parts. Integration tests answer pickers through
 * `quickInputs.active` and read the status bar through `statusBarItem`. In every other mode
 * `activate()` returns the {@link PublicApi} alone.
 */
export interface VenvPilotApi extends PublicApi {
  readonly quickInputs: QuickInputs;
  readonly statusBarItem: vscode.StatusBarItem;
  readonly interpreters: InterpreterService;
  readonly selections: SelectionStore;
  readonly requirementsWatcher: RequirementsWatcher;
  readonly failures: FailureReporter;
  /** The variables new terminals of `folder` get (the folder-scoped EnvironmentVariableCollection). */
  terminalEnvironment(folder: vscode.WorkspaceFolder): vscode.EnvironmentVariableCollection;
}

/** A command's handler, as `vscode.commands.registerCommand` takes it; built by each command module from the services. */
export type CommandHandler = (...args: unknown[]) => unknown;
