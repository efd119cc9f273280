import path from 'node:path';
import * as vscode from 'vscode';
import { recommendInterpreter } from '../core/parts/discovery/recommend';
import { parseSpec, pickInterpreter } from '../core/parts/discovery/spec';
import type { Interpreter } from '../core/parts/discovery/types';
import { UserError } from '../core/leaves/errors';
import { planVenv } from '../core/orchestrations/create';
import type { TrackedSources } from '../core/parts/sources';
import { createInFolder } from './workflows/createInFolder';
import type { EnvironmentOptions, PublicApi } from './api';
import type { Services } from './services';

/** Builds the public API over the extension's services. */
export function publicApi(services: Services): PublicApi {
  const folderOf = (uri: vscode.Uri): vscode.WorkspaceFolder => {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) throw new UserError(`${uri.fsPath} is not in an open workspace folder`);
    return folder;
  };
  const resolve = async (options: EnvironmentOptions): Promise<{ folder: vscode.WorkspaceFolder; interpreter: Interpreter; dest: string; tracked: TrackedSources }> => {
    const folder = folderOf(options.folder);
    const { interpreters } = await services.interpreters.ready();
    const interpreter = options.python ? pickInterpreter(interpreters, parseSpec(options.python)) : recommendInterpreter(interpreters, folder.uri.fsPath, { forCreate: true })?.interpreter;
    if (!interpreter) throw new UserError(`No interpreter matches ${options.python ?? 'the recommendation'} for ${folder.name}`);
    const dest = path.resolve(folder.uri.fsPath, options.location ?? '.venv');
    const requirements = (options.requirements ?? []).map((r) => path.resolve(folder.uri.fsPath, r));
    const project = options.project && { folder: path.resolve(folder.uri.fsPath, options.project.folder ?? '.'), self: options.project.self ?? true, extras: [...(options.project.extras ?? [])], groups: [...(options.project.groups ?? [])] };
    return { folder, interpreter, dest, tracked: { requirements, ...(project ? { project } : {}) } };
  };
  return {
    apiVersion: 1,
    getActiveEnvironment: (resource) => {
      const folder = vscode.workspace.getWorkspaceFolder(resource);
      return folder && services.selections.get(folder);
    },
    onDidChangeActiveEnvironment: services.selections.onDidChange,
    createEnvironment: async (options) => {
      const { folder, interpreter, dest, tracked } = await resolve(options);
      return createInFolder(services, folder, interpreter, dest, tracked, false);
    },
    planEnvironment: async (options) => {
      const { interpreter, dest, tracked } = await resolve(options);
      return planVenv({ interpreter, dest, requirements: tracked.requirements, ...(tracked.project ? { project: tracked.project } : {}) });
    },
  };
}
