/**
 * What the Packages view shows, free of VS Code (so a benchmark or a unit test can build it under
 * plain Node): a venv's installed distributions read from their metadata (no Python runs), each
 * with its role from the sync plan, plus the tracked requirements that are missing or unsatisfied.
 * Reads are cached on what they depend on, so a refresh after an unrelated event re-reads nothing.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { installedDistributions, venvSitePackages, type InstalledDistribution } from '../../core/parts/pip/installed';
import { isEmptySelection, readSources, sourcesKey, type ReadSources, type TrackedSources } from '../../core/parts/sources';
import { planSync, type InstallReason, type PackageRole } from '../../core/parts/syncPlan';
import { parseWheelFileName } from '../../core/parts/seed/wheels';
import { compareVersions } from '../../core/leaves/requirements/pep440';
import type { MarkerEnvironment } from '../../core/leaves/requirements/pep508';

/** One row of the Packages view: an installed distribution, or a tracked requirement that is not installed. */
export interface PackageRow {
  /** The name as METADATA (or, when missing, the requirement) writes it. */
  readonly name: string;
  readonly normalizedName: string;
  /** Installed version; absent when missing. */
  readonly version?: string;
  /** Why it is installed (see `planSync`); `undefined` when nothing is tracked, so no role can be known. */
  readonly role?: PackageRole;
  /** Set when a tracked requirement wants something else: why a sync would install it. */
  readonly problem?: { readonly reason: InstallReason; readonly requirement: string };
  readonly distribution?: InstalledDistribution;
}

/** A value computed from files, kept while a cheap key of theirs (mtimes, the tracked set) is unchanged. */
interface Cached<T> {
  readonly key: string;
  readonly value: T;
}

