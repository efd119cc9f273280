import type * as vscode from 'vscode';
import type { ProjectSelection, TrackedSources, UvLockSelection } from '../core/parts/sources';

/**
 * What a folder's environment is kept in step with (requirements files, a pyproject.toml
 * project's parts, a uv project's uv.lock), in workspace state. Earlier versions stored only an array of requirements
 * files under another key; that is still read, so an existing environment keeps its files.
 */
export function trackedSources(state: vscode.Memento, folder: vscode.WorkspaceFolder): TrackedSources {
  const stored = state.get<unknown>(key(folder));
  if (isTrackedSources(stored)) return stored;
  const legacy = state.get<unknown>(legacyKey(folder));
  return { requirements: Array.isArray(legacy) ? legacy.filter((f): f is string => typeof f === 'string') : [] };
}

/** Records what `folder`'s environment tracks (and drops the old requirements-only entry). */
export async function setTrackedSources(state: vscode.Memento, folder: vscode.WorkspaceFolder, tracked: TrackedSources): Promise<void> {
  const project = tracked.project && { folder: tracked.project.folder, self: tracked.project.self, extras: [...tracked.project.extras], groups: [...tracked.project.groups] };
  const lock = tracked.uvLock;
  const uvLock = lock && { folder: lock.folder, mode: lock.mode, ...(lock.extras ? { extras: [...lock.extras] } : {}), ...(lock.groups ? { groups: [...lock.groups] } : {}) };
  await state.update(key(folder), { requirements: [...tracked.requirements], ...(project ? { project } : {}), ...(uvLock ? { uvLock } : {}) });
  if (state.get(legacyKey(folder)) !== undefined) await state.update(legacyKey(folder), undefined);
}

const key = (folder: vscode.WorkspaceFolder): string => `sources:${folder.uri.toString()}`;
/** Where versions before dependency sources kept the requirements files (an array of absolute paths). */
const legacyKey = (folder: vscode.WorkspaceFolder): string => `requirements:${folder.uri.toString()}`;

const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** State is JSON on disk that anyone may have edited: check its shape before trusting it. */
function isTrackedSources(value: unknown): value is TrackedSources {
  if (typeof value !== 'object' || value === null) return false;
  const { requirements, project, uvLock } = value as { requirements?: unknown; project?: Partial<Record<keyof ProjectSelection, unknown>>; uvLock?: Partial<Record<keyof UvLockSelection, unknown>> };
  if (!strings(requirements)) return false;
  const projectOk = project === undefined || (typeof project === 'object' && project !== null && typeof project.folder === 'string' && typeof project.self === 'boolean' && strings(project.extras) && strings(project.groups));
  const lockOk = uvLock === undefined || (typeof uvLock === 'object' && uvLock !== null && typeof uvLock.folder === 'string' && (uvLock.mode === 'frozen' || uvLock.mode === 'locked') && (uvLock.extras === undefined || strings(uvLock.extras)) && (uvLock.groups === undefined || strings(uvLock.groups)));
  return projectOk && lockOk;
}
