import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeProjectName } from '../../leaves/requirements/pep508';
import { listFolder, readPyvenvCfg, venvPlatformOf, venvSitePackagesDirs } from '../../leaves/layout';

/** PEP 610 `direct_url.json`. */
export interface DirectUrl {
  readonly url: string;
  readonly subdirectory?: string;
  readonly vcs_info?: { readonly vcs: string; readonly commit_id: string; readonly requested_revision?: string };
  readonly archive_info?: { readonly hash?: string; readonly hashes?: Readonly<Record<string, string>> };
  readonly dir_info?: { readonly editable?: boolean };
}

/** An installed distribution, read from its `.dist-info` or `.egg-info` without running Python. */
export interface InstalledDistribution {
  /** `Name` from METADATA, as written. */
  readonly name: string;
  /** PEP 503 normalised name. */
  readonly normalizedName: string;
  readonly version: string;
  /** The metadata folder. */
  readonly location: string;
  readonly directUrl?: DirectUrl;
  /** For an editable install: the project folder (from PEP 610 `dir_info.editable` or a legacy `.egg-link`). */
  readonly editableLocation?: string;
  /** Which form the metadata took. */
  readonly format: 'dist-info' | 'egg-info';
  /** `Requires-Dist` lines (PEP 508 strings, markers included). */
  readonly requires: readonly string[];
  /** `Summary`. */
  readonly summary?: string;
  /** `License` (or the first `License-Expression`/classifier-free value). */
  readonly license?: string;
  /** `Home-page`, else the first `Project-URL`. */
  readonly homePage?: string;
}

/** RFC 822-style metadata headers (METADATA, PKG-INFO): name -> values, keys lower-case; the body is ignored. */
export function parseMetadataHeaders(text: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (/^[ \t]/.test(line) && last) {
      const values = headers.get(last) ?? [];
      values[values.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    headers.set(last, [...(headers.get(last) ?? []), line.slice(colon + 1).trim()]);
  }
  return headers;
}

// Most optional metadata files are absent: a stat is much cheaper than a thrown ENOENT.
const readText = (file: string): string | undefined => {
  if (!existsSync(file)) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * The site-packages folders of a venv, in `sys.path` order: its own (see layout.ts), then (with
 * `include-system-site-packages = true`) none of the base's, which this version does not read.
 */
export function venvSitePackages(venvDir: string): string[] {
  const version = readPyvenvCfg(venvDir)?.version?.split('.').slice(0, 2).join('.');
  return venvSitePackagesDirs(venvDir, venvPlatformOf(), version);
}


/** Legacy editables: `NAME.egg-link` files in site-packages, whose first line is the project folder. */
function eggLinks(siteDir: string): Map<string, string> {
  const links = new Map<string, string>();
  for (const name of listFolder(siteDir).filter((n) => n.endsWith('.egg-link'))) {
    const target = readText(path.join(siteDir, name))?.split(/\r?\n/)[0]?.trim();
    if (target) links.set(normalizeProjectName(name.slice(0, -'.egg-link'.length)), path.resolve(siteDir, target));
  }
  return links;
}

/** Bytes read first from a METADATA file: the headers nearly always fit, the long description after them is skipped. */
const HEADER_BYTES = 16 * 1024;

/**
 * The header section of a METADATA or PKG-INFO file (everything before the first blank line),
 * reading the whole file only when the headers run past {@link HEADER_BYTES}.
 */
function readHeaderSection(file: string, buffer: Buffer): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const read = readSync(fd, buffer, 0, HEADER_BYTES, 0);
    const text = buffer.toString('utf8', 0, read);
    const end = text.search(/\r?\n\r?\n/);
    if (end >= 0 || read < HEADER_BYTES) return end >= 0 ? text.slice(0, end) : text;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
  return readText(file);
}

function readDistribution(metadataDir: string, format: InstalledDistribution['format'], links: Map<string, string>, buffer: Buffer): InstalledDistribution | undefined {
  // Plain concatenation in this per-distribution loop: the parts are clean names, and path.join's
  // normalisation is a measurable share of a freeze of hundreds of distributions.
  const metadata = readHeaderSection(`${metadataDir}${path.sep}${format === 'dist-info' ? 'METADATA' : 'PKG-INFO'}`, buffer);
  if (metadata === undefined) return undefined;
  const headers = parseMetadataHeaders(metadata);
  const name = headers.get('name')?.[0];
  const version = headers.get('version')?.[0];
  if (!name || !version || !VALID_NAME.test(name)) return undefined;
  let directUrl: DirectUrl | undefined;
  const directUrlText = readText(`${metadataDir}${path.sep}direct_url.json`);
  try {
    directUrl = directUrlText ? (JSON.parse(directUrlText) as DirectUrl) : undefined;
  } catch {
    directUrl = undefined;
  }
  const normalizedName = normalizeProjectName(name);
  const fromDirectUrl = directUrl?.dir_info?.editable && directUrl.url.startsWith('file:') ? fileURLToPath(directUrl.url) : undefined;
  const editableLocation = links.get(normalizedName) ?? fromDirectUrl;
  const requires = format === 'dist-info' ? (headers.get('requires-dist') ?? []) : parseEggRequires(readText(path.join(metadataDir, 'requires.txt')));
  return {
    name,
    normalizedName,
    version,
    location: metadataDir,
    format,
    requires,
    ...(directUrl ? { directUrl } : {}),
    ...(editableLocation ? { editableLocation } : {}),
    ...(headers.get('summary')?.[0] ? { summary: headers.get('summary')?.[0] } : {}),
    ...(headers.get('license-expression')?.[0] ?? headers.get('license')?.[0] ? { license: headers.get('license-expression')?.[0] ?? headers.get('license')?.[0] } : {}),
    ...(headers.get('home-page')?.[0] ?? headers.get('project-url')?.[0] ? { homePage: headers.get('home-page')?.[0] ?? headers.get('project-url')?.[0]?.split(',').pop()?.trim() } : {}),
  };
}

/** `requires.txt` of an egg-info: plain lines, `[extra]` or `[:marker]` sections (setuptools' format). */
function parseEggRequires(text: string | undefined): string[] {
  const out: string[] = [];
  let marker = '';
  for (const raw of (text ?? '').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      const [extra = '', condition = ''] = (section[1] ?? '').split(':');
      marker = [extra && `extra == "${extra}"`, condition].filter(Boolean).join(' and ');
      continue;
    }
    out.push(marker ? `${line}; ${marker}` : line);
  }
  return out;
}

