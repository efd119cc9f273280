/**
 * The requirements language server (LSP 3.17 over vscode-languageserver). The extension starts it
 * as dist/server.js over IPC; other editors start `venv-pilot lsp --stdio` (or dist/server.js --stdio).
 * It serves pip requirements files and `pyproject.toml` files: analysis.ts tells them apart by the
 * file's name, since clients name the language of either differently (or not at all).
 *
 * Client -> server: initializationOptions `{ venv?: string }`, and the notification
 * `venvPilot/activeEnvironment` `{ venv?: string }` when the selection changes; the server
 * otherwise finds `.venv`/`venv` in the workspace root or uses `$VIRTUAL_ENV`.
 */
import { fileURLToPath } from 'node:url';
import { createConnection, ProposedFeatures, StreamMessageWriter, TextDocuments, TextDocumentSyncKind, type Connection, type InitializeParams } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { RequirementsItem } from '../core/leaves/requirements/parser';
import { codeActions, complete, diagnose, documentLinks, hover, isScript, type AnalysisContext } from './analysis';
import { findScriptEnv, scriptRequirementsOf, type ScriptRequirements } from '../core/orchestrations/scriptEnv';
import { findVenv, loadEnvironment, type ActiveEnvironment } from './environment';
import { ResyncingMessageReader } from './messageReader';
import { ACTIVE_ENVIRONMENT_NOTIFICATION, type ActiveEnvironmentParams } from '../protocol';

/** The custom notification that tells the server which venv is active. */

/**
 * The shortest time between two analyses of one document while it is being edited. Edits that
 * come faster are not analysed one by one: the next analysis reads the latest version.
 */
export const ANALYSIS_INTERVAL_MS = 150;

/**
 * A document's parsed lines (the parser's `lineCache`), holding only the lines the latest parse
 * used. Keyed by line text, a plain map would keep every version of every edited line: editing a
 * 200 KB line kept each version of it, hundreds of megabytes after a few hundred edits.
 */
class LineCache extends Map<string, readonly RequirementsItem[]> {
  private readonly used = new Set<string>();

  override get(line: string): readonly RequirementsItem[] | undefined {
    const items = super.get(line);
    if (items) this.used.add(line);
    return items;
  }

  override set(line: string, items: readonly RequirementsItem[]): this {
    this.used.add(line);
    return super.set(line, items);
  }

  /** Forgets the lines no parse asked for since the last call. */
  prune(): void {
    for (const line of this.keys()) if (!this.used.has(line)) this.delete(line);
    this.used.clear();
  }
}

/** What the server keeps per open document. */
interface DocumentState {
  readonly lines: LineCache;
  /** When the document was last analysed for diagnostics (ms since the epoch). */
  analysedAt: number;
  /** A pending analysis, when edits came within {@link ANALYSIS_INTERVAL_MS} of the last one. */
  timer?: NodeJS.Timeout;
}

/**
 * The stdio connection, read through {@link ResyncingMessageReader} so that one malformed frame
 * is logged to stderr and skipped instead of deafening the server.
 */
function stdioConnection(): Connection {
  const reader = new ResyncingMessageReader(process.stdin, (message) => process.stderr.write(`venv-pilot lsp: ${message}\n`));
  const connection = createConnection(ProposedFeatures.all, reader, new StreamMessageWriter(process.stdout));
  // Given a reader rather than the stream, the library no longer ends the process when the client
  // goes away; it does so itself with the same exit code (0 only after a shutdown request).
  let shutdown = false;
  connection.onShutdown(() => {
    shutdown = true;
  });
  reader.onClose(() => process.exit(shutdown ? 0 : 1));
  return connection;
}

/** Serves over this process's stdin and stdout (`venv-pilot lsp --stdio`). */
export function startStdioServer(): void {
  startServer(stdioConnection());
}

/**
 * Wires a connection: returns when the client disconnects. Without one, the transport comes from
 * the command line as vscode-languageserver reads it (`--node-ipc`, `--socket`, `--pipe`), with
 * `--stdio` served as {@link startStdioServer} does.
 */
