import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomically } from '../leaves/atomicWrite';
import type { InstalledDistribution } from './pip/installed';
import { sourcesKey, type TrackedSources } from './sources';
import type { ParsedRequirements, RequirementItem } from '../leaves/requirements/parser';
import { readRequirementsBytes } from '../leaves/requirements/read';
import { satisfies } from '../leaves/requirements/pep440';
import { evaluateMarker, parsePep508, type MarkerEnvironment } from '../leaves/requirements/pep508';

/**
 * Why a requirement is in the plan: not installed, a version outside the specifier, installed
 * from another URL, not installed editable from the folder asked for, its project files changed
 * since it was installed, or something it requires (with the extras asked for) is missing or
 * outside its specifier.
 */
export type InstallReason = 'missing' | 'version' | 'url' | 'editable' | 'changed' | 'dependency';

/** What a sync would do. Empty `install` and `uninstall` means nothing to do: no pip runs. */
export interface SyncPlan {
  readonly install: readonly { readonly requirement: RequirementItem; readonly reason: InstallReason; readonly installed?: string }[];
  /** Exact mode only: installed distributions nothing listed requires. */
  readonly uninstall: readonly InstalledDistribution[];
  /** Requirements already met. */
  readonly satisfied: readonly RequirementItem[];
  /** Requirements whose marker excludes this interpreter. */
  readonly skipped: readonly RequirementItem[];
  /**
   * Why each installed distribution (by normalised name) is there: `required` by a tracked
   * source, a `dependency` of one of those (through `Requires-Dist`, markers and extras
   * evaluated), the venv's `tooling` (pip, setuptools, wheel), or `extra`: nothing requires it,
   * so an exact sync would remove it.
   */
  readonly roles: ReadonlyMap<string, PackageRole>;
}

/** Why a distribution is installed; see {@link SyncPlan.roles}. */
export type PackageRole = 'required' | 'dependency' | 'tooling' | 'extra';

/** Never uninstalled by an exact sync: the venv's own tooling. */
const TOOLING = new Set(['pip', 'setuptools', 'wheel', 'distribute']);

/** The files whose change makes a project's installed metadata stale (its dependencies live there). */
const PROJECT_FILES = ['pyproject.toml', 'setup.py', 'setup.cfg'];

const fileUrlPath = (url: string): string | undefined => {
  try {
    return url.startsWith('file:') ? path.resolve(fileURLToPath(url)) : undefined;
  } catch {
    return undefined;
  }
};

// pip asks whether an installed version fits with pre-releases admitted (`contains(version, prereleases=True)`).
const versionSatisfies = (version: string, specifier: string): boolean => !specifier || satisfies(version, specifier, { prereleases: true });

/** The folder a local-project requirement (`-e .`, `./pkg[extra]`, `-e file:///x`) names, absolute. */
export function projectFolder(requirement: RequirementItem, cwd: string): string | undefined {
  if (!requirement.path || requirement.url) return undefined;
  return requirement.path.toLowerCase().startsWith('file:') ? fileUrlPath(requirement.path) : path.resolve(cwd, requirement.path);
}

/** The folder a distribution was installed from (PEP 610 `dir_info`, or a legacy `.egg-link`). */
function installedFrom(dist: InstalledDistribution): string | undefined {
  if (dist.editableLocation) return path.resolve(dist.editableLocation);
  return dist.directUrl?.dir_info ? fileUrlPath(dist.directUrl.url) : undefined;
}

const isEditable = (dist: InstalledDistribution): boolean => !!dist.editableLocation || dist.directUrl?.dir_info?.editable === true;

/**
 * The installed distribution a requirement refers to: by name, or for a local project without
 * one (`-e .`), the distribution PEP 610 says was installed from that folder.
 */
export function installedFor(requirement: RequirementItem, byName: ReadonlyMap<string, InstalledDistribution>, cwd: string): InstalledDistribution | undefined {
  if (requirement.normalizedName) return byName.get(requirement.normalizedName);
  const folder = projectFolder(requirement, cwd);
  return folder === undefined ? undefined : [...byName.values()].find((d) => installedFrom(d) === folder);
}

/** True when a project file in `folder` changed after the distribution's metadata was written. */
function projectChanged(folder: string, dist: InstalledDistribution): boolean {
  let installedAt: number;
  try {
    installedAt = statSync(dist.location).mtimeMs;
  } catch {
    return true;
  }
  return PROJECT_FILES.some((name) => {
    try {
      return statSync(path.join(folder, name)).mtimeMs > installedAt;
    } catch {
      return false;
    }
  });
}

