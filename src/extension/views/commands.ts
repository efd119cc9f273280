/**
 * The Environments and Packages views' row actions, as `(services) => handler` factories like
 * every command: each gets the row it was invoked on (the Packages view's title-bar install gets
 * none and acts on the listed environment).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { readPyvenvCfg, venvPython, venvScriptsDir } from '../../core/leaves/layout';
import { progressOf } from '../../core/orchestrations/sync';
import { installInto, uninstallFrom } from '../../core/parts/installer';
import { effectiveIndexSettings, readIndexSettings } from '../../core/parts/pip/indexState';
import type { PipOptions } from '../../core/parts/pip/install';
import { isEmptySelection, readSources } from '../../core/parts/sources';
import { normalizeName } from '../../core/parts/seed/wheels';
import { resolveInstaller, type Installer } from '../../core/parts/uv/find';
import { withCancellableProgress } from '../feedback';
import { localFolders } from '../folders';
import { logCommand } from '../log';
import { selectionOf } from '../selection';
import type { CommandHandler, Services } from '../services';
import { readSettings, uvLookup } from '../settings';
import { trackedSources } from '../trackedSources';
import type { EnvironmentNode } from './environmentsTree';
import { indexOptionsOf, wheelOffers } from './packageModel';
import type { PackageNode } from './packagesTree';
import type { PackagesTarget } from './viewed';

type EnvironmentRow = Extract<EnvironmentNode, { kind: 'environment' }>;

const isEnvironment = (arg: unknown): arg is EnvironmentRow => typeof arg === 'object' && arg !== null && (arg as { kind?: unknown }).kind === 'environment';
const isScript = (arg: unknown): arg is Extract<EnvironmentNode, { kind: 'script' }> => typeof arg === 'object' && arg !== null && (arg as { kind?: unknown }).kind === 'script';
const isPackage = (arg: unknown): arg is PackageNode => typeof arg === 'object' && arg !== null && (arg as { kind?: unknown }).kind === 'package';

/** A venv's name as the views show it: its path relative to the folder. */
const nameOf = (target: PackagesTarget): string => path.relative(target.folder.uri.fsPath, target.venv) || path.basename(target.venv);

/** Environments: makes the row's interpreter the folder's selection. */
export function selectEnvironment(services: Services): CommandHandler {
  return async (arg: unknown) => {
    if (!isEnvironment(arg) || !arg.interpreter) return undefined;
    await services.selections.set(arg.folder, selectionOf(arg.interpreter));
    return arg.interpreter.path;
  };
}

/** Environments: shows the environment's folder (a base interpreter's executable) in the system's file manager. */
export function revealEnvironment(): CommandHandler {
  return (arg: unknown) => {
    const target = isEnvironment(arg) ? (arg.venv ?? arg.python) : isScript(arg) ? arg.env.dir : undefined;
    return target && vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(target));
  };
}

/**
 * Environments: opens a terminal in the row's folder with its venv. The selected venv is already
 * in every new terminal of the folder (the folder's environment collection); another venv is
 * activated by its own activate script, typed in, since the collection would put the selected
 * one first on PATH whatever the terminal's own environment said.
 */
export function openEnvironmentTerminal(): CommandHandler {
  return (arg: unknown) => {
    const venv = isEnvironment(arg) ? arg.venv : isScript(arg) ? arg.env.dir : undefined;
    if (!venv || (!isEnvironment(arg) && !isScript(arg))) return undefined;
    const name = isEnvironment(arg) ? nameOf({ folder: arg.folder, venv }) : path.basename(venv);
    const terminal = vscode.window.createTerminal({ name: `Python (${name})`, cwd: isEnvironment(arg) ? arg.folder.uri : undefined });
    if (!isEnvironment(arg) || !arg.selected) terminal.sendText(activateCommand(venv, vscode.env.shell));
    terminal.show();
    return terminal;
  };
}

