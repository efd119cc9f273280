import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { satisfies, valid } from '@renovatebot/pep440';
import { writeFileAtomically } from '../atomicWrite';
import type { InstalledDistribution } from '../pip/installed';
import type { ParsedRequirements, RequirementItem } from './parser';
import { evaluateMarker, parsePep508, type MarkerEnvironment } from './pep508';

/** Why a requirement is in the plan. */
export type InstallReason = 'missing' | 'version' | 'url' | 'editable';

/** What a sync would do. Empty `install` and `uninstall` means nothing to do: no pip runs. */
export interface SyncPlan {
  readonly install: readonly { readonly requirement: RequirementItem; readonly reason: InstallReason; readonly installed?: string }[];
  /** Exact mode only: installed distributions nothing listed requires. */
  readonly uninstall: readonly InstalledDistribution[];
  /** Requirements already met. */
  readonly satisfied: readonly RequirementItem[];
  /** Requirements whose marker excludes this interpreter. */
  readonly skipped: readonly RequirementItem[];
}

/** Never uninstalled by an exact sync: the venv's own tooling. */
const TOOLING = new Set(['pip', 'setuptools', 'wheel', 'distribute']);

const fileUrlPath = (url: string): string | undefined => {
  try {
    return url.startsWith('file:') ? new URL(url).pathname : undefined;
  } catch {
    return undefined;
  }
};

function installReason(requirement: RequirementItem, installed: InstalledDistribution | undefined, cwd: string): { reason: InstallReason; installed?: string } | undefined {
  if (!installed) return { reason: 'missing' };
  if (requirement.editable) {
    const wanted = requirement.path ? path.resolve(cwd, requirement.path) : undefined;
    return wanted && installed.editableLocation && path.resolve(installed.editableLocation) === wanted ? undefined : { reason: 'editable', installed: installed.version };
  }
  if (requirement.url) {
    const same = installed.directUrl && (installed.directUrl.url === requirement.url || fileUrlPath(installed.directUrl.url) === fileUrlPath(requirement.url));
    return same ? undefined : { reason: 'url', installed: installed.version };
  }
  if (requirement.specifier && !(valid(installed.version) && satisfies(installed.version, requirement.specifier))) return { reason: 'version', installed: installed.version };
  return undefined;
}

/**
 * The sync plan: the requirements (constraints apply to what gets installed, not to what is
 * required) minus the installed set. A requirement is installed when missing, when its version
 * does not satisfy the specifier, or when a URL or editable points elsewhere. In exact mode,
 * installed distributions that nothing requires (walking `Requires-Dist` from the listed
 * requirements, markers and extras included) are uninstalled; pip, setuptools and wheel stay.
 */
export function planSync(parsed: ParsedRequirements, installed: readonly InstalledDistribution[], environment: MarkerEnvironment, options: { exact?: boolean; cwd?: string } = {}): SyncPlan {
  const byName = new Map(installed.map((d) => [d.normalizedName, d]));
  const cwd = options.cwd ?? path.dirname(parsed.files[0] ?? '.');
  const install: SyncPlan['install'][number][] = [];
  const satisfied: RequirementItem[] = [];
  const skipped: RequirementItem[] = [];
  const roots: RequirementItem[] = [];
  for (const item of parsed.items) {
    if (item.kind !== 'requirement' || item.constraint) continue;
    if (item.marker !== undefined && evaluateMarker(item.marker, { ...environment, extra: '' }) === false) {
      skipped.push(item);
      continue;
    }
    roots.push(item);
    const dist = item.normalizedName ? byName.get(item.normalizedName) : undefined;
    const reason = item.normalizedName || item.editable || item.url ? installReason(item, dist, cwd) : { reason: 'missing' as const };
    if (reason) install.push({ requirement: item, ...reason });
    else satisfied.push(item);
  }
  const uninstall = options.exact ? unrequired(roots, installed, environment) : [];
  return { install, uninstall, satisfied, skipped };
}

/** Installed distributions not reachable from `roots` through `Requires-Dist`. */
function unrequired(roots: readonly RequirementItem[], installed: readonly InstalledDistribution[], environment: MarkerEnvironment): InstalledDistribution[] {
  const byName = new Map(installed.map((d) => [d.normalizedName, d]));
  const required = new Set<string>();
  const queue: { name: string; extras: readonly string[] }[] = roots.flatMap((r) => (r.normalizedName ? [{ name: r.normalizedName, extras: r.extras }] : []));
  while (queue.length) {
    const next = queue.shift();
    if (!next) break;
    const key = `${next.name}[${[...next.extras].sort().join(',')}]`;
    if (required.has(key)) continue;
    required.add(key);
    required.add(next.name);
    for (const line of byName.get(next.name)?.requires ?? []) {
      const parsed = parsePep508(line);
      if (!parsed.ok) continue;
      const { normalizedName, extras, marker } = parsed.requirement;
      const applies = marker === undefined || [''].concat(next.extras).some((extra) => evaluateMarker(marker, { ...environment, extra }) === true);
      if (applies) queue.push({ name: normalizedName, extras });
    }
  }
  return installed.filter((d) => !required.has(d.normalizedName) && !TOOLING.has(d.normalizedName));
}

/** The stamp a sync leaves in the venv, to notice later that requirements changed. */
export interface SyncStamp {
  /** sha256 over every requirements file read (includes too), in order. */
  readonly requirementsHash: string;
  /** The venv interpreter's identity: real path and version. */
  readonly interpreter: string;
  readonly files: readonly string[];
}

const STAMP = '.venv-pilot-sync.json';

/** The hash of a requirements set: each file's path and bytes, includes too. */
export function requirementsHash(files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file).update('\0');
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update('<missing>');
    }
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

/** True when the venv was synced from other requirements contents (includes too), or by another interpreter, than now. */
export function isStale(venvDir: string, files: readonly string[], interpreter: string): boolean {
  return !stampIsCurrent(venvDir, files) || readStamp(venvDir)?.interpreter !== interpreter;
}

/**
 * True when the venv's stamp matches the requirements as they are now: it covers every root
 * file, and no file it read (includes too) has changed since.
 */
export function stampIsCurrent(venvDir: string, roots: readonly string[]): boolean {
  const stamp = readStamp(venvDir);
  return !!stamp && roots.every((r) => stamp.files.includes(r)) && stamp.requirementsHash === requirementsHash(stamp.files);
}
