import path from 'node:path';
import * as vscode from 'vscode';
import { readPyvenvCfg, venvPython } from '../../core/leaves/layout';
import { listScriptEnvs, type ScriptEnvInfo } from '../../core/orchestrations/scriptEnv';
import type { Interpreter } from '../../core/parts/discovery/types';
import { describeSources, isEmptySelection } from '../../core/parts/sources';
import { venvHealth } from '../../core/parts/venv/health';
import { localFolders } from '../folders';
import { groupOf } from '../interpreterItems';
import type { Selection } from '../selection';
import type { Services } from '../services';
import { trackedSources } from '../trackedSources';

/**
 * A row of the Environments view. Menus tell the kinds apart by the tree item's `contextValue`:
 * `environment.venv`, `environment.interpreter` (with `.selected` for a folder's selection),
 * `environment.script`, and `folder`, `group`, `scripts`, `create` for the rest.
 */
export type EnvironmentNode =
  | { readonly kind: 'folder'; readonly folder: vscode.WorkspaceFolder }
  | {
      readonly kind: 'environment';
      readonly folder: vscode.WorkspaceFolder;
      /** The interpreter's executable. */
      readonly python: string;
      /** The venv folder, for a venv. */
      readonly venv?: string;
      /** What discovery said about it; absent for a selection discovery has not (yet) found. */
      readonly interpreter?: Interpreter;
      readonly selection?: Selection;
      readonly selected: boolean;
    }
  | { readonly kind: 'group'; readonly folder: vscode.WorkspaceFolder; readonly group: string; readonly interpreters: readonly Interpreter[] }
  | { readonly kind: 'create'; readonly folder: vscode.WorkspaceFolder }
  | { readonly kind: 'scripts' }
  | { readonly kind: 'script'; readonly env: ScriptEnvInfo };

/** True when `child` is `parent` or inside it. */
const inside = (parent: string, child: string): boolean => {
  const relative = path.relative(parent, child);
  return !relative.startsWith('..') && !path.isAbsolute(relative);
};

/**
 * The Environments view: per workspace folder its selected environment (marked), the other
 * venvs discovery found in it, then the machine's interpreters grouped as the picker groups
 * them; then the script environments in the cache. Built from what discovery already knows and
 * a few stats per venv (its health): nothing runs Python.
 */
