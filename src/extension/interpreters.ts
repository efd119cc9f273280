import * as vscode from 'vscode';
import { discoverInterpreters } from '../core/discovery/discover';
import type { DiscoveryResult } from '../core/discovery/types';
import { probeCacheFile } from '../core/paths';
import { logCommand } from './services';
import { readSettings } from './settings';

/**
 * Holds the latest discovery result and runs discovery in the background. Concurrent
 * refreshes share one run. Probes are cached in the extension's global storage.
 */
export class InterpreterService implements vscode.Disposable {
  private latest: DiscoveryResult | undefined;
  private running: Promise<DiscoveryResult> | undefined;
  private readonly changed = new vscode.EventEmitter<DiscoveryResult>();
  /** Fires after every completed discovery. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly storageDir: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The last completed result, if discovery has finished at least once. */
  get current(): DiscoveryResult | undefined {
    return this.latest;
  }

  /** The run in progress, else the last result, else a new run. */
  ready(): Promise<DiscoveryResult> {
    return this.running ?? (this.latest ? Promise.resolve(this.latest) : this.refresh());
  }

  /** Runs discovery again (joining a run already in progress). Never rejects: failures are logged and yield an empty result. */
  refresh(): Promise<DiscoveryResult> {
    this.running ??= this.discover().finally(() => (this.running = undefined));
    return this.running;
  }

  dispose(): void {
    this.changed.dispose();
  }

  private async discover(): Promise<DiscoveryResult> {
    const started = Date.now();
    const result = await discoverInterpreters({
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
      trustedWorkspace: vscode.workspace.isTrusted,
      cacheFile: probeCacheFile(this.storageDir.fsPath),
      probeTimeoutMs: readSettings().probeTimeoutMs,
      log: logCommand(this.log),
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
