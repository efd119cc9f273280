/**
 * Dependency sources: what a folder declares its environment needs, and which of it a venv
 * tracks. A folder offers requirements files (`requirements*.txt`, `requirements*.in`, and the
 * `*.txt` in `requirements/` or `reqs/`) and, from `pyproject.toml`, the project itself, each
 * extra (PEP 621) and each dependency group (PEP 735), and a uv project's lock (`uv.lock`).
 * Whatever is tracked becomes one list of requirement items for the sync plan and one pip command
 * line for the install; a uv lock is installed by `uv sync` itself (see `uv/commands`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { DependencyGroupError, expandDependencyGroup, normalizeGroupName, PyprojectSyntaxError, readPyproject, type DependencyString, type Pyproject } from '../leaves/pyproject';
import { firstProblem, parseDependencyString, parseRequirementSet, type ErrorItem, type ParsedRequirements, type RequirementItem, type RequirementsItem, type SourceRange } from '../leaves/requirements/parser';
import { compareVersions } from '../leaves/requirements/pep440';
import { parseScriptMetadata, type ScriptMetadata } from '../leaves/scriptMetadata';
import { UserError } from '../leaves/errors';
import { installedDistributions } from './pip/installed';

/** The parts of a folder's project a venv tracks. */
export interface ProjectSelection {
  /** The project's folder (absolute): where `pyproject.toml` (or `setup.py`) is. */
  readonly folder: string;
  /**
   * The project itself: installed editable (`-e FOLDER[extras]`) when it has a build system,
   * else its `[project].dependencies` installed as plain requirements (as uv does for a
   * project that is not a package).
   */
  readonly self: boolean;
  /** Extras (`[project.optional-dependencies]` names, as written). */
  readonly extras: readonly string[];
  /** Dependency groups (`[dependency-groups]` names, as written). */
  readonly groups: readonly string[];
}

/** A uv project whose lock a venv tracks: `uv sync` installs it (uv's defaults: the project and its `dev` group, plus these). */
export interface UvLockSelection {
  /** The project's folder (absolute): where `uv.lock` and `pyproject.toml` are. */
  readonly folder: string;
  /** `frozen` installs the lock as written; `locked` fails when it no longer matches `pyproject.toml`. */
  readonly mode: 'frozen' | 'locked';
  /** Extras passed as `--extra NAME`. */
  readonly extras?: readonly string[];
  /** Dependency groups passed as `--group NAME`. */
  readonly groups?: readonly string[];
}

/** Everything a venv is kept in step with. */
export interface TrackedSources {
  /** Requirements files, absolute; their includes are followed. */
  readonly requirements: readonly string[];
  readonly project?: ProjectSelection;
  /** A uv project's `uv.lock`, installed with `uv sync`. */
  readonly uvLock?: UvLockSelection;
  /** A script (absolute path) whose PEP 723 `# /// script` block's dependencies are tracked. */
  readonly script?: string;
}

/** One thing a folder offers to install, as the Create Environment picker and `venv-pilot sources` show it. */
export interface DependencySource {
  /** Stable id within the folder: `requirements:REL/PATH`, `uv-lock`, `project`, `extra:NAME`, `group:NAME`. */
  readonly id: string;
  readonly kind: 'requirements' | 'uv-lock' | 'project' | 'extra' | 'group';
  /** What the user reads: `requirements/dev.txt`, `uv project (uv.lock)`, `demo (editable)`, `socks`, `dev`. */
  readonly label: string;
  /** A line saying what it installs. */
  readonly detail: string;
  /** Ticked by default: `requirements.txt`, a `uv.lock` (and then nothing of the project: the lock installs it), else the project and a `dev` group. */
  readonly picked: boolean;
}

/** What a folder offers, and why part of it could not be read. */
export interface FolderSources {
  readonly folder: string;
  readonly sources: readonly DependencySource[];
  /** `pyproject.toml` read (undefined: none, or unreadable; see `problems`). */
  readonly pyproject?: Pyproject;
  /** Problems in words, e.g. invalid TOML with its line. */
  readonly problems: readonly string[];
}

