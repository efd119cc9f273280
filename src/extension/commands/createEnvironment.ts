import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Interpreter } from '../../core/discovery/types';
import { readPyvenvCfg } from '../../core/venv/pyvenvCfg';
import { parseRequirementSet } from '../../core/requirements/parser';
import { requirementsHash, writeStamp } from '../../core/requirements/sync';
import { createVenv, type CreatedVenv } from '../../core/venv/create';
import { withCancellableProgress } from '../feedback';
import { localFolders } from '../folders';
import { interpreterRows } from '../interpreterItems';
import { selectionOf } from '../selection';
import { logCommand, type Services } from '../services';
import { readSettings } from '../settings';
import { setTrackedRequirements } from '../trackedRequirements';

/**
 * "Venv Pilot: Create Environment": folder -> base interpreter -> location -> requirements files,
 * then create, seed pip offline and install with cancellable progress. Resolves to the created
 * venv, or `undefined` when the user dismissed a step or creation failed (the failure is shown).
 */
export function registerCreateEnvironment(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand('venvPilot.createEnvironment', () => createEnvironment(services));
}

async function createEnvironment(services: Services): Promise<CreatedVenv | undefined> {
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
  const requirements = await pickRequirements(services, folder);
  if (!requirements) return undefined;

  return createInFolder(services, folder, interpreter, location.dest, requirements, location.replace);
}

/**
 * Creates (or, with `replace`, recreates) the venv at `dest` in `folder` with cancellable
 * progress, then selects it, tracks its requirements and stamps it in sync. Shared by Create and
 * Recreate Environment. Resolves to the venv, or `undefined` after showing the failure.
 */
export async function createInFolder(services: Services, folder: vscode.WorkspaceFolder, interpreter: Interpreter, dest: string, requirements: readonly string[], replace: boolean): Promise<CreatedVenv | undefined> {
  const name = path.relative(folder.uri.fsPath, dest) || path.basename(dest);
  const settings = readSettings(folder);
  try {
    const created = await withCancellableProgress(`${replace ? 'Recreating' : 'Creating'} ${name}`, (signal, report) =>
      createVenv({
        interpreter,
        dest,
        requirements,
        clear: replace,
        findLinks: settings.seedFindLinks.map((dir) => path.resolve(folder.uri.fsPath, dir)),
        pip: settings.pip,
        // Relative requirements (`-e .`) mean the workspace folder, as in a terminal opened there.
        cwd: folder.uri.fsPath,
        signal,
        log: logCommand(services.log),
        onProgress: (_step, message) => {
          services.log.info(message);
          report(message);
        },
      }),
    );
    // pip installed the files just now: stamp the venv as in sync with them.
    const parsed = parseRequirementSet(requirements);
    await writeStamp(created.dir, { requirementsHash: requirementsHash(parsed.files), interpreter: `${created.python}|${interpreter.version}`, files: parsed.files });
    await adopt(services, folder, created.python, interpreter, dest, requirements);
    setImmediate(() => {
      try {
        created.stageNext();
      } catch (error) {
        services.log.warn(`Could not stage seeds for the next environment: ${String(error)}`);
      }
    });
    const installed = requirements.length ? ` and installed ${requirements.map((r) => path.basename(r)).join(', ')}` : '';
    const how = [`${created.creator} creator`, ...created.seeded.map((s) => `${s.project} ${s.version} from ${s.source}`)].join(', ');
    void vscode.window.showInformationMessage(`${replace ? 'Recreated' : 'Created'} ${name} with Python ${interpreter.version} (${how})${installed}.`);
    return created;
  } catch (error) {
    // A failed install leaves a working venv behind: select it so the user can fix and retry.
    if (readPyvenvCfg(dest)) await adopt(services, folder, path.join(dest, 'bin', 'python'), interpreter, dest, requirements);
    void services.failures.show(error);
    return undefined;
  }
}

async function adopt(services: Services, folder: vscode.WorkspaceFolder, python: string, base: Interpreter, venv: string, requirements: readonly string[]): Promise<void> {
  await setTrackedRequirements(services.state, folder, requirements);
  await services.selections.set(folder, { ...selectionOf(base), path: python, venv, kind: 'venv' });
  void services.interpreters.refresh();
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

async function pickRequirements(services: Services, folder: vscode.WorkspaceFolder): Promise<readonly string[] | undefined> {
  const files = readdirSync(folder.uri.fsPath)
    .filter((name) => /^requirements.*\.txt$/.test(name))
    .sort((a, b) => (a === 'requirements.txt' ? -1 : b === 'requirements.txt' ? 1 : a.localeCompare(b)));
  if (files.length === 0) return [];
  const picked = await services.quickInputs.pickMany({
    title: 'Create Environment: requirements',
    placeholder: 'Requirements files to install (none is fine)',
    items: files.map((name) => ({ label: name, picked: name === 'requirements.txt', file: path.join(folder.uri.fsPath, name) })),
  });
  return picked?.map((p) => p.file);
}
