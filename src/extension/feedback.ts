import * as vscode from 'vscode';
import { CancelledError, describeError } from '../core/leaves/errors';

/**
 * Runs long work in a cancellable notification (`window.withProgress`); Cancel aborts the signal.
 * `report` shows a line of progress, e.g. pip's "Collecting pilotfish".
 */
export function withCancellableProgress<T>(title: string, work: (signal: AbortSignal, report: (message: string) => void) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    return work(controller.signal, (message) => progress.report({ message })).finally(() => subscription.dispose());
  });
}

/**
 * Shows failures as their one-line message with an "Open Log" button (a cancellation is only a
 * warning), and logs them. `onDidShow` lets tests see exactly what the user was shown.
 */
export class FailureReporter implements vscode.Disposable {
  private readonly shown = new vscode.EventEmitter<string>();
  /** Fires with the message as shown. */
  readonly onDidShow = this.shown.event;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** Resolves when the message is dismissed or its button was used. */
  async show(error: unknown): Promise<void> {
    const message = describeError(error);
    this.log.error(message);
    if (error instanceof CancelledError) {
      const shown = vscode.window.showWarningMessage(message);
      this.shown.fire(message);
      await shown;
      return;
    }
    const answer = vscode.window.showErrorMessage(message, 'Open Log');
    this.shown.fire(message);
    if ((await answer) === 'Open Log') this.log.show();
  }

  dispose(): void {
    this.shown.dispose();
  }
}
