/** Shared by the integration suites: waiting, answering the extension's pickers, terminals. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import type { VenvPilotApi } from '../../src/extension/testApi';

/** Polls `check` until it returns a truthy value. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The next value `event` fires that passes `filter`. */
export function nextEvent<T>(event: vscode.Event<T>, filter: (value: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const subscription = event((value) => {
      if (!filter(value)) return;
      subscription.dispose();
      resolve(value);
    });
  });
}

/** The extension under test, activated. */
export async function activateExtension(): Promise<VenvPilotApi> {
  const extension = vscode.extensions.getExtension<VenvPilotApi>('venv-pilot.venv-pilot');
  if (!extension) throw new Error('venv-pilot is not loaded in this VS Code');
  return extension.activate();
}

/**
 * Waits for the extension's QuickPick titled `title` to finish loading, and answers it through the real widget.
 * One item: typed into the filter (its detail, else its label) until the workbench reports it as
 * the active item, since `activeItems` set from the extension host may not reach the UI before
 * the accept does. Several items: ticked through `selectedItems`. Then accepts, as Enter does.
 */
export async function answerQuickPick(api: VenvPilotApi, title: string, choose: (items: readonly vscode.QuickPickItem[]) => vscode.QuickPickItem[]): Promise<string[]> {
  const qp = await waitFor(`the "${title}" picker`, () => api.quickInputs.active?.title === title && api.quickInputs.active);
  await waitFor(`"${title}" to finish loading`, () => !qp.busy);
  const chosen = choose(qp.items);
  if (qp.canSelectMany) {
    // The workbench echoes a selection it has taken; accept only after that.
    const echoed = nextEvent(qp.onDidChangeSelection, (items) => items.length === chosen.length);
    qp.selectedItems = chosen;
    await Promise.race([echoed, new Promise((resolve) => setTimeout(resolve, 2000))]);
  } else {
    const [item] = chosen;
    if (!item) throw new Error(`Nothing to choose in "${title}"`);
    await typeAndAccept(qp, item.detail ?? item.label, (active) => active === item);
    await waitFor(`"${title}" to close`, () => api.quickInputs.active !== qp);
    return chosen.map((c) => c.label);
  }
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  await waitFor(`"${title}" to close`, () => api.quickInputs.active !== qp);
  return chosen.map((c) => c.label);
}

/**
 * Types `value` into a QuickPick's filter, waits until the workbench reports the wanted row as
 * active (a typed value can also create a row), then accepts it as Enter does.
 */
export async function typeAndAccept(qp: vscode.QuickPick<vscode.QuickPickItem>, value: string, wanted: (active: vscode.QuickPickItem) => boolean): Promise<void> {
  qp.value = value;
  await waitFor(`"${value}" to pick the wanted row`, () => qp.activeItems[0] !== undefined && wanted(qp.activeItems[0]));
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}

/**
 * Runs `command` in a new integrated terminal of the default profile and returns what it wrote
 * to `outFile` (written through a rename, so a half-written file is never read).
 */
export async function runInTerminal(command: string, outFile: string, options: vscode.TerminalOptions = {}): Promise<string> {
  rmSync(outFile, { force: true });
  const terminal = vscode.window.createTerminal({ name: 'venv-pilot test', ...options });
  terminal.show();
  terminal.sendText(`${command} > '${outFile}.tmp' && mv '${outFile}.tmp' '${outFile}'`);
  // Shell integration's DEBUG trap can print its OSC 633 marks into a redirected command group.
  const output = (await waitFor(`terminal output in ${outFile}`, () => existsSync(outFile) && readFileSync(outFile, 'utf8'))).replace(/\x1b\][^\x07]*\x07/g, '');
  // A picker opened while a terminal is being disposed gets dismissed: wait until it is gone.
  const closed = nextEvent(vscode.window.onDidCloseTerminal, (t) => t === terminal);
  terminal.dispose();
  await closed;
  return output.trim();
}
