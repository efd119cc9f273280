import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Interpreter } from '../../core/parts/discovery/types';
import { readPyvenvCfg } from '../../core/leaves/layout';
import { folderSources, selectSources, type DependencySource, type TrackedSources } from '../../core/parts/sources';
import type { CreatedVenv } from '../../core/orchestrations/create';
import { localFolders } from '../folders';
import { interpreterRows } from '../interpreterItems';
import type { CommandHandler, Services } from '../services';
import { createInFolder } from '../workflows/createInFolder';
import { readSettings } from '../settings';

/**
 * "Venv Pilot: Create Environment": folder -> base interpreter -> location -> dependency sources
 * (requirements files, the pyproject.toml project, extras, groups), then create, seed pip
 * offline and install with cancellable progress; the chosen sources stay tracked for sync. Resolves to the created
 * venv, or `undefined` when the user dismissed a step or creation failed (the failure is shown).
 */
export function createEnvironment(services: Services): CommandHandler {
  return () => runCreateEnvironment(services);
}

async function runCreateEnvironment(services: Services): Promise<CreatedVenv | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Trust this workspace to create an environment: installing its requirements can run code from it.');
    return undefined;
  }
  const folder = await pickFolder(services);
  if (!folder) return undefined;
  const interpreter = await pickBaseInterpreter(services, folder);
  if (!interpreter) return undefined;
  const location = await pickLocation(services, folder);
  if (!location) return undefined;
  const tracked = await pickSources(services, folder);
  if (!tracked) return undefined;

  return createInFolder(services, folder, interpreter, location.dest, tracked, location.replace);
}

async function pickFolder(services: Services): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = localFolders();
  if (folders.length <= 1) {
    if (!folders[0]) void vscode.window.showWarningMessage('Open a folder first: the environment is created inside it.');
    return folders[0];
  }
  const picked = await services.quickInputs.pickOne({
    title: 'Create Environment: workspace folder',
    placeholder: 'Which folder gets the environment?',
    items: folders.map((folder) => ({ label: folder.name, description: folder.uri.fsPath, folder })),
  });
  return picked?.folder;
}

async function pickBaseInterpreter(services: Services, folder: vscode.WorkspaceFolder): Promise<Interpreter | undefined> {
  const isBase = (i: Interpreter): boolean => !i.isVenv && i.probed && i.hasVenvModule;
  if (!services.interpreters.busy && services.interpreters.current && !services.interpreters.known().some(isBase)) {
    void vscode.window.showErrorMessage('No Python 3 interpreter with the venv module was found. Install one (for example `apt install python3-venv`), then run "Venv Pilot: Rediscover Interpreters".');
    return undefined;
  }
  const rows = interpreterRows(folder.uri.fsPath, { forCreate: true });
  const picked = await services.quickInputs.pickOne({
    title: 'Create Environment: interpreter',
    placeholder: 'Python to base the environment on (recommended first, then newest first)',
    items: services.interpreters.liveItems((interpreters) => rows(interpreters.filter(isBase))),
  });
  return picked?.interpreter;
}

async function pickLocation(services: Services, folder: vscode.WorkspaceFolder): Promise<{ dest: string; replace: boolean } | undefined> {
  const item = (label: string, description: string): vscode.QuickPickItem => ({ label, description });
  const picked = await services.quickInputs.pickOne({
    title: 'Create Environment: location',
    placeholder: 'Press Enter for .venv, or type another folder name',
    items: [item('.venv', `in ${folder.name}`)],
    custom: (value) => (value === '.venv' ? undefined : item(value, 'another folder')),
  });
  if (!picked) return undefined;
  const dest = path.resolve(folder.uri.fsPath, picked.label);
  if (!existsSync(dest) || readdirSync(dest).length === 0) return { dest, replace: false };
  if (!readPyvenvCfg(dest)) {
    void vscode.window.showErrorMessage(`${dest} already exists and is not a virtual environment; choose another name.`);
    return undefined;
  }
  const answer = await services.quickInputs.pickOne({
    title: `${picked.label} already exists`,
    placeholder: 'Replace the existing environment?',
    items: [item('Replace', `delete ${picked.label} and create it again`), item('Cancel', 'keep it as it is')],
  });
  return answer?.label === 'Replace' ? { dest, replace: true } : undefined;
}

/** The picker's sections, in order, each under a separator. */
const SECTIONS: readonly { readonly kind: DependencySource['kind']; readonly title: string }[] = [
  { kind: 'requirements', title: 'Requirements files' },
  { kind: 'uv-lock', title: 'uv project' },
  { kind: 'project', title: 'Project' },
  { kind: 'extra', title: 'Extras' },
  { kind: 'group', title: 'Dependency groups' },
];

type SourceItem = vscode.QuickPickItem & { readonly id?: string };

/**
 * Everything the folder offers (requirements files, the pyproject.toml project, its extras and
 * dependency groups) in one multi-select, grouped under separators, the defaults ticked. A
 * problem reading pyproject.toml is shown, and the rest is still offered. Resolves to the
 * tracked set (empty when the folder offers nothing), or `undefined` when dismissed.
 */
async function pickSources(services: Services, folder: vscode.WorkspaceFolder): Promise<TrackedSources | undefined> {
  const root = folder.uri.fsPath;
  const offered = folderSources(root);
  for (const problem of offered.problems) void vscode.window.showWarningMessage(problem);
  if (offered.sources.length === 0) return { requirements: [] };
  // requirements.txt first, as pip users expect the main file on top; the rest as found.
  const sources = [...offered.sources].sort((a, b) => Number(b.id === 'requirements:requirements.txt') - Number(a.id === 'requirements:requirements.txt'));
  const items = SECTIONS.flatMap(({ kind, title }): SourceItem[] => {
    const section = sources.filter((s) => s.kind === kind);
    if (section.length === 0) return [];
    return [{ label: title, kind: vscode.QuickPickItemKind.Separator }, ...section.map((s) => ({ label: s.label, description: s.detail, picked: s.picked, id: s.id }))];
  });
  const picked = await services.quickInputs.pickMany({
    title: 'Create Environment: dependencies',
    placeholder: 'What to install and keep in sync (none is fine)',
    items,
  });
  return picked && selectSources(root, picked.flatMap((p) => (p.id ? [p.id] : [])), readSettings(folder).uvSyncMode);
}