export function startServer(connection: Connection = process.argv.includes('--stdio') ? stdioConnection() : createConnection(ProposedFeatures.all)): void {
  const documents = new TextDocuments(TextDocument);
  let venv: string | undefined;
  // Per document: parsed lines, reused while typing; dropped when files on disk may have changed.
  const states = new Map<string, DocumentState>();
  const stateOf = (uri: string): DocumentState => {
    let state = states.get(uri);
    if (!state) states.set(uri, (state = { lines: new LineCache(), analysedAt: 0 }));
    return state;
  };
  const clearLineCaches = (): void => states.forEach((state) => state.lines.clear());
  let environment: (ActiveEnvironment & { stamp: string }) | undefined;

  const currentEnvironment = (): ActiveEnvironment | undefined => (environment = loadEnvironment(venv, environment));
  // A script's block is checked against its own environment (the one its last run made), when there is one.
  const scriptEnvironments = new Map<string, ActiveEnvironment & { stamp: string }>();
  const scriptEnvironment = (file: string, text: string): ActiveEnvironment | undefined => {
    let requirements: ScriptRequirements;
    try {
      requirements = scriptRequirementsOf(file, text);
    } catch {
      // A block with a mistake still has an environment from its last run to check the rest against.
      requirements = { script: file, source: 'inline', requirements: [] };
    }
    const dir = findScriptEnv(requirements);
    const loaded = dir ? loadEnvironment(dir, scriptEnvironments.get(dir)) : undefined;
    if (dir && loaded) scriptEnvironments.set(dir, loaded);
    return loaded;
  };
  /** Runs one analysis of a document's current text; `undefined` for a document that is not a file. */
  const analyse = <T>(document: TextDocument, run: (context: AnalysisContext) => T): T | undefined => {
    if (!document.uri.startsWith('file:')) return undefined;
    const { lines } = stateOf(document.uri);
    try {
      const file = fileURLToPath(document.uri);
      const text = document.getText();
      return run({ file, text, environment: isScript(file) ? scriptEnvironment(file, text) : currentEnvironment(), lineCache: lines });
    } finally {
      lines.prune();
    }
  };
  const publish = (document: TextDocument): void => {
    const state = stateOf(document.uri);
    clearTimeout(state.timer);
    state.timer = undefined;
    state.analysedAt = Date.now();
    const diagnostics = analyse(document, diagnose);
    if (diagnostics) void connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics });
  };
  /** Publishes now, or, when the last analysis was moments ago, once the interval is up (for the version current then). */
  const schedulePublish = (uri: string): void => {
    const state = stateOf(uri);
    if (state.timer) return;
    const wait = state.analysedAt + ANALYSIS_INTERVAL_MS - Date.now();
    const run = (): void => {
      const document = documents.get(uri);
      if (document) publish(document);
    };
    if (wait <= 0) run();
    else state.timer = setTimeout(run, wait);
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
        // `"` opens a dependency string in pyproject.toml: names are offered as it opens.
        completionProvider: { triggerCharacters: ['-', '=', ' ', '"'] },
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        documentLinkProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'venv-pilot' },
    };
  });
  connection.onNotification(ACTIVE_ENVIRONMENT_NOTIFICATION, (params: ActiveEnvironmentParams) => {
    venv = params.venv;
    environment = undefined;
    clearLineCaches();
    publishAll();
  });
  // The client tells us about file changes it watches (site-packages): check again.
  connection.onDidChangeWatchedFiles(() => {
    clearLineCaches();
    publishAll();
  });
  documents.onDidChangeContent((change) => schedulePublish(change.document.uri));
  documents.onDidClose((event) => {
    clearTimeout(states.get(event.document.uri)?.timer);
    states.delete(event.document.uri);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  });
  connection.onHover((params) => {
    const document = documents.get(params.textDocument.uri);
    return (document && analyse(document, (context) => hover(context, params.position.line, params.position.character))) ?? null;
  });
  connection.onCompletion((params) => {
    const document = documents.get(params.textDocument.uri);
    return (document && analyse(document, (context) => complete(context, params.position.line, params.position.character))) ?? [];
  });
  connection.onCodeAction((params) => {
    const document = documents.get(params.textDocument.uri);
    return (document && analyse(document, (context) => codeActions(context, params.textDocument.uri, params.context.diagnostics))) ?? [];
  });
  connection.onDocumentLinks((params) => {
    const document = documents.get(params.textDocument.uri);
    return (document && analyse(document, documentLinks)) ?? [];
  });
  documents.listen(connection);
  connection.listen();
}