/** An installed-looking folder that is not counted as a distribution, and why (pip warns about the same ones). */
export interface InstalledProblem {
  /** The metadata folder. */
  readonly location: string;
  /** E.g. "Ignoring invalid distribution ~umpy (/venv/lib/python3.11/site-packages)", pip's wording. */
  readonly message: string;
}

/** The installed set of a venv: what counts, and what was skipped with a reason. */
export interface InstalledSet {
  readonly distributions: InstalledDistribution[];
  readonly problems: InstalledProblem[];
}

/** A valid project name (PEP 508), the pattern pip checks installed names against. */
const VALID_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/**
 * The project name a metadata folder's own name gives (`~umpy-1.26.4.dist-info` gives `~umpy`),
 * which is what pip validates: a stash folder left by an interrupted upgrade keeps the original
 * METADATA but not a valid folder name.
 */
function folderProjectName(entry: string): string {
  const stem = entry.replace(/\.(dist|egg)-info$/, '');
  return stem.split('-')[0] ?? stem;
}

/**
 * Every distribution installed in the venv's site-packages, read straight from `*.dist-info`
 * (METADATA, PEP 610 `direct_url.json`) and `*.egg-info`, and legacy `.egg-link` editables,
 * as pip's `iter_all_distributions` reads them: a folder whose name is not a valid project name
 * (pip's `~name` stash of an interrupted upgrade) or whose METADATA lacks Name or Version is
 * reported in `problems`, not counted. First found wins for a name, as on `sys.path`.
 */
export function readInstalled(venvDir: string): InstalledSet {
  const seen = new Map<string, InstalledDistribution>();
  const problems: InstalledProblem[] = [];
  // One read buffer for every METADATA file of the call.
  const buffer = Buffer.allocUnsafe(HEADER_BYTES);
  for (const siteDir of venvSitePackages(venvDir)) {
    const links = eggLinks(siteDir);
    for (const entry of listFolder(siteDir)) {
      const format = entry.endsWith('.dist-info') ? 'dist-info' : entry.endsWith('.egg-info') ? 'egg-info' : undefined;
      if (!format) continue;
      const location = `${siteDir}${path.sep}${entry}`;
      const folderName = folderProjectName(entry);
      if (!VALID_NAME.test(folderName)) {
        problems.push({ location, message: `Ignoring invalid distribution ${folderName} (${siteDir})` });
        continue;
      }
      const dist = readDistribution(location, format, links, buffer);
      if (!dist) problems.push({ location, message: `Ignoring ${entry} (${siteDir}): its ${format === 'dist-info' ? 'METADATA' : 'PKG-INFO'} has no valid Name and Version` });
      else if (!seen.has(dist.normalizedName)) seen.set(dist.normalizedName, dist);
    }
    // A legacy editable's metadata lives in the project folder, not in site-packages.
    for (const [name, location] of links) {
      if (seen.has(name)) continue;
      const eggInfo = listFolder(location).find((e) => e.endsWith('.egg-info') && normalizeProjectName(e.slice(0, -'.egg-info'.length).split('-')[0] ?? '') === name);
      const dist = eggInfo && readDistribution(path.join(location, eggInfo), 'egg-info', links, buffer);
      if (dist) seen.set(dist.normalizedName, dist);
    }
  }
  return { distributions: [...seen.values()], problems };
}

/** The distributions of {@link readInstalled}, without the problems. */
export function installedDistributions(venvDir: string): InstalledDistribution[] {
  return readInstalled(venvDir).distributions;
}