/** The line that activates `venv` in `shell` (fish, csh and PowerShell have their own scripts). */
function activateCommand(venv: string, shell: string): string {
  const quoted = (file: string): string => `'${file.replace(/'/g, `'\\''`)}'`;
  const scripts = venvScriptsDir(venv);
  if (/fish$/.test(shell)) return `source ${quoted(path.join(scripts, 'activate.fish'))}`;
  if (/csh$/.test(shell)) return `source ${quoted(path.join(scripts, 'activate.csh'))}`;
  if (/pwsh(\.exe)?$|powershell(\.exe)?$/i.test(shell)) return `& ${quoted(path.join(scripts, 'Activate.ps1'))}`;
  return `. ${quoted(path.join(scripts, 'activate'))}`;
}

/**
 * Environments: deletes a venv or a script environment after a modal confirmation. Never
 * deletes a folder without `pyvenv.cfg` (checked again just before), as Clean Up Environments;
 * a folder whose selection it was is left without one. Resolves to the folder deleted.
 */
export function deleteEnvironment(services: Services): CommandHandler {
  return async (arg: unknown): Promise<string | undefined> => {
    const dir = isEnvironment(arg) ? arg.venv : isScript(arg) ? arg.env.dir : undefined;
    if (!dir) return undefined;
    if (!readPyvenvCfg(dir)) {
      void vscode.window.showWarningMessage(`${dir} has no pyvenv.cfg: it is not a virtual environment, so it was not deleted.`);
      return undefined;
    }
    const ok = await services.quickInputs.confirm(`Delete the environment ${path.basename(dir)}?`, `${dir} and everything installed in it will be deleted. This cannot be undone.`, 'Delete');
    if (!ok || !readPyvenvCfg(dir)) return undefined;
    await rm(dir, { recursive: true, force: true });
    for (const folder of localFolders()) if (services.selections.get(folder)?.venv === dir) await services.selections.set(folder, undefined);
    if (services.viewed.target()?.venv === dir) services.viewed.choose(undefined);
    void services.interpreters.refresh();
    return dir;
  };
}

/** The rows' environment, or (title bar) the one the Packages view lists. */
function targetOf(services: Services, arg: unknown): PackagesTarget | undefined {
  const target = isPackage(arg) ? { folder: arg.folder, venv: arg.venv } : services.viewed.target();
  if (!target) void vscode.window.showWarningMessage('There is no environment to install into; create one with "Venv Pilot: Create Environment".');
  return target;
}

/**
 * pip's index options for one package into `target`: those of the requirements files it tracks
 * (`--no-index`, `--find-links wheels`), so a package installs from where its requirements do; and
 * the local find-links folders (those files', `venvPilot.pip.findLinks`, the venv's recorded ones) to offer wheels from.
 */
function indexFor(services: Services, target: PackagesTarget): { args: string[]; findLinks: string[] } {
  const tracked = services.selections.get(target.folder)?.venv === target.venv ? trackedSources(services.state, target.folder) : undefined;
  const fromFiles = indexOptionsOf(tracked && !isEmptySelection(tracked) ? readSources(tracked) : undefined);
  const settings = effectiveIndexSettings(readIndexSettings(target.venv), readSettings(target.folder).pip);
  const configured = (settings.findLinks ?? []).filter((f) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(f)).map((f) => path.resolve(target.folder.uri.fsPath, f));
  return { args: fromFiles.args, findLinks: [...new Set([...fromFiles.findLinks, ...configured])] };
}

/**
 * Runs the installer sync uses (`venvPilot.installer`: the venv's pip, or uv) with cancellable
 * progress; a failure is shown with the installer's own message. True when it succeeded.
 */
async function withInstaller(services: Services, target: PackagesTarget, title: string, work: (installer: Installer, python: string, options: PipOptions) => Promise<void>): Promise<boolean> {
  const settings = readSettings(target.folder);
  const log = logCommand(services.log);
  try {
    await withCancellableProgress(title, async (signal, report) => {
      const installer = await resolveInstaller(settings.installer, { ...uvLookup(settings), signal, log, onWarning: (m) => services.log.warn(m) });
      let seen = 0;
      await work(installer, venvPython(target.venv), {
        signal,
        log,
        settings: effectiveIndexSettings(readIndexSettings(target.venv), settings.pip),
        cwd: target.folder.uri.fsPath,
        onLine: (line) => {
          const progress = progressOf(line, seen);
          if (progress?.collected) seen++;
          if (progress) report(progress.message);
          services.log.trace(line);
        },
      });
    });
    return true;
  } catch (error) {
    void services.failures.show(error);
    return false;
  } finally {
    services.health.refresh();
  }
}

type Offer = vscode.QuickPickItem & { readonly requirement: string };

/**
 * Packages: installs a package into the listed environment: picked from the wheels in the
 * find-links folders (name and version from each file name), or a requirement typed in.
 */
export function installPackage(services: Services): CommandHandler {
  return async (arg: unknown): Promise<boolean> => {
    const target = targetOf(services, arg);
    if (!target) return false;
    const index = indexFor(services, target);
    const offers = wheelOffers(index.findLinks);
    const picked = await services.quickInputs.pickOne<Offer>({
      title: `Install a package into ${nameOf(target)}`,
      placeholder: 'Pick a wheel from the find-links folders, or type a requirement (name, name==1.0)',
      items: offers.map((w) => ({ label: w.project, description: w.version, requirement: `${w.project}==${w.version}` })),
      // A typed name that is already offered needs no row of its own: the offered rows match it.
      custom: (value) => (offers.some((w) => w.project === normalizeName(value)) ? undefined : { label: value, description: 'install this requirement', requirement: value }),
    });
    if (!picked) return false;
    return withInstaller(services, target, `Installing ${picked.requirement} into ${nameOf(target)}`, (installer, python, options) => installInto(installer, python, [...index.args, picked.requirement], options));
  };
}

/** Packages: uninstalls the row's distribution with the installer in effect. */
export function uninstallPackage(services: Services): CommandHandler {
  return async (arg: unknown): Promise<boolean> => {
    if (!isPackage(arg) || !arg.row.version) return false;
    const target = { folder: arg.folder, venv: arg.venv };
    return withInstaller(services, target, `Uninstalling ${arg.row.name} from ${nameOf(target)}`, (installer, python, options) => uninstallFrom(installer, python, [arg.row.name], options));
  };
}

/** Packages: installs another version of the row's package: one of the find-links wheels, or a version or specifier typed in. */
export function changePackageVersion(services: Services): CommandHandler {
  return async (arg: unknown): Promise<boolean> => {
    if (!isPackage(arg)) return false;
    const { row } = arg;
    const target = { folder: arg.folder, venv: arg.venv };
    const index = indexFor(services, target);
    const versions = wheelOffers(index.findLinks).filter((w) => w.project === row.normalizedName);
    const picked = await services.quickInputs.pickOne<Offer>({
      title: `Version of ${row.name}${row.version ? ` (installed: ${row.version})` : ''}`,
      placeholder: 'Pick a version from the find-links folders, or type one (1.2.0) or a specifier (>=1.2)',
      items: versions.map((w) => ({ label: w.version, description: w.version === row.version ? 'installed' : '', requirement: `${row.name}==${w.version}` })),
      custom: (value) => ({ label: value, description: `install ${row.name} ${value}`, requirement: /^\d/.test(value) ? `${row.name}==${value}` : `${row.name}${value}` }),
    });
    if (!picked) return false;
    return withInstaller(services, target, `Installing ${picked.requirement} into ${nameOf(target)}`, (installer, python, options) => installInto(installer, python, [...index.args, picked.requirement], options));
  };
}

/** Packages: opens the distribution's home page (METADATA `Home-page`, else its first `Project-URL`). */
export function openPackageHomePage(): CommandHandler {
  return (arg: unknown) => {
    const url = isPackage(arg) ? arg.row.distribution?.homePage : undefined;
    return url ? vscode.env.openExternal(vscode.Uri.parse(url)) : undefined;
  };
}

/** Packages: shows the distribution's metadata folder, beside its files in site-packages, in the system's file manager. */
export function revealPackageFiles(): CommandHandler {
  return (arg: unknown) => {
    const location = isPackage(arg) ? arg.row.distribution?.location : undefined;
    return location && vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(location));
  };
}