export class EnvironmentsTree implements vscode.TreeDataProvider<EnvironmentNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<EnvironmentNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly services: Services) {}

  /** Asks VS Code to fetch the visible rows again. */
  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: EnvironmentNode): EnvironmentNode[] {
    if (!node) {
      const folders = localFolders().map((folder): EnvironmentNode => ({ kind: 'folder', folder }));
      return folders.length ? [...folders, { kind: 'scripts' }] : [];
    }
    switch (node.kind) {
      case 'folder':
        return this.folderChildren(node.folder);
      case 'group':
        return node.interpreters.map((interpreter) => this.environmentOf(node.folder, interpreter));
      case 'scripts':
        return listScriptEnvs().map((env): EnvironmentNode => ({ kind: 'script', env }));
      default:
        return [];
    }
  }

  getTreeItem(node: EnvironmentNode): vscode.TreeItem {
    switch (node.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(node.folder.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `folder:${node.folder.uri.toString()}`;
        item.iconPath = vscode.ThemeIcon.Folder;
        item.contextValue = 'folder';
        item.tooltip = node.folder.uri.fsPath;
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(node.group, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `group:${node.folder.uri.toString()}:${node.group}`;
        item.description = `${node.interpreters.length}`;
        item.contextValue = 'group';
        return item;
      }
      case 'create': {
        const item = new vscode.TreeItem('Create Environment…');
        item.iconPath = new vscode.ThemeIcon('add');
        item.description = 'this folder has no environment yet';
        item.contextValue = 'create';
        item.command = { command: 'venvPilot.createEnvironment', title: 'Create Environment' };
        return item;
      }
      case 'scripts': {
        const item = new vscode.TreeItem('Script Environments', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = 'scripts';
        item.iconPath = new vscode.ThemeIcon('play');
        item.tooltip = 'The environments scripts with a `# /// script` block run in, one per script and requirement set, in the cache.';
        item.contextValue = 'scripts';
        return item;
      }
      case 'script':
        return scriptItem(node.env);
      case 'environment':
        return this.environmentItem(node);
    }
  }

  dispose(): void {
    this.changed.dispose();
  }

  private folderChildren(folder: vscode.WorkspaceFolder): EnvironmentNode[] {
    const known = this.services.interpreters.known();
    const selection = this.services.selections.get(folder);
    const own = known.filter((i) => i.isVenv && inside(folder.uri.fsPath, i.prefix));
    const shown = new Set<string>();
    const nodes: EnvironmentNode[] = [];
    if (selection) {
      const interpreter = known.find((i) => i.path === selection.path);
      nodes.push({ kind: 'environment', folder, python: selection.path, ...(selection.venv ? { venv: selection.venv } : {}), ...(interpreter ? { interpreter } : {}), selection, selected: true });
      shown.add(selection.path);
    } else if (!own.length) {
      nodes.push({ kind: 'create', folder });
    }
    for (const interpreter of own) if (!shown.has(interpreter.path)) nodes.push(this.environmentOf(folder, interpreter));
    own.forEach((i) => shown.add(i.path));
    const groups = new Map<string, Interpreter[]>();
    for (const interpreter of known) {
      if (shown.has(interpreter.path)) continue;
      const group = groupOf(interpreter);
      groups.set(group, [...(groups.get(group) ?? []), interpreter]);
    }
    // groupOf's order is the picker's: keep the order in which discovery's sort first met each group.
    for (const [group, interpreters] of groups) nodes.push({ kind: 'group', folder, group, interpreters });
    return nodes;
  }

  private environmentOf(folder: vscode.WorkspaceFolder, interpreter: Interpreter): EnvironmentNode {
    const selected = this.services.selections.get(folder)?.path === interpreter.path;
    return { kind: 'environment', folder, python: interpreter.path, ...(interpreter.isVenv ? { venv: interpreter.prefix } : {}), interpreter, selected };
  }

  private environmentItem(node: Extract<EnvironmentNode, { kind: 'environment' }>): vscode.TreeItem {
    const { folder, venv, interpreter, selection } = node;
    const version = interpreter?.version ?? selection?.version ?? readPyvenvCfg(venv ?? '')?.version ?? '?';
    const kind = interpreter?.kind ?? selection?.kind ?? 'venv';
    const label = venv ? path.relative(folder.uri.fsPath, venv) || path.basename(venv) : `Python ${version}`;
    const health = this.healthOf(node);
    const item = new vscode.TreeItem(label);
    item.id = `env:${folder.uri.toString()}:${node.python}`;
    item.description = [node.selected ? 'selected' : '', version, kind, interpreter?.envName && ![version, label].includes(interpreter.envName) ? interpreter.envName : '', health.label].filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon(health.state === 'broken' ? 'error' : health.state === 'out-of-sync' ? 'warning' : node.selected ? 'pass-filled' : venv ? 'package' : 'symbol-misc');
    item.contextValue = `environment.${venv ? 'venv' : 'interpreter'}${node.selected ? '.selected' : ''}`;
    const cfg = venv ? readPyvenvCfg(venv) : undefined;
    const tracked = node.selected && venv ? trackedSources(this.services.state, folder) : undefined;
    const lines = [
      `**${label}** — Python ${version} (${kind})`,
      `Path: \`${node.python}\``,
      ...(cfg ? [`Base interpreter: \`${cfg.executable ?? cfg.home ?? '?'}\`${cfg.version ? ` (${cfg.version})` : ''}`] : []),
      ...(tracked ? [`Tracks: ${isEmptySelection(tracked) ? 'nothing' : describeSources(tracked)}`] : []),
      ...(health.message ? [health.message] : []),
    ];
    item.tooltip = new vscode.MarkdownString(lines.join('\n\n'));
    return item;
  }

  /** In sync / out of sync for the folder's selected venv (what it tracks is known), broken for any venv that cannot run. */
  private healthOf(node: Extract<EnvironmentNode, { kind: 'environment' }>): { state: 'ok' | 'broken' | 'out-of-sync' | 'none'; label: string; message?: string } {
    if (!node.venv) return { state: 'none', label: '' };
    if (node.selected) {
      const health = this.services.health.of(node.folder);
      if (health.state !== 'ok') return { state: health.state, label: health.state === 'broken' ? 'broken' : 'out of sync', message: health.message };
      const tracked = trackedSources(this.services.state, node.folder);
      return { state: 'ok', label: isEmptySelection(tracked) ? '' : 'in sync' };
    }
    const health = venvHealth(node.venv);
    return health.ok ? { state: 'ok', label: '' } : { state: 'broken', label: 'broken', message: health.problem };
  }
}

function scriptItem(env: ScriptEnvInfo): vscode.TreeItem {
  const script = env.manifest?.script;
  const item = new vscode.TreeItem(script ? path.basename(script) : path.basename(env.dir));
  item.id = `script:${env.dir}`;
  item.description = [env.manifest ? `Python ${env.manifest.interpreter.version}` : 'unfinished', `last run ${new Date(env.lastUsed).toISOString().slice(0, 10)}`].join(' · ');
  item.iconPath = new vscode.ThemeIcon(script ? 'play' : 'warning');
  item.contextValue = 'environment.script';
  item.tooltip = new vscode.MarkdownString([`Script environment of \`${script ?? '?'}\``, `Path: \`${env.dir}\``, `Interpreter: \`${venvPython(env.dir)}\``, ...(env.manifest ? [`Requirements: ${env.manifest.requirements.join(', ') || 'none'}`] : [])].join('\n\n'));
  return item;
}