/** Folders whose `*.txt` files are requirements files (one level down). */
const REQUIREMENTS_FOLDERS = ['requirements', 'reqs'];

const isFile = (file: string): boolean => {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

const list = (folder: string): string[] => {
  try {
    return readdirSync(folder).sort();
  } catch {
    return [];
  }
};

/** The folder's requirements files, relative to it with `/`: top level first, then `requirements/` and `reqs/`. */
export function requirementsFiles(folder: string): string[] {
  const top = list(folder).filter((name) => /^requirements.*\.(txt|in)$/i.test(name) && isFile(path.join(folder, name)));
  const nested = REQUIREMENTS_FOLDERS.flatMap((dir) => list(path.join(folder, dir)).filter((name) => /\.txt$/i.test(name) && isFile(path.join(folder, dir, name))).map((name) => `${dir}/${name}`));
  return [...top, ...nested];
}

const plural = (n: number, word: string, words = `${word}s`): string => `${n} ${n === 1 ? word : words}`;

/**
 * Reads `folder/pyproject.toml` if there is one.
 *
 * @throws {PyprojectSyntaxError} for invalid TOML; other read errors as thrown.
 */
function pyprojectOf(folder: string): Pyproject | undefined {
  const file = path.join(folder, 'pyproject.toml');
  return isFile(file) ? readPyproject(file) : undefined;
}

/** True when the folder holds a project pip can install: a `[build-system]`, or a `setup.py`. */
const installableFolder = (folder: string, pyproject: Pyproject | undefined): boolean => pyproject?.installable ?? isFile(path.join(folder, 'setup.py'));

/** The problem with installing a project's dependencies as plain requirements, when they are dynamic and it has no build system. */
export function dynamicProblem(pyproject: Pyproject | undefined, installable: boolean): string | undefined {
  if (installable || !pyproject?.dynamic.includes('dependencies')) return undefined;
  return `${pyproject.file} declares its dependencies dynamic, so only a build backend knows them: add a [build-system] table so the project can be installed (editable)`;
}

/** The lock file of a uv project. */
export const UV_LOCK = 'uv.lock';

/**
 * What `folder` offers (see {@link DependencySource}), in picker order: requirements files, a uv
 * project's lock, the project, extras, groups. With a `uv.lock`, the lock is ticked and the
 * project and its groups are not: `uv sync` installs them from the lock.
 */
export function folderSources(folder: string): FolderSources {
  const problems: string[] = [];
  let pyproject: Pyproject | undefined;
  try {
    pyproject = pyprojectOf(folder);
  } catch (error) {
    problems.push(error instanceof PyprojectSyntaxError ? error.message : `${path.join(folder, 'pyproject.toml')} could not be read: ${(error as Error).message}`);
  }
  const sources: DependencySource[] = requirementsFiles(folder).map((rel) => ({ id: `requirements:${rel}`, kind: 'requirements', label: rel, detail: 'requirements file', picked: rel === 'requirements.txt' }));
  const locked = isFile(path.join(folder, UV_LOCK));
  if (locked) sources.push({ id: 'uv-lock', kind: 'uv-lock', label: `uv project (${UV_LOCK})`, detail: `uv sync --frozen: ${plural(lockedPackageCount(path.join(folder, UV_LOCK)), 'locked package')}, the project and its dev group`, picked: true });
  const installable = installableFolder(folder, pyproject);
  const name = pyproject?.name ?? path.basename(folder);
  if (installable) {
    sources.push({ id: 'project', kind: 'project', label: `${name} (editable)`, detail: `pip install -e .${pyproject?.dynamic.includes('dependencies') ? ' (its dependencies are dynamic)' : pyproject ? `, with ${plural(pyproject.dependencies.length, 'dependency', 'dependencies')}` : ''}`, picked: !locked });
  } else if (pyproject?.hasProject && (pyproject.dependencies.length > 0 || pyproject.dynamic.includes('dependencies'))) {
    const dynamic = dynamicProblem(pyproject, installable);
    sources.push({ id: 'project', kind: 'project', label: `${name} dependencies`, detail: dynamic ? 'dynamic: needs a [build-system] to be installed' : `${plural(pyproject.dependencies.length, 'requirement')} from [project] (not a package: no [build-system])`, picked: !dynamic && !locked });
  }
  for (const [extra, deps] of pyproject?.extras ?? []) sources.push({ id: `extra:${extra}`, kind: 'extra', label: extra, detail: `extra: ${deps.map((d) => d.text).join(', ') || 'nothing'}`, picked: false });
  for (const group of pyproject?.groups.keys() ?? []) {
    let detail: string;
    try {
      detail = `group: ${expandDependencyGroup(pyproject as Pyproject, group).map((d) => d.text).join(', ') || 'nothing'}`;
    } catch (error) {
      detail = (error as Error).message;
    }
    sources.push({ id: `group:${group}`, kind: 'group', label: group, detail, picked: !locked && normalizeGroupName(group) === 'dev' });
  }
  return { folder, sources, ...(pyproject ? { pyproject } : {}), problems };
}

/** How many packages a `uv.lock` lists (each `[[package]]` table, as uv writes them). */
function lockedPackageCount(lockFile: string): number {
  try {
    return readFileSync(lockFile, 'utf8').match(/^\[\[package\]\]$/gm)?.length ?? 0;
  } catch {
    return 0;
  }
}

/**
 * The tracked set for the source ids chosen in `folder` (see {@link DependencySource.id}). An
 * extra or a group without `project` tracks just that part. With `uv-lock`, extras and groups
 * are passed to `uv sync` (`--extra`, `--group`) and `project` adds nothing: the lock installs it.
 *
 * @param uvSyncMode `venvPilot.uv.syncMode`: how `uv sync` treats the lock (default `frozen`).
 * @throws {Error} for an id the folder does not offer.
 */
export function selectSources(folder: string, ids: readonly string[], uvSyncMode: UvLockSelection['mode'] = 'frozen'): TrackedSources {
  const requirements: string[] = [];
  const extras: string[] = [];
  const groups: string[] = [];
  let self = false;
  let locked = false;
  for (const id of ids) {
    if (id.startsWith('requirements:')) requirements.push(path.join(folder, id.slice('requirements:'.length)));
    else if (id === 'uv-lock') locked = true;
    else if (id === 'project') self = true;
    else if (id.startsWith('extra:')) extras.push(id.slice('extra:'.length));
    else if (id.startsWith('group:')) groups.push(id.slice('group:'.length));
    else throw new Error(`Unknown dependency source ${id}`);
  }
  if (locked) return { requirements, uvLock: { folder, mode: uvSyncMode, extras, groups } };
  return { requirements, ...(self || extras.length || groups.length ? { project: { folder, self, extras, groups } } : {}) };
}

/** The ids of a tracked set within its project folder, the inverse of {@link selectSources}. */
export function sourceIds(tracked: TrackedSources, folder: string): string[] {
  return [
    ...tracked.requirements.map((file) => `requirements:${path.relative(folder, file).split(path.sep).join('/')}`),
    ...(tracked.uvLock ? ['uv-lock', ...(tracked.uvLock.extras ?? []).map((e) => `extra:${e}`), ...(tracked.uvLock.groups ?? []).map((g) => `group:${g}`)] : []),
    ...(tracked.project?.self ? ['project'] : []),
    ...(tracked.project?.extras.map((e) => `extra:${e}`) ?? []),
    ...(tracked.project?.groups.map((g) => `group:${g}`) ?? []),
  ];
}

/** True when nothing is tracked. */
export const isEmptySelection = (tracked: TrackedSources): boolean => tracked.requirements.length === 0 && !tracked.project && !tracked.script && !tracked.uvLock;

/** The tracked set in a few words: `requirements.txt, demo [socks], group dev`. */
export function describeSources(tracked: TrackedSources): string {
  const project = tracked.project;
  const parts = tracked.requirements.map((r) => path.basename(r));
  const lock = tracked.uvLock;
  if (lock) parts.push(`${UV_LOCK} (${[lock.mode, ...(lock.extras ?? []).map((e) => `extra ${e}`), ...(lock.groups ?? []).map((g) => `group ${g}`)].join(', ')})`);
  if (project?.self) parts.push(`${path.basename(project.folder)}${project.extras.length ? ` [${project.extras.join(',')}]` : ''}`);
  else if (project?.extras.length) parts.push(`extra${project.extras.length > 1 ? 's' : ''} ${project.extras.join(', ')}`);
  if (project?.groups.length) parts.push(`group${project.groups.length > 1 ? 's' : ''} ${project.groups.join(', ')}`);
  if (tracked.script) parts.push(`the dependencies of ${path.basename(tracked.script)}`);
  return parts.join(', ') || 'nothing';
}

/** A key that changes whenever the tracked set does (not the files' contents): part of the sync stamp. */
export function sourcesKey(tracked: TrackedSources): string {
  const project = tracked.project;
  const lock = tracked.uvLock;
  return JSON.stringify({ requirements: [...tracked.requirements].sort(), ...(tracked.script ? { script: tracked.script } : {}), ...(lock ? { uvLock: { folder: lock.folder, mode: lock.mode, extras: [...(lock.extras ?? [])].sort(), groups: [...(lock.groups ?? [])].sort() } } : {}), ...(project ? { project: { folder: project.folder, self: project.self, extras: [...project.extras].sort(), groups: [...project.groups].sort() } } : {}) });
}

/** A tracked set read for planning and installing. */
export interface ReadSources {
  /** Requirement items of every source (requirements files with includes, then the project's), and errors. */
  readonly parsed: ParsedRequirements;
  /** Local projects whose declared dependencies are listed among the items: sync judges them by those, not by file times. */
  readonly declaredProjects: ReadonlySet<string>;
  /** The pyproject.toml read, if any. */
  readonly pyproject?: Pyproject;
  /** The script's metadata block read, if a script is tracked and has one. */
  readonly script?: ScriptMetadata;
}

const errorAt = (range: SourceRange, message: string): ErrorItem => ({ kind: 'error', range, code: 'syntax', message });
const fileStart = (file: string): SourceRange => ({ file, startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 0 });

/** The item an editable install of the project stands for: `-e FOLDER[extras]`. */
function editableItem(folder: string, extras: readonly string[], range: SourceRange): RequirementItem {
  return { kind: 'requirement', range, constraint: false, hashes: [], configSettings: [], globalOptions: [], text: `-e ${folder}${extras.length ? `[${extras.join(',')}]` : ''}`, editable: true, specifier: '', extras: [...extras], path: folder };
}

/**
 * Reads what `tracked` requires as requirement items (a missing or malformed source becomes an
 * error item at its place, as a requirements file's errors are): the requirements files with
 * their includes; for the project, `-e FOLDER[extras]` plus its declared dependencies and the
 * extras' (so a dependency added to `pyproject.toml` shows as missing without starting pip), or
 * without a build system the dependencies alone; each group with its includes expanded. A uv
 * lock adds no items (`uv sync` plans it) but its `uv.lock` and `pyproject.toml` are among the
 * files read, so the stamp and the watcher cover them; a missing `uv.lock` is an error item.
 */
export function readSources(tracked: TrackedSources, env?: Readonly<Record<string, string | undefined>>): ReadSources {
  const fromFiles = parseRequirementSet(tracked.requirements, env);
  const script = tracked.script === undefined ? undefined : readScriptSource(tracked.script);
  const project = tracked.project;
  const lock = tracked.uvLock;
  if (!project && !script && !lock) return { parsed: fromFiles, declaredProjects: new Set() };
  const items: RequirementsItem[] = [...fromFiles.items, ...(script?.items ?? [])];
  const files = [...fromFiles.files, ...(tracked.script ? [tracked.script] : [])];
  if (lock) {
    const lockFile = path.join(lock.folder, UV_LOCK);
    if (!isFile(lockFile)) items.push(errorAt(fileStart(lockFile), `does not exist: create it with \`uv lock\` in ${lock.folder}, or track another source`));
    for (const file of [lockFile, path.join(lock.folder, 'pyproject.toml')]) if (isFile(file) && !files.includes(file)) files.push(file);
  }
  if (!project) return { parsed: { items, files }, declaredProjects: new Set(), ...(script?.metadata ? { script: script.metadata } : {}) };
  const declaredProjects = new Set<string>();
  const pyprojectFile = path.join(project.folder, 'pyproject.toml');
  let pyproject: Pyproject | undefined;
  try {
    pyproject = pyprojectOf(project.folder);
  } catch (error) {
    items.push(error instanceof PyprojectSyntaxError ? errorAt(error.range, error.message.slice(error.message.indexOf(': ') + 2)) : errorAt(fileStart(pyprojectFile), `could not be read: ${(error as Error).message}`));
  }
  if (isFile(pyprojectFile) && !files.includes(pyprojectFile)) files.push(pyprojectFile);
  const installable = installableFolder(project.folder, pyproject);
  const dependencies = (list: readonly DependencyString[]): void => {
    for (const dependency of list) items.push(parseDependencyString(dependency.text, dependency.range));
  };
  const extraDeps = (extra: string): readonly DependencyString[] | undefined => {
    if (!pyproject) return undefined;
    const known = [...pyproject.extras.keys()].some((name) => normalizeGroupName(name) === normalizeGroupName(extra));
    if (!known && !pyproject.dynamic.includes('optional-dependencies')) items.push(errorAt(fileStart(pyprojectFile), `has no extra ${extra} (it has ${[...pyproject.extras.keys()].join(', ') || 'none'})`));
    return extraDependencies(pyproject, extra);
  };
  for (const problem of pyproject?.problems ?? []) items.push(errorAt(problem.range, problem.message));
  if (project.self || project.extras.length > 0) {
    const dynamic = dynamicProblem(pyproject, installable);
    if (dynamic) items.push(errorAt(fileStart(pyprojectFile), dynamic));
    else if (installable && project.self) {
      items.push(editableItem(project.folder, project.extras, fileStart(pyproject?.file ?? path.join(project.folder, 'setup.py'))));
      if (pyproject && !pyproject.dynamic.includes('dependencies') && !pyproject.dynamic.includes('optional-dependencies')) {
        declaredProjects.add(project.folder);
        dependencies(pyproject.dependencies);
        for (const extra of project.extras) dependencies(extraDeps(extra) ?? []);
      }
    } else {
      if (project.self && pyproject) dependencies(pyproject.dependencies);
      for (const extra of project.extras) dependencies(extraDeps(extra) ?? []);
    }
  }
  for (const group of project.groups) {
    if (!pyproject) {
      items.push(errorAt(fileStart(pyprojectFile), `has no dependency group ${group}: there is no pyproject.toml`));
      continue;
    }
    try {
      dependencies(expandDependencyGroup(pyproject, group));
    } catch (error) {
      if (!(error instanceof DependencyGroupError)) throw error;
      items.push(errorAt(error.range ?? fileStart(pyprojectFile), error.message));
    }
  }
  return { parsed: { items, files }, declaredProjects, ...(pyproject ? { pyproject } : {}), ...(script?.metadata ? { script: script.metadata } : {}) };
}

/** A script's PEP 723 dependencies as items (its block's problems as errors), and the block. */
function readScriptSource(file: string): { items: RequirementsItem[]; metadata?: ScriptMetadata } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { items: [errorAt(fileStart(file), `could not be read: ${(error as Error).message}`)] };
  }
  const metadata = parseScriptMetadata(text, file);
  if (!metadata) return { items: [] };
  return { items: [...metadata.problems.map((p) => errorAt(p.range, p.message)), ...metadata.dependencies.map((d) => parseDependencyString(d.text, d.range))], metadata };
}

