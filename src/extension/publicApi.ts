import path from 'node:path';
import * as vscode from 'vscode';
import { recommendInterpreter } from '../core/discovery/recommend';
import { parseSpec, pickInterpreter } from '../core/discovery/spec';
import type { Interpreter } from '../core/discovery/types';
import { UserError } from '../core/errors';
import { planVenv, type CreatedVenv, type VenvPlan } from '../core/venv/create';
import { createInFolder } from './commands/createEnvironment';
import type { Selection } from './selection';
import type { Services } from './services';

/** Options of {@link PublicApi.createEnvironment} and {@link PublicApi.planEnvironment}. */
export interface EnvironmentOptions {
  /** The workspace folder (or a file in it). */
  readonly folder: vscode.Uri;
  /** Interpreter spec: a path, `3.12`, `pypy3`, `>=3.10,<3.13`. Default: the folder's recommended interpreter. */
  readonly python?: string;
  /** Venv folder, relative to the workspace folder or absolute. Default `.venv`. */
  readonly location?: string;
  /** Requirements files to install, relative to the workspace folder or absolute. */
  readonly requirements?: readonly string[];
}

/**
 * venv-pilot's API for other extensions, version 1: `vscode.extensions.getExtension('venv-pilot.venv-pilot').exports`.
 */
export interface PublicApi {
  readonly apiVersion: 1;
  /** The environment selected for the folder holding `resource`, if any. */
  getActiveEnvironment(resource: vscode.Uri): Selection | undefined;
  /** Fires with the folder whose active environment changed. */
  readonly onDidChangeActiveEnvironment: vscode.Event<vscode.WorkspaceFolder>;
  /** Creates (without asking anything) and selects a venv; `undefined` when it failed (the failure is shown). */
  createEnvironment(options: EnvironmentOptions): Promise<CreatedVenv | undefined>;
  /** What createEnvironment would do: interpreter, creator, seeds and their sources, the folder. Writes nothing. */
  planEnvironment(options: EnvironmentOptions): Promise<VenvPlan>;
}

/** Builds the public API over the extension's services. */
export function publicApi(services: Services): PublicApi {
  const folderOf = (uri: vscode.Uri): vscode.WorkspaceFolder => {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) throw new UserError(`${uri.fsPath} is not in an open workspace folder`);
    return folder;
  };
  const resolve = async (options: EnvironmentOptions): Promise<{ folder: vscode.WorkspaceFolder; interpreter: Interpreter; dest: string; requirements: string[] }> => {
    const folder = folderOf(options.folder);
    const { interpreters } = await services.interpreters.ready();
    const interpreter = options.python ? pickInterpreter(interpreters, parseSpec(options.python)) : recommendInterpreter(interpreters, folder.uri.fsPath, { forCreate: true })?.interpreter;
    if (!interpreter) throw new UserError(`No interpreter matches ${options.python ?? 'the recommendation'} for ${folder.name}`);
    const dest = path.resolve(folder.uri.fsPath, options.location ?? '.venv');
    return { folder, interpreter, dest, requirements: (options.requirements ?? []).map((r) => path.resolve(folder.uri.fsPath, r)) };
  };
  return {
    apiVersion: 1,
    getActiveEnvironment: (resource) => {
      const folder = vscode.workspace.getWorkspaceFolder(resource);
      return folder && services.selections.get(folder);
    },
    onDidChangeActiveEnvironment: services.selections.onDidChange,
    createEnvironment: async (options) => {
      const { folder, interpreter, dest, requirements } = await resolve(options);
      return createInFolder(services, folder, interpreter, dest, requirements, false);
    },
    planEnvironment: async (options) => {
      const { interpreter, dest, requirements } = await resolve(options);
      return planVenv({ interpreter, dest, requirements });
    },
  };
}
