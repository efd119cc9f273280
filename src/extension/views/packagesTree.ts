import path from 'node:path';
import * as vscode from 'vscode';
import { venvPython } from '../../core/leaves/layout';
import type { PackageRole } from '../../core/parts/syncPlan';
import type { Services } from '../services';
import { trackedSources } from '../trackedSources';
import { PackageModel, type PackageRow } from './packageModel';

/** A row of the Packages view; `contextValue` is `package.installed` (`.home` when it has a home page) or `package.missing`. */
export interface PackageNode {
  readonly kind: 'package';
  readonly folder: vscode.WorkspaceFolder;
  readonly venv: string;
  readonly row: PackageRow;
}

const ROLE_TEXT: Readonly<Record<PackageRole, string>> = {
  required: 'required by a tracked source',
  dependency: 'required by another installed package',
  tooling: "the environment's own tooling",
  extra: 'not required by anything: an exact sync would remove it',
};

/**
 * The Packages view: every distribution installed in the environment chosen in the
 * Environments view (else the active folder's selected venv), marked by role, with the tracked
 * requirements that are missing or unsatisfied flagged on top. Rows come from {@link PackageModel},
 * which re-reads only what changed.
 */
export class PackagesTree implements vscode.TreeDataProvider<PackageNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<PackageNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly model = new PackageModel();

  constructor(private readonly services: Services) {}

  /** Asks VS Code to fetch the rows again; the model decides what must really be re-read. */
  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: PackageNode): PackageNode[] {
    if (node) return [];
    const target = this.services.viewed.target();
    if (!target) return [];
    const { folder, venv } = target;
    const selected = this.services.selections.get(folder)?.venv === venv;
    const environment = this.services.interpreters.known().find((i) => i.path === venvPython(venv))?.markerEnvironment ?? {};
    const rows = this.model.rows(venv, selected ? trackedSources(this.services.state, folder) : undefined, environment, folder.uri.fsPath);
    return rows.map((row) => ({ kind: 'package', folder, venv, row }));
  }

  getTreeItem(node: PackageNode): vscode.TreeItem {
    const { row } = node;
    const item = new vscode.TreeItem(row.name);
    item.id = `package:${node.venv}:${row.normalizedName}`;
    const problem = row.problem && (row.version ? `${row.problem.reason}: wants ${row.problem.requirement}` : `missing: ${row.problem.requirement}`);
    item.description = [row.version, row.role, problem].filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon(row.problem ? 'warning' : row.role === 'extra' ? 'circle-outline' : row.role === 'tooling' ? 'tools' : row.role === 'dependency' ? 'debug-breakpoint-log-unverified' : 'package');
    item.contextValue = row.version ? `package.installed${row.distribution?.homePage ? '.home' : ''}` : 'package.missing';
    const dist = row.distribution;
    item.tooltip = new vscode.MarkdownString(
      [
        `**${row.name}**${row.version ? ` ${row.version}` : ''}${dist?.summary ? ` — ${dist.summary}` : ''}`,
        row.role ? `Role: ${row.role} (${ROLE_TEXT[row.role]})` : '',
        row.problem ? `A sync would install \`${row.problem.requirement}\` (${row.problem.reason})` : '',
        dist ? `Location: \`${path.dirname(dist.location)}\`` : '',
        dist?.homePage ? `Home page: ${dist.homePage}` : '',
      ]
        .filter(Boolean)
        .join('\n\n'),
    );
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
