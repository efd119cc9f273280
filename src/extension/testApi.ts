/** The extension's test-facing surface, as types only: what its own integration tests get from `activate()`. */
import type * as vscode from 'vscode';
import type { TrackedSources } from '../core/parts/sources';
import type { PublicApi } from './api';
import type { FailureReporter } from './feedback';
import type { InterpreterService } from './interpreters';
import type { QuickInputs } from './quickInput';
import type { SelectionStore } from './selection';
import type { RequirementsWatcher } from './watchers/requirementsWatcher';
import type { Views } from './views';

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
  /** What `folder`'s environment tracks and syncs with (requirements files, a project's parts). */
  trackedSources(folder: vscode.WorkspaceFolder): TrackedSources;
  /** The extension's log folder (`ExtensionContext.logUri`): the "Venv Pilot" log file is below it. */
  readonly logUri: vscode.Uri;
  /** The variables new terminals of `folder` get (the folder-scoped EnvironmentVariableCollection). */
  terminalEnvironment(folder: vscode.WorkspaceFolder): vscode.EnvironmentVariableCollection;
  /** The Environments and Packages views' data providers: their rows (`getChildren`, `getTreeItem`) and refreshes (`onDidChangeTreeData`). */
  readonly views: Pick<Views, 'environments' | 'packages'>;
}
