import type * as vscode from 'vscode';
import type { FailureReporter } from './feedback';
import type { InterpreterService } from './interpreters';
import type { QuickInputs } from './quickInput';
import type { EnvironmentHealth } from './environmentHealth';
import type { OwnWrites } from './ownWrites';
import type { SelectionStore } from './selection';
import type { ViewedEnvironment } from './views/viewed';

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
  /** The environment the Packages view lists. */
  readonly viewed: ViewedEnvironment;
}

/** A command's handler, as `vscode.commands.registerCommand` takes it; built by each command module from the services. */
export type CommandHandler = (...args: unknown[]) => unknown;
