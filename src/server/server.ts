/**
 * The requirements language server (LSP 3.17 over vscode-languageserver). The extension starts it
 * as dist/server.js over IPC; other editors start `venv-pilot lsp --stdio`.
 *
 * Client -> server: initializationOptions `{ venv?: string }`, and the notification
 * `venvPilot/activeEnvironment` `{ venv?: string }` when the selection changes; the server
 * otherwise finds `.venv`/`venv` in the workspace root or uses `$VIRTUAL_ENV`.
 */
import { fileURLToPath } from 'node:url';
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, type Connection, type InitializeParams } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { RequirementsItem } from '../core/requirements/parser';
import { codeActions, complete, diagnose, documentLinks, hover, type AnalysisContext } from './analysis';
import { findVenv, loadEnvironment, type ActiveEnvironment } from './environment';

/** The custom notification that tells the server which venv is active. */
export const ACTIVE_ENVIRONMENT = 'venvPilot/activeEnvironment';

/** Serves over this process's stdin and stdout (`venv-pilot lsp --stdio`). */
export function startStdioServer(): void {
  startServer(createConnection(ProposedFeatures.all, process.stdin, process.stdout));
}

/** Wires a connection: returns when the client disconnects. */
export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): void {
  const documents = new TextDocuments(TextDocument);
  let venv: string | undefined;
  // Per document: parsed lines, reused while typing; dropped when files on disk may have changed.
  const lineCaches = new Map<string, Map<string, readonly RequirementsItem[]>>();
  const cacheOf = (uri: string): Map<string, readonly RequirementsItem[]> => lineCaches.get(uri) ?? lineCaches.set(uri, new Map()).get(uri) ?? new Map();
  let environment: (ActiveEnvironment & { stamp: string }) | undefined;

  const currentEnvironment = (): ActiveEnvironment | undefined => (environment = loadEnvironment(venv, environment));
  const contextOf = (document: TextDocument): AnalysisContext => ({ file: fileURLToPath(document.uri), text: document.getText(), environment: currentEnvironment(), lineCache: cacheOf(document.uri) });
  const publish = (document: TextDocument): void => {
    if (!document.uri.startsWith('file:')) return;
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: diagnose(contextOf(document)) });
  };
  const publishAll = (): void => documents.all().forEach(publish);

  connection.onInitialize((params: InitializeParams) => {
    const options = (params.initializationOptions ?? {}) as { venv?: string };
    const root = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    venv = options.venv ?? findVenv(root?.startsWith('file:') ? fileURLToPath(root) : undefined);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['-', '=', ' '] },
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        documentLinkProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'venv-pilot' },
    };
  });
  connection.onNotification(ACTIVE_ENVIRONMENT, (params: { venv?: string }) => {
    venv = params.venv;
    environment = undefined;
    lineCaches.clear();
    publishAll();
  });
  // The client tells us about file changes it watches (site-packages): check again.
  connection.onDidChangeWatchedFiles(() => {
    lineCaches.clear();
    publishAll();
  });
  documents.onDidChangeContent((change) => publish(change.document));
  documents.onDidClose((event) => {
    lineCaches.delete(event.document.uri);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  });
  connection.onHover((params) => {
    const document = documents.get(params.textDocument.uri);
    return document ? hover(contextOf(document), params.position.line, params.position.character) : undefined;
  });
  connection.onCompletion((params) => {
    const document = documents.get(params.textDocument.uri);
    return document ? complete(contextOf(document), params.position.line, params.position.character) : [];
  });
  connection.onCodeAction((params) => {
    const document = documents.get(params.textDocument.uri);
    return document ? codeActions(contextOf(document), params.textDocument.uri, params.context.diagnostics) : [];
  });
  connection.onDocumentLinks((params) => {
    const document = documents.get(params.textDocument.uri);
    return document ? documentLinks(contextOf(document)) : [];
  });
  documents.listen(connection);
  connection.listen();
}
