import * as vscode from 'vscode';
import { CancelledError, describeError } from '../core/errors';

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

/** Shows a failure as its one-line message with an "Open Log" button; a cancellation is only a warning. */
export async function showFailure(log: vscode.LogOutputChannel, error: unknown): Promise<void> {
  const message = describeError(error);
  log.error(message);
  if (error instanceof CancelledError) {
    void vscode.window.showWarningMessage(message);
    return;
  }
  if ((await vscode.window.showErrorMessage(message, 'Open Log')) === 'Open Log') log.show();
}
