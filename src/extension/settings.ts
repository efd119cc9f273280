import * as vscode from 'vscode';
import type { PipSettings } from '../core/parts/pip/install';
import { userCacheDir } from '../core/leaves/paths';
import { uvCacheFile, type InstallerChoice, type UvLookup } from '../core/parts/uv/find';

/** The `venvPilot.*` settings (declared in package.json, described in package.nls.json). */
export interface Settings {
  /** `discovery.probeTimeoutMs`: the time limit for probing interpreters, ms. */
  readonly probeTimeoutMs: number;
  /** `discovery.workspaceSearchPaths`: more folders, relative to each workspace folder, to look for venvs in. */
  readonly workspaceSearchPaths: readonly string[];
  /** `discovery.extraSearchPaths`: interpreters, bin folders, environments, or folders of environments. */
  readonly extraSearchPaths: readonly string[];
  /** `discovery.excludePaths`: interpreters at or below these paths are not listed. */
  readonly excludePaths: readonly string[];
  /** `requirements.syncOnChange`: what a change to a tracked requirements file does. */
  readonly syncOnChange: 'auto' | 'prompt' | 'off';
  /** `requirements.exact`: syncs also uninstall what nothing requires. */
  readonly exactSync: boolean;
  /** `freeze.file`: the lock file Freeze Environment writes, relative to the folder. */
  readonly freezeFile: string;
  /** `freeze.onChange`: rewrite the lock file when the venv's packages change. */
  readonly freezeOnChange: 'auto' | 'off';
  /** `terminal.activate`: `env` puts the venv into new terminals through their environment; `off` does not. */
  readonly terminalActivate: 'env' | 'off';
  /** `terminal.promptPrefix`: bash terminals get a `(.venv) ` prompt prefix and a `deactivate` function. */
  readonly promptPrefix: boolean;
  /** `seed.findLinks`: folders searched first for seed wheels (pip, setuptools, wheel). */
  readonly seedFindLinks: readonly string[];
  /** `pip.*` plus VS Code's `http.proxy`: index settings for pip; empty values leave pip.conf in charge. */
  readonly pip: PipSettings;
  /** `scripts.maxAgeDays`: script environments unused for longer are deleted in the background, days. */
  readonly scriptsMaxAgeDays: number;
  /** `installer`: `auto` installs with uv when it is found, else pip; or always `pip`, or always `uv`. */
  readonly installer: InstallerChoice;
  /** `uv.path`: the uv binary; empty means PATH, then uv's install folders. */
  readonly uvPath: string;
  /** `uv.syncMode`: how a uv project's uv.lock is installed (`uv sync --frozen` or `--locked`). */
  readonly uvSyncMode: 'frozen' | 'locked';
  /** `seed.pip`: seed pip into new venvs (off leaves it out only when uv is the installer). */
  readonly seedPip: boolean;
}

/** Reads the settings for a resource scope (a workspace folder), falling back to the declared defaults. */
export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const config = vscode.workspace.getConfiguration('venvPilot', scope);
  return {
    probeTimeoutMs: config.get('discovery.probeTimeoutMs', 5000),
    workspaceSearchPaths: config.get<string[]>('discovery.workspaceSearchPaths', []),
    extraSearchPaths: config.get<string[]>('discovery.extraSearchPaths', []),
    excludePaths: config.get<string[]>('discovery.excludePaths', []),
    syncOnChange: config.get<'auto' | 'prompt' | 'off'>('requirements.syncOnChange', 'prompt'),
    scriptsMaxAgeDays: config.get('scripts.maxAgeDays', 30),
    installer: config.get<InstallerChoice>('installer', 'auto'),
    uvPath: config.get('uv.path', ''),
    uvSyncMode: config.get<'frozen' | 'locked'>('uv.syncMode', 'frozen'),
    seedPip: config.get('seed.pip', true),
    exactSync: config.get('requirements.exact', false),
    freezeFile: config.get('freeze.file', 'requirements.lock'),
    freezeOnChange: config.get<'auto' | 'off'>('freeze.onChange', 'off'),
    terminalActivate: config.get<'env' | 'off'>('terminal.activate', 'env'),
    promptPrefix: config.get('terminal.promptPrefix', true),
    seedFindLinks: config.get<string[]>('seed.findLinks', []),
    pip: {
      indexUrl: config.get<string>('pip.indexUrl') || undefined,
      extraIndexUrls: config.get<string[]>('pip.extraIndexUrls', []),
      findLinks: config.get<string[]>('pip.findLinks', []),
      trustedHosts: config.get<string[]>('pip.trustedHosts', []),
      offline: config.get('pip.offline', false),
      proxy: vscode.workspace.getConfiguration('http').get<string>('proxy') || undefined,
    },
  };
}

/**
 * Where create and sync look for uv: `venvPilot.uv.path`, else PATH and uv's install folders;
 * answers cached in the user cache. In an untrusted workspace no uv inside a workspace folder
 * is ever run (VS Code API: `workspace.isTrusted`).
 */
export function uvLookup(settings: Settings): UvLookup {
  return {
    ...(settings.uvPath ? { path: settings.uvPath } : {}),
    untrustedFolders: vscode.workspace.isTrusted ? [] : (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
    cacheFile: uvCacheFile(userCacheDir()),
  };
}