function installReason(requirement: RequirementItem, installed: InstalledDistribution | undefined, cwd: string, declared: boolean): { reason: InstallReason; installed?: string } | undefined {
  if (!installed) return { reason: 'missing' };
  const folder = projectFolder(requirement, cwd);
  if (folder !== undefined) {
    if (installedFrom(installed) !== folder || (requirement.editable && !isEditable(installed))) return { reason: 'editable', installed: installed.version };
    return !declared && projectChanged(folder, installed) ? { reason: 'changed', installed: installed.version } : undefined;
  }
  if (requirement.editable) return installed.editableLocation ? undefined : { reason: 'editable', installed: installed.version };
  if (requirement.url) {
    const same = installed.directUrl && (installed.directUrl.url === requirement.url || fileUrlPath(installed.directUrl.url) === fileUrlPath(requirement.url));
    return same ? undefined : { reason: 'url', installed: installed.version };
  }
  if (!versionSatisfies(installed.version, requirement.specifier)) return { reason: 'version', installed: installed.version };
  return undefined;
}

/** A distribution and the extras it is required with. */
interface Needed {
  readonly name: string;
  readonly extras: readonly string[];
}

/**
 * Walks `Requires-Dist` from `roots` (markers evaluated for each requested extra) and calls
 * `visit` for every requirement met on the way, once per name and extras.
 */
function walkRequires(roots: readonly Needed[], byName: ReadonlyMap<string, InstalledDistribution>, environment: MarkerEnvironment, visit: (requirement: { normalizedName: string; specifier: string; url?: string }, needed: Needed) => void): Set<string> {
  const reached = new Set<string>();
  const seen = new Set<string>();
  const queue = [...roots];
  for (let next = queue.shift(); next; next = queue.shift()) {
    const key = `${next.name}[${[...next.extras].sort().join(',')}]`;
    if (seen.has(key)) continue;
    seen.add(key);
    reached.add(next.name);
    for (const line of byName.get(next.name)?.requires ?? []) {
      const parsed = parsePep508(line);
      if (!parsed.ok) continue;
      const { normalizedName, extras, marker } = parsed.requirement;
      const extrasInPlay = [''].concat(next.extras);
      if (marker !== undefined && !extrasInPlay.some((extra) => evaluateMarker(marker, { ...environment, extra }) === true)) continue;
      visit(parsed.requirement, next);
      queue.push({ name: normalizedName, extras });
    }
  }
  return reached;
}

/** True when everything `root` requires, all the way down, is installed within its specifier. */
function dependenciesMet(root: Needed, byName: ReadonlyMap<string, InstalledDistribution>, environment: MarkerEnvironment): boolean {
  let met = true;
  walkRequires([root], byName, environment, (requirement) => {
    const dist = byName.get(requirement.normalizedName);
    if (!dist || (!requirement.url && !versionSatisfies(dist.version, requirement.specifier))) met = false;
  });
  return met;
}

/** Options for {@link planSync}. */
export interface PlanOptions {
  /** Also plan to uninstall what nothing requires. */
  readonly exact?: boolean;
  /** The folder relative local projects (`-e .`) mean; default the first file's folder. */
  readonly cwd?: string;
  /**
   * Local project folders whose declared dependencies (from `pyproject.toml`) are among the
   * items: such a project installed editable from its folder (PEP 610) is satisfied when those
   * are, whatever its files' times say.
   */
  readonly declaredProjects?: ReadonlySet<string>;
  /** Normalized names exact mode never uninstalls: what another source (a uv lock, installed by `uv sync`) put there. */
  readonly keep?: ReadonlySet<string>;
}

/**
 * The sync plan: the requirements (constraints apply to what gets installed, not to what is
 * required) minus the installed set. A requirement is installed when missing, when its version
 * does not satisfy the specifier, when a URL or editable points elsewhere, when a local
 * project's `pyproject.toml`/`setup.py`/`setup.cfg` changed since it was installed, or when
 * something it requires is missing. A local project (`-e .[dev]`) is matched to what it installed
 * through PEP 610 `direct_url.json`. In exact mode, installed distributions that nothing requires
 * (walking `Requires-Dist` from the listed requirements, markers and extras included) are
 * uninstalled; pip, setuptools and wheel stay.
 */
