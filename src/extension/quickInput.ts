import * as vscode from 'vscode';

/**
 * Shows QuickPicks and exposes the one on screen, so integration tests answer the real
 * widget (set `selectedItems`/`activeItems`, then `workbench.action.acceptSelectedQuickOpenItem`).
 */
export class QuickInputs {
  /** The QuickPick currently shown by this extension, if any. */
  active: vscode.QuickPick<vscode.QuickPickItem> | undefined;
  private readonly shown = new vscode.EventEmitter<vscode.QuickPick<vscode.QuickPickItem>>();
  /** Fires when a QuickPick is shown. */
  readonly onDidShow = this.shown.event;
  /**
   * Answers {@link confirm} in place of the modal dialog, with the button's label (or
   * `undefined` for Cancel). Only the extension's own tests set it: a modal dialog cannot be
   * clicked from the extension host in code-server.
   */
  answerConfirmation: ((message: string) => string | undefined) | undefined;
  private readonly asked = new vscode.EventEmitter<string>();
  /** Fires with each confirmation's question as it is asked. */
  readonly onDidAskConfirmation = this.asked.event;

  dispose(): void {
    this.active?.dispose();
    this.shown.dispose();
    this.asked.dispose();
  }

  /** A modal "are you sure?" (`showWarningMessage` with `modal: true`); true only when `action` was chosen. */
  async confirm(message: string, detail: string, action: string): Promise<boolean> {
    this.asked.fire(message);
    const answer = this.answerConfirmation ? this.answerConfirmation(message) : await vscode.window.showWarningMessage(message, { modal: true, detail }, action);
    return answer === action;
  }

  /** One choice; `undefined` when dismissed. Typed text becomes an extra item when `custom` maps it to one. */
  async pickOne<T extends vscode.QuickPickItem>(options: PickOptions<T>): Promise<T | undefined> {
    const picked = await this.show(options, false);
    return picked?.[0];
  }

  /** Several choices (`canSelectMany`); `undefined` when dismissed, `[]` when none are ticked. */
  pickMany<T extends vscode.QuickPickItem>(options: PickOptions<T>): Promise<readonly T[] | undefined> {
    return this.show(options, true);
  }

  private show<T extends vscode.QuickPickItem>(options: PickOptions<T>, many: boolean): Promise<readonly T[] | undefined> {
    return new Promise((resolve) => {
      const qp = vscode.window.createQuickPick<T>();
      qp.title = options.title;
      qp.placeholder = options.placeholder;
      qp.step = options.step;
      qp.totalSteps = options.totalSteps;
      qp.canSelectMany = many;
      qp.ignoreFocusOut = true;
      qp.matchOnDescription = true;
      qp.matchOnDetail = true;
      const disposables: vscode.Disposable[] = [];
      let base: readonly T[] = [];
      let typed: T | undefined;
      const render = (): void => {
        qp.items = typed ? [typed, ...base] : base;
      };
      if (isLive(options.items)) {
        const live = options.items;
        const refresh = (): void => {
          base = live.current();
          qp.busy = live.busy();
          render();
        };
        refresh();
        disposables.push(live.onDidChange(refresh));
      } else {
        base = options.items;
        render();
      }
      if (many) qp.selectedItems = base.filter((i) => i.picked);
      if (options.buttons) {
        qp.buttons = options.buttons.map((b) => b.button);
        disposables.push(qp.onDidTriggerButton((pressed) => options.buttons?.find((b) => b.button === pressed)?.run()));
      }
      if (options.custom) {
        const custom = options.custom;
        disposables.push(
          qp.onDidChangeValue((value) => {
            typed = value.trim() ? custom(value.trim()) : undefined;
            render();
          }),
        );
      }
      let result: readonly T[] | undefined;
      disposables.push(
        qp.onDidAccept(() => {
          result = many ? qp.selectedItems : qp.activeItems.slice(0, 1);
          if (!many && result.length === 0) return;
          qp.hide();
        }),
        qp.onDidHide(() => {
          if (this.active === (qp as vscode.QuickPick<vscode.QuickPickItem>)) this.active = undefined;
          disposables.forEach((d) => d.dispose());
          qp.dispose();
          resolve(result);
        }),
      );
      this.active = qp as unknown as vscode.QuickPick<vscode.QuickPickItem>;
      qp.show();
      this.shown.fire(this.active);
    });
  }
}

/** Items that keep arriving (discovery streams interpreters): the picker shows each update, busy until done. */
export interface LiveItems<T> {
  current(): readonly T[];
  busy(): boolean;
  readonly onDidChange: vscode.Event<void>;
}

function isLive<T>(items: readonly T[] | LiveItems<T>): items is LiveItems<T> {
  return !Array.isArray(items);
}

/** What a QuickPick step shows. */
export interface PickOptions<T extends vscode.QuickPickItem> {
  readonly title: string;
  readonly placeholder?: string;
  readonly step?: number;
  readonly totalSteps?: number;
  readonly items: readonly T[] | LiveItems<T>;
  /** Turns typed text into an item offered above the others (e.g. a custom folder name). */
  readonly custom?: (value: string) => T | undefined;
  /** Title-bar buttons and what each does (e.g. refresh). */
  readonly buttons?: readonly { readonly button: vscode.QuickInputButton; readonly run: () => void }[];
}
