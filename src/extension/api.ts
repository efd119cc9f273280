/**
 * venv-pilot's public API for other extensions, as types only (like VPE's `src/api.ts`): what
 * `vscode.extensions.getExtension('venv-pilot.venv-pilot').exports` holds. The implementation is
 * in publicApi.ts; nothing here runs.
 */
import type * as vscode from 'vscode';
import type { CreatedVenv, VenvPlan } from '../core/orchestrations/create';
import type { Selection } from './selection';

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
  /** Parts of a `pyproject.toml` project to install; tracked and synced with the requirements files. */
  readonly project?: ProjectOptions;
}

/** The parts of a `pyproject.toml` project an environment installs and tracks (PEP 621 extras, PEP 735 groups). */
export interface ProjectOptions {
  /** The project's folder, relative to the workspace folder or absolute. Default: the workspace folder. */
  readonly folder?: string;
  /** Install the project itself (editable when it has a build system, else its dependencies). Default `true`. */
  readonly self?: boolean;
  /** Extras (`[project.optional-dependencies]` names). */
  readonly extras?: readonly string[];
  /** Dependency groups (`[dependency-groups]` names). */
  readonly groups?: readonly string[];
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
