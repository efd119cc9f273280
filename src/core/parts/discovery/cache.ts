import { readFileSync, statSync } from 'node:fs';
import { ensureFolder } from '../../leaves/folders';
import { writeFileAtomically } from '../../leaves/atomicWrite';
import path from 'node:path';
import type { ProbeInfo } from './types';

/** File identity that invalidates a cached probe: any change to the executable changes one of these. */
export interface FileKey {
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  /** Bytes. */
  readonly size: number;
}

/** One cached probe outcome: the info, or the one-line error the probe produced. */
export type CachedProbe = FileKey & ({ readonly info: ProbeInfo } | { readonly error: string });

/** The whole cache file: `{ version, entries: { [executable path]: CachedProbe } }`. */
export interface ProbeCache {
  readonly version: typeof CACHE_VERSION;
  readonly entries: Record<string, CachedProbe>;
}

// Bumped whenever probe.py reports more: older entries lack the new fields.
const CACHE_VERSION = 4;

/** Stats `exe` (following symlinks, so an upgraded base interpreter invalidates its venvs); `undefined` when it cannot be read. */
export function fileKey(exe: string): FileKey | undefined {
  try {
    const s = statSync(exe);
    return { mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, size: s.size };
  } catch {
    return undefined;
  }
}

/** True when `entry` was recorded for exactly this file state. */
export function isFresh(entry: FileKey | undefined, key: FileKey): boolean {
  return !!entry && entry.mtimeMs === key.mtimeMs && entry.ctimeMs === key.ctimeMs && entry.size === key.size;
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isString = (value: unknown): value is string => typeof value === 'string';

/** The probe fields the rest of discovery reads without checking (see `ProbeInfo`). */
function isValidInfo(info: unknown): info is ProbeInfo {
  const i = info as Partial<Record<keyof ProbeInfo, unknown>> | null;
  return (
    !!i &&
    typeof i === 'object' &&
    isString(i.version) &&
    Array.isArray(i.versionInfo) &&
    i.versionInfo.length >= 3 &&
    i.versionInfo.slice(0, 3).every(isNumber) &&
    isString(i.implementation) &&
    isString(i.executable) &&
    isString(i.prefix) &&
    isString(i.basePrefix) &&
    isNumber(i.bits) &&
    isString(i.platform)
  );
}

/** True for a well-formed {@link CachedProbe}. */
export function isValidEntry(entry: unknown): entry is CachedProbe {
  const e = entry as Record<string, unknown> | null;
  if (!e || typeof e !== 'object' || !isNumber(e.mtimeMs) || !isNumber(e.ctimeMs) || !isNumber(e.size)) return false;
  return 'info' in e ? isValidInfo(e.info) : isString(e.error);
}

/** Reads the cache; a missing, unreadable or older-format file is an empty cache, never an error, and a malformed entry is dropped. */
export async function loadProbeCache(file: string | undefined): Promise<ProbeCache> {
  const empty: ProbeCache = { version: CACHE_VERSION, entries: {} };
  if (!file) return empty;
  try {
    // One small local file, read synchronously like the rest of a warm discovery's checks.
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ProbeCache> | null;
    if (parsed?.version !== CACHE_VERSION || !parsed.entries || typeof parsed.entries !== 'object') return empty;
    // One bad entry (a hand edit, a bug in an older version) costs that entry, never the cache.
    const entries = Object.fromEntries(Object.entries(parsed.entries).filter(([exe, entry]) => exe.length > 0 && isValidEntry(entry)));
    return { version: CACHE_VERSION, entries };
  } catch {
    return empty;
  }
}

/**
 * Adds `entries` to the cache file: re-reads it first, so entries another process (a second
 * window, the CLI) wrote meanwhile are kept, then writes atomically (temporary file, then rename),
 * so a reader never sees a half-written file.
 */
export async function saveProbeCache(file: string, entries: Readonly<Record<string, CachedProbe>>): Promise<void> {
  const current = await loadProbeCache(file);
  ensureFolder(path.dirname(file));
  await writeFileAtomically(file, JSON.stringify({ version: CACHE_VERSION, entries: { ...current.entries, ...entries } } satisfies ProbeCache));
}
