/**
 * Script environments in VS Code: which interpreter a script gets, the CodeLens on a PEP 723
 * block ("Run in its environment (N dependencies, ready)"), and the background pruning of
 * environments unused for longer than `venvPilot.scripts.maxAgeDays`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { userCacheDir } from '../../core/leaves/paths';
import { parseScriptMetadata } from '../../core/leaves/scriptMetadata';
import { pruneScriptEnvs, SCRIPT_MANIFEST, scriptEnvDir, scriptEnvIdentity, scriptRequirements, type ScriptRequirements } from '../../core/orchestrations/scriptEnv';
import { parseSpec, pickInterpreter } from '../../core/parts/discovery/spec';
import type { BaseInterpreter, Interpreter } from '../../core/parts/discovery/types';
import type { PipSettings } from '../../core/parts/pip/install';
import type { Services } from '../services';
import { readSettings } from '../settings';

/** How long after activation the background prune runs, ms: activation itself stays quick. */
const PRUNE_DELAY_MS = 30_000;

/**
 * The interpreter a script runs with: the newest base interpreter discovery found that
 * satisfies the script's `requires-python` (the newest Python 3 without one). Venvs never count.
 */
export function scriptInterpreter(interpreters: readonly Interpreter[], requiresPython: string | undefined): BaseInterpreter | undefined {
  return pickInterpreter(interpreters.filter((i) => !i.isVenv && i.probed), parseSpec(requiresPython ?? '3'));
}

/**
 * The pip settings a script's environment is made with: the script's workspace folder's, with
 * relative find-links folders made absolute against that folder (as create and sync, which run
 * pip there, read them), so the environment's identity does not depend on where pip runs.
 */
export function scriptPipSettings(script: string): PipSettings {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(script));
  const { pip } = readSettings(folder);
  const base = folder?.uri.fsPath ?? path.dirname(script);
  return { ...pip, ...(pip.findLinks ? { findLinks: pip.findLinks.map((dir) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(dir) ? dir : path.resolve(base, dir))) } : {}) };
}

/** The folder a script's environment has (or will have) for these requirements and interpreter, and whether it is ready. */
export function scriptEnvState(requirements: ScriptRequirements, interpreter: BaseInterpreter): { dir: string; ready: boolean } {
  const dir = scriptEnvDir(userCacheDir(), requirements.script, scriptEnvIdentity(requirements, interpreter, scriptPipSettings(requirements.script)));
  return { dir, ready: existsSync(path.join(dir, SCRIPT_MANIFEST)) };
}

/**
 * The CodeLens over a script's `# /// script` block: runs the script in its environment, and
 * says whether that environment exists yet. Computed from the text and discovery's last result,
 * without starting any process.
 */
class ScriptBlockLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly services: Services) {}

  /** Lenses change when discovery does (another interpreter) or a run creates an environment. */
  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const metadata = parseScriptMetadata(document.getText(), document.uri.fsPath);
    if (!metadata) return [];
    const range = new vscode.Range(metadata.block.startLine, 0, metadata.block.startLine, 0);
    const count = metadata.dependencies.length;
    const what = `${count} dependenc${count === 1 ? 'y' : 'ies'}`;
    let state = 'will be created';
    const interpreter = scriptInterpreter(this.services.interpreters.known(), metadata.requiresPython);
    if (metadata.problems.length) state = 'fix the block first';
    else if (!interpreter) state = metadata.requiresPython ? `no Python satisfies ${metadata.requiresPython}` : 'no Python found';
    else {
      try {
        const requirements = scriptRequirementsFromText(document);
        if (requirements && scriptEnvState(requirements, interpreter).ready) state = 'ready';
      } catch {
        state = 'fix the block first';
      }
    }
    return [new vscode.CodeLens(range, { title: `$(play) Run in its environment (${what}, ${state})`, command: 'venvPilot.runScript', arguments: [document.uri] })];
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The requirements of a saved script; an unsaved block has no environment yet (run saves it first). */
function scriptRequirementsFromText(document: vscode.TextDocument): ScriptRequirements | undefined {
  return document.isDirty ? undefined : scriptRequirements(document.uri.fsPath);
}

/** The script lenses and the background prune, as one disposable. */
export function registerScriptEnvironments(services: Services): vscode.Disposable {
  const lenses = new ScriptBlockLenses(services);
  const maxAge = readSettings().scriptsMaxAgeDays;
  const prune = setTimeout(() => {
    try {
      const removed = pruneScriptEnvs(maxAge);
      if (removed.length) services.log.info(`Removed ${removed.length} script environment(s) unused for over ${maxAge} days: ${removed.map((r) => r.dir).join(', ')}`);
    } catch (error) {
      services.log.warn(`Could not prune script environments: ${String(error)}`);
    }
  }, PRUNE_DELAY_MS);
  return vscode.Disposable.from(
    lenses,
    vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, lenses),
    services.interpreters.onDidChange(() => lenses.refresh()),
    // A run opens a terminal once its environment exists: "will be created" becomes "ready".
    vscode.window.onDidOpenTerminal(() => lenses.refresh()),
    { dispose: () => clearTimeout(prune) },
  );
}