export function planSync(parsed: ParsedRequirements, installed: readonly InstalledDistribution[], environment: MarkerEnvironment, options: PlanOptions = {}): SyncPlan {
  const byName = new Map(installed.map((d) => [d.normalizedName, d]));
  const cwd = options.cwd ?? path.dirname(parsed.files[0] ?? '.');
  const install: SyncPlan['install'][number][] = [];
  const satisfied: RequirementItem[] = [];
  const skipped: RequirementItem[] = [];
  const roots: Needed[] = [];
  for (const item of parsed.items) {
    if (item.kind !== 'requirement' || item.constraint) continue;
    if (item.marker !== undefined && evaluateMarker(item.marker, { ...environment, extra: '' }) === false) {
      skipped.push(item);
      continue;
    }
    const dist = installedFor(item, byName, cwd);
    const root = dist ? { name: dist.normalizedName, extras: item.extras } : undefined;
    if (root) roots.push(root);
    const declared = options.declaredProjects?.has(projectFolder(item, cwd) ?? '') === true;
    const reason = item.normalizedName || item.editable || item.url || item.path ? installReason(item, dist, cwd, declared) : { reason: 'missing' as const };
    if (reason) install.push({ requirement: item, ...reason });
    // A project whose declared dependencies are items of their own is judged by those, not by its installed metadata.
    else if (root && dist && !declared && !dependenciesMet(root, byName, environment)) install.push({ requirement: item, reason: 'dependency', installed: dist.version });
    else satisfied.push(item);
  }
  const reached = walkRequires(roots, byName, environment, () => undefined);
  const direct = new Set(roots.map((r) => r.name));
  const roles = new Map(installed.map((d): [string, PackageRole] => [d.normalizedName, direct.has(d.normalizedName) ? 'required' : reached.has(d.normalizedName) ? 'dependency' : TOOLING.has(d.normalizedName) ? 'tooling' : 'extra']));
  const uninstall = options.exact ? installed.filter((d) => roles.get(d.normalizedName) === 'extra' && !options.keep?.has(d.normalizedName)) : [];
  return { install, uninstall, satisfied, skipped, roles };
}

/** The stamp a sync leaves in the venv, to notice later that requirements changed. */
export interface SyncStamp {
  /** sha256 over every requirements file read (includes too), in order. */
  readonly requirementsHash: string;
  /** The venv interpreter's identity: real path and version. */
  readonly interpreter: string;
  readonly files: readonly string[];
  /** The tracked set's key (`sourcesKey`): which sources, not their contents. Absent in stamps from before sources. */
  readonly sources?: string;
}

/** The stamp for a tracked set just installed from `files` (every file read, includes and pyproject.toml too). */
export function stampFor(tracked: TrackedSources, files: readonly string[], interpreter: string): SyncStamp {
  return { requirementsHash: requirementsHash(files), interpreter, files, sources: sourcesKey(tracked) };
}

const STAMP = '.venv-pilot-sync.json';

/** The hash of a requirements set: each file's path and bytes, includes too. */
export function requirementsHash(files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file).update('\0');
    // Through the requirements reader: a FIFO or a device in place of a file is never opened.
    const bytes = readRequirementsBytes(file);
    hash.update(Buffer.isBuffer(bytes) ? bytes : `<${bytes.reason}>`);
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Writes the stamp atomically. */
export async function writeStamp(venvDir: string, stamp: SyncStamp): Promise<void> {
  await writeFileAtomically(path.join(venvDir, STAMP), JSON.stringify(stamp, null, 2) + '\n');
}

/** Reads the stamp, if the venv was ever synced. */
export function readStamp(venvDir: string): SyncStamp | undefined {
  try {
    return JSON.parse(readFileSync(path.join(venvDir, STAMP), 'utf8')) as SyncStamp;
  } catch {
    return undefined;
  }
}

/**
 * True when the venv's stamp matches the tracked set as it is now: the same sources (a stamp
 * from before sources covers every root file), and no file it read (includes and
 * `pyproject.toml` too) has changed since.
 */
export function stampIsCurrent(venvDir: string, tracked: TrackedSources | readonly string[]): boolean {
  const sources: TrackedSources = Array.isArray(tracked) ? { requirements: tracked } : (tracked as TrackedSources);
  const stamp = readStamp(venvDir);
  if (!stamp) return false;
  const same = stamp.sources !== undefined ? stamp.sources === sourcesKey(sources) : !sources.project && sources.requirements.every((r) => stamp.files.includes(r));
  return same && stamp.requirementsHash === requirementsHash(stamp.files);
}