// A stat that never throws: a missing file's key is simply different.
const mtimeOf = (file: string): string => {
  try {
    const stat = statSync(file);
    return `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return '-';
  }
};

/**
 * Builds and caches the Packages view's rows per venv. Installing or removing a distribution
 * adds or removes a metadata folder, which changes its site-packages folder's mtime: that stat
 * (one per site-packages folder) decides whether the installed set is read again. The tracked
 * set is read again only when its key or one of its files' mtimes changed.
 */
export class PackageModel {
  private readonly installed = new Map<string, Cached<InstalledDistribution[]>>();
  private readonly sources = new Map<string, Cached<ReadSources>>();
  private readonly rowsCache = new Map<string, Cached<readonly PackageRow[]>>();

  /**
   * The rows for `venv`, tracked set `tracked` (the folder's, when `venv` is its selected one),
   * marker environment `environment` (the venv interpreter's, from discovery) and `cwd` (the
   * folder relative local projects mean). Missing and unsatisfied requirements first, then
   * every installed distribution by name.
   */
  rows(venv: string, tracked: TrackedSources | undefined, environment: MarkerEnvironment, cwd: string): readonly PackageRow[] {
    const installed = this.installedSet(venv);
    const read = tracked && !isEmptySelection(tracked) ? this.readTracked(tracked) : undefined;
    const key = `${installed.key}|${read?.key ?? ''}|${JSON.stringify(environment)}|${cwd}`;
    const cached = this.rowsCache.get(venv);
    if (cached?.key === key) return cached.value;
    const value = buildRows(installed.value, read?.value, environment, cwd);
    this.rowsCache.set(venv, { key, value });
    return value;
  }

  /** Forgets everything, so the next {@link rows} reads from disk again. */
  clear(): void {
    this.installed.clear();
    this.sources.clear();
    this.rowsCache.clear();
  }

  private installedSet(venv: string): Cached<InstalledDistribution[]> {
    const key = venvSitePackages(venv).map(mtimeOf).join(',');
    const cached = this.installed.get(venv);
    if (cached?.key === key) return cached;
    const fresh = { key, value: installedDistributions(venv) };
    this.installed.set(venv, fresh);
    return fresh;
  }

  private readTracked(tracked: TrackedSources): Cached<ReadSources> {
    const id = sourcesKey(tracked);
    const cached = this.sources.get(id);
    // The files a read found (includes and pyproject.toml too): unchanged files, unchanged read.
    const key = (read: ReadSources): string => `${id}|${read.parsed.files.map(mtimeOf).join(',')}`;
    if (cached && cached.key === key(cached.value)) return cached;
    const value = readSources(tracked);
    const fresh = { key: key(value), value };
    this.sources.set(id, fresh);
    return fresh;
  }
}

/** The rows for an installed set and a tracked set read (see {@link PackageModel.rows}). */
export function buildRows(installed: readonly InstalledDistribution[], read: ReadSources | undefined, environment: MarkerEnvironment, cwd: string): PackageRow[] {
  const byName = (a: PackageRow, b: PackageRow): number => a.normalizedName.localeCompare(b.normalizedName);
  if (!read) return installed.map((d) => ({ name: d.name, normalizedName: d.normalizedName, version: d.version, distribution: d })).sort(byName);
  const plan = planSync(read.parsed, installed, environment, { cwd, declaredProjects: read.declaredProjects });
  const problems = new Map<string, { reason: InstallReason; requirement: string }>();
  const missing: PackageRow[] = [];
  for (const { requirement, reason } of plan.install) {
    const name = requirement.normalizedName ?? requirement.text;
    const installedOne = requirement.normalizedName ? installed.find((d) => d.normalizedName === requirement.normalizedName) : undefined;
    if (installedOne) problems.set(installedOne.normalizedName, { reason, requirement: requirement.text });
    else missing.push({ name: requirement.name ?? requirement.text, normalizedName: name, problem: { reason, requirement: requirement.text } });
  }
  const rows = installed.map((d): PackageRow => {
    const problem = problems.get(d.normalizedName);
    return { name: d.name, normalizedName: d.normalizedName, version: d.version, role: plan.roles.get(d.normalizedName), distribution: d, ...(problem ? { problem } : {}) };
  });
  return [...missing.sort(byName), ...rows.sort(byName)];
}

/** A wheel offered for install: project and version from its file name (PEP 427). */
export interface WheelOffer {
  readonly project: string;
  readonly version: string;
}

/** Every wheel in the find-links folders, by project, highest version first; unreadable folders offer none. */
export function wheelOffers(folders: readonly string[]): WheelOffer[] {
  const seen = new Map<string, WheelOffer>();
  for (const folder of folders) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      const wheel = parseWheelFileName(name);
      if (wheel) seen.set(`${wheel.project}==${wheel.version}`, wheel);
    }
  }
  return [...seen.values()].sort((a, b) => a.project.localeCompare(b.project) || compareVersions(b.version, a.version));
}

/**
 * pip's index options a tracked set's requirements files give (`--no-index`, `--find-links`,
 * `--index-url`, `--extra-index-url`), as arguments for an install of one package, and the local
 * find-links folders among them (absolute: relative ones mean the file's folder, as pip reads them).
 */
export function indexOptionsOf(read: ReadSources | undefined): { readonly args: string[]; readonly findLinks: string[] } {
  const args: string[] = [];
  const findLinks: string[] = [];
  for (const item of read?.parsed.items ?? []) {
    if (item.kind !== 'option') continue;
    if (item.name === '--no-index' && !args.includes('--no-index')) args.push('--no-index');
    if ((item.name === '--index-url' || item.name === '--extra-index-url') && item.value) args.push(item.name, item.value);
    if (item.name === '--find-links' && item.value) {
      const local = /^[a-z][a-z0-9+.-]*:\/\//i.test(item.value) ? undefined : path.resolve(path.dirname(item.range.file), item.value);
      args.push('--find-links', local ?? item.value);
      if (local) findLinks.push(local);
    }
  }
  return { args, findLinks };
}
