/**
 * The index a venv installs from is part of its tracked state: `create --index-url URL` records
 * it in the venv, and a later `sync` without index flags uses it again, as uv records its index
 * in `uv.lock`. Credentials are never written: a URL's user and password are removed (pip then
 * takes them from `~/.netrc` or keyring, as its docs recommend for stored configuration).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from '../../leaves/atomicWrite';
import type { PipSettings } from './install';

const INDEX_FILE = '.venv-pilot-index.json';

/** The index settings kept in a venv: {@link PipSettings} without the proxy, credentials removed. */
export type IndexSettings = Pick<PipSettings, 'indexUrl' | 'extraIndexUrls' | 'findLinks' | 'trustedHosts' | 'offline'>;

/** `url` without its user and password (`https://user:token@host/simple` gives `https://host/simple`); non-URLs unchanged. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Only the settings that are set, credentials removed: what gets stored. */
export function storableIndexSettings(settings: PipSettings): IndexSettings {
  const list = (values: readonly string[] | undefined): string[] | undefined => (values?.length ? values.map(withoutCredentials) : undefined);
  const stored: IndexSettings = {
    ...(settings.indexUrl ? { indexUrl: withoutCredentials(settings.indexUrl) } : {}),
    ...(list(settings.extraIndexUrls) ? { extraIndexUrls: list(settings.extraIndexUrls) } : {}),
    ...(settings.findLinks?.length ? { findLinks: [...settings.findLinks] } : {}),
    ...(settings.trustedHosts?.length ? { trustedHosts: [...settings.trustedHosts] } : {}),
    ...(settings.offline ? { offline: true } : {}),
  };
  return stored;
}

/** True when no index setting is set. */
export function isEmptyIndexSettings(settings: IndexSettings): boolean {
  return Object.keys(storableIndexSettings(settings)).length === 0;
}

/** The venv's recorded index settings; empty when none were recorded or the file is unreadable. */
export function readIndexSettings(venvDir: string): IndexSettings {
  try {
    const parsed = JSON.parse(readFileSync(path.join(venvDir, INDEX_FILE), 'utf8')) as IndexSettings;
    return typeof parsed === 'object' && parsed !== null ? storableIndexSettings(parsed) : {};
  } catch {
    return {};
  }
}

/**
 * Records the index settings in the venv (atomically), replacing what was there.
 *
 * @throws the file system's error when the venv cannot be written.
 */
export async function writeIndexSettings(venvDir: string, settings: PipSettings): Promise<void> {
  await writeFileAtomically(path.join(venvDir, INDEX_FILE), JSON.stringify(storableIndexSettings(settings), null, 2) + '\n');
}

/**
 * The settings a sync uses: when any index setting is given now, the given set replaces the
 * recorded one (a new index configuration, recorded by the sync); otherwise the recorded set
 * applies. The proxy is never recorded, so it always comes from `given`.
 */
export function effectiveIndexSettings(recorded: IndexSettings, given: PipSettings = {}): PipSettings {
  const chosen = isEmptyIndexSettings(given) ? recorded : given;
  return { ...chosen, ...(given.proxy ? { proxy: given.proxy } : {}) };
}