/** An extra's dependencies; extra names compare normalized (PEP 685). */
function extraDependencies(pyproject: Pyproject, extra: string): readonly DependencyString[] {
  return [...pyproject.extras].find(([name]) => normalizeGroupName(name) === normalizeGroupName(extra))?.[1] ?? [];
}

/** pip's `--group` (PEP 735 groups read by pip itself) arrived in pip 25.1. */
export const PIP_GROUP_VERSION = '25.1';

/**
 * The `pip install` arguments for a tracked set: `-r FILE` per requirements file (so each file's
 * own options apply); the project as `-e FOLDER[extras]`, or without a build system its
 * dependency strings; each group as `--group PYPROJECT:NAME` when the venv's pip (`pipVersion`)
 * has it (25.1+), else as its expanded requirement strings. Arguments only: nothing is quoted
 * for a shell.
 */
export function installArgs(tracked: TrackedSources, read: ReadSources, pipVersion: string | undefined): string[] {
  const args = tracked.requirements.flatMap((file) => ['-r', file]);
  args.push(...(read.script?.dependencies.map((d) => d.text) ?? []));
  const project = tracked.project;
  const pyproject = read.pyproject;
  if (!project) return args;
  const installable = installableFolder(project.folder, pyproject);
  if (installable && project.self) {
    args.push('-e', `${project.folder}${project.extras.length ? `[${project.extras.join(',')}]` : ''}`);
    // The declared dependencies too, exactly as the plan read them: what the plan found missing
    // is installed even while the backend's metadata lags behind the file.
    if (read.declaredProjects.has(project.folder) && pyproject) args.push(...pyproject.dependencies.map((d) => d.text), ...project.extras.flatMap((extra) => extraDependencies(pyproject, extra).map((d) => d.text)));
  } else {
    if (project.self && pyproject) args.push(...pyproject.dependencies.map((d) => d.text));
    if (pyproject) for (const extra of project.extras) args.push(...extraDependencies(pyproject, extra).map((d) => d.text));
  }
  const pipHasGroups = pipVersion !== undefined && compareVersions(pipVersion, PIP_GROUP_VERSION) >= 0;
  for (const group of project.groups) {
    if (!pyproject) continue;
    if (pipHasGroups) args.push('--group', `${pyproject.file}:${group}`);
    else args.push(...expandDependencyGroup(pyproject, group).map((d) => d.text));
  }
  return args;
}

/** A tracked set checked and ready to install into a new venv. */
export interface PreparedInstall {
  /** The set in a few words, for progress: `requirements.txt, demo [socks], group dev`. */
  readonly description: string;
  readonly read: ReadSources;
  /**
   * The `pip install` arguments for the venv at `venvDir` (its pip decides how groups are
   * passed); for uv (`forUv`), groups as their requirement strings, which every uv reads. Empty
   * when only a uv lock is tracked.
   */
  args(venvDir: string, forUv?: boolean): string[];
}

/**
 * Reads and checks a tracked set before anything is created.
 *
 * @throws {UserError} with the first problem (`file:line: message`) a source has.
 */
export function prepareInstall(tracked: TrackedSources, env?: Readonly<Record<string, string | undefined>>): PreparedInstall {
  const read = readSources(tracked, env);
  const problem = firstProblem(read.parsed);
  if (problem) throw new UserError(problem);
  return {
    description: describeSources(tracked),
    read,
    args: (venvDir, forUv = false) => installArgs(tracked, read, forUv ? undefined : installedDistributions(venvDir).find((d) => d.normalizedName === 'pip')?.version),
  };
}
