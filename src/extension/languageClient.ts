import path from 'node:path';
import * as vscode from 'vscode';
import type { ErrorHandler, LanguageClient } from 'vscode-languageclient/node';
import { localFolders } from './folders';
import type { Services } from './services';
import { ACTIVE_ENVIRONMENT_NOTIFICATION, type ActiveEnvironmentParams } from '../protocol';

/** At most this many restarts after crashes, then a message instead. */
const MAX_RESTARTS = 3;

type ClientLibrary = typeof import('vscode-languageclient/node');

/** Restarts a crashed server up to {@link MAX_RESTARTS} times, then tells the user and stops. */
function restartPolicy(log: vscode.LogOutputChannel, { CloseAction, ErrorAction }: ClientLibrary): ErrorHandler {
  let restarts = 0;
  return {
    error: () => ({ action: ErrorAction.Continue }),
    closed: () => {
      if (restarts++ < MAX_RESTARTS) {
        log.warn(`The requirements language server stopped; restarting it (${restarts} of ${MAX_RESTARTS})`);
        return { action: CloseAction.Restart };
      }
      return { action: CloseAction.DoNotRestart, message: `The requirements language server stopped ${MAX_RESTARTS + 1} times and will not be restarted; see "Venv Pilot: Show Log", then reload the window.` };
    },
  };
}

/**
 * The documents the server analyses: requirements files by language, `pyproject.toml` files by
 * name, whatever language an extension gives them (TOML, or none), and Python scripts (for their
 * PEP 723 block). The server tells them apart by file name.
 */
const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'pip-requirements' },
  { scheme: 'file', pattern: '**/pyproject.toml' },
  { scheme: 'file', language: 'python' },
];

/** A script's inline metadata opens with this line (PEP 723); other Python files never start the server. */
const SCRIPT_BLOCK = /^# \/\/\/ script$/m;

/** The venv whose packages diagnostics check: the active folder's selection. */
function activeVenv(services: Services): string | undefined {
  const folder = localFolders()[0];
  return folder ? services.selections.get(folder)?.venv : undefined;
}

/**
 * Starts the requirements language server (dist/server.js over IPC) once the first
 * `pip-requirements` document or `pyproject.toml` is open, so activation never pays for it: not
 * even for loading the client library, which is most of the extension's code and a bundle of its own
 * (dist/languageclient.js). Its lifetime is its own: the returned disposable stops the client and
 * everything registered for it, apart from the extension's subscriptions. It is told the active
 * venv at start and whenever the selection or the venv's packages change.
 */
export function startLanguageClient(services: Services): vscode.Disposable {
  let client: Promise<LanguageClient | undefined> | undefined;
  let disposed = false;
  const lifetime: vscode.Disposable[] = [];
  const start = (): void => {
    client ??= import('vscode-languageclient/node').then(
      (library) => (disposed ? undefined : launch(library)),
      (error: unknown) => {
        services.log.error(`The requirements language server's client could not be loaded: ${String(error)}`);
        return undefined;
      },
    );
  };
  const launch = (library: ClientLibrary): LanguageClient => {
    const { LanguageClient, TransportKind } = library;
    const module = services.context.asAbsolutePath(path.join('dist', 'server.js'));
    const started = new LanguageClient(
      'venvPilot.requirements',
      'Venv Pilot Requirements',
      { run: { module, transport: TransportKind.ipc }, debug: { module, transport: TransportKind.ipc } },
      {
        documentSelector: DOCUMENT_SELECTOR,
        initializationOptions: { venv: activeVenv(services) },
        outputChannel: services.log,
        traceOutputChannel: services.log,
        errorHandler: restartPolicy(services.log, library),
      },
    );
    const tell = (): void => {
      if (started.isRunning()) void started.sendNotification(ACTIVE_ENVIRONMENT_NOTIFICATION, { venv: activeVenv(services) } satisfies ActiveEnvironmentParams);
    };
    lifetime.push(services.selections.onDidChange(tell), services.health.onDidChange(tell));
    void started.start().catch((error: unknown) => services.log.error(`The requirements language server did not start: ${String(error)}`));
    return started;
  };
  // The selector itself decides, so a pyproject.toml starts the server just as a requirements file does.
  const isServed = (document: vscode.TextDocument): boolean => vscode.languages.match(DOCUMENT_SELECTOR, document) > 0 && (document.languageId !== 'python' || SCRIPT_BLOCK.test(document.getText()));
  if (vscode.workspace.textDocuments.some(isServed)) start();
  const opened = vscode.workspace.onDidOpenTextDocument((document) => isServed(document) && start());
  return new vscode.Disposable(() => {
    disposed = true;
    opened.dispose();
    lifetime.forEach((d) => d.dispose());
    void client?.then((started) => started?.stop());
  });
}
