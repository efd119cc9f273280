import * as vscode from 'vscode';
import { compareInterpreters, discoverInterpreters } from '../core/parts/discovery/discover';
import { describeInterpreter } from '../core/parts/discovery/resolve';
import type { DiscoveryResult, Interpreter } from '../core/parts/discovery/types';
import { probeCacheFile } from '../core/leaves/paths';
import type { LiveItems } from './quickInput';
import { logCommand } from './log';
import { readSettings } from './settings';

/**
 * Holds the latest discovery result and runs discovery in the background. Concurrent refreshes
 * share one run. While a run is in progress, interpreters are available as they are found, so
 * pickers fill in at once and never wait for the slowest probe. Probes are cached in global storage.
 */
export class InterpreterService implements vscode.Disposable {
  private latest: DiscoveryResult | undefined;
  private running: Promise<DiscoveryResult> | undefined;
  private found: Interpreter[] = [];
  private readonly changed = new vscode.EventEmitter<DiscoveryResult>();
  private readonly progressed = new vscode.EventEmitter<void>();
  /** Fires after every completed discovery. */
  readonly onDidChange = this.changed.event;
  /** Fires whenever {@link known} changes: an interpreter was found, or a run finished. */
  readonly onDidProgress = this.progressed.event;

  constructor(
    private readonly storageDir: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The last completed result, if discovery has finished at least once. */
  get current(): DiscoveryResult | undefined {
    return this.latest;
  }

  /** True while discovery runs. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** What is known now, newest first: the interpreters found so far in a running discovery, else the last result. */
  known(): readonly Interpreter[] {
    return this.running ? [...this.found].sort(compareInterpreters) : (this.latest?.interpreters ?? []);
  }

  /** Picker items that follow discovery as it streams in; `toItems` maps the known interpreters to items. */
  liveItems<T>(toItems: (interpreters: readonly Interpreter[]) => readonly T[]): LiveItems<T> {
    if (!this.running && !this.latest) void this.refresh();
    return { current: () => toItems(this.known()), busy: () => this.busy, onDidChange: this.onDidProgress };
  }

  /** The run in progress, else the last result, else a new run. */
  ready(): Promise<DiscoveryResult> {
    return this.running ?? (this.latest ? Promise.resolve(this.latest) : this.refresh());
  }

  /** Runs discovery again (joining a run already in progress). Never rejects: failures are logged and yield an empty result. */
  refresh(): Promise<DiscoveryResult> {
    if (!this.running) {
      this.found = [];
      this.running = this.discover().finally(() => {
        this.running = undefined;
        this.progressed.fire();
      });
    }
    return this.running;
  }

  /** One interpreter (a venv's too), from the last discovery or else probed through the cache; `undefined` if it does not run. */
  async describe(exe: string): Promise<Interpreter | undefined> {
    const known = this.known().find((i) => i.path === exe);
    if (known) return known;
    const settings = readSettings();
    return describeInterpreter(exe, { cacheFile: probeCacheFile(this.storageDir.fsPath), probeTimeoutMs: settings.probeTimeoutMs, log: logCommand(this.log) }).then(
      (i) => i as Interpreter,
      () => undefined,
    );
  }

  dispose(): void {
    this.changed.dispose();
    this.progressed.dispose();
  }

  private async discover(): Promise<DiscoveryResult> {
    const started = Date.now();
    const settings = readSettings();
    const result = await discoverInterpreters({
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
      trustedWorkspace: vscode.workspace.isTrusted,
      cacheFile: probeCacheFile(this.storageDir.fsPath),
      probeTimeoutMs: settings.probeTimeoutMs,
      workspaceSearchPaths: settings.workspaceSearchPaths,
      extraSearchPaths: settings.extraSearchPaths,
      excludePaths: settings.excludePaths,
      log: logCommand(this.log),
      onInterpreter: (interpreter) => {
        this.found.push(interpreter);
        this.progressed.fire();
      },
    }).catch((error: unknown): DiscoveryResult => {
      this.log.error(`Discovery failed: ${String(error)}`);
      return { interpreters: [], problems: [], probesRun: 0 };
    });
    this.log.info(`Discovered ${result.interpreters.length} interpreters in ${Date.now() - started} ms (${result.probesRun} probed)`);
    for (const problem of result.problems) this.log.warn(problem.message);
    this.latest = result;
    this.changed.fire(result);
    return result;
  }
}
