import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from '../../leaves/atomicWrite';
import { UserError } from '../../leaves/errors';
import { compareVersions, filterVersions, satisfies } from '../../leaves/requirements/pep440';
import { parseWheelFileName, type SeedRequest, type SeedWheel } from './wheels';

/** One file on a PEP 503 project page. */
export interface IndexFile {
  readonly filename: string;
  /** Absolute download URL, fragment (`#sha256=…`) removed. */
  readonly url: string;
  readonly sha256?: string;
  /** `data-requires-python` (PEP 503), unescaped. */
  readonly requiresPython?: string;
}

const unescapeHtml = (text: string): string => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** Parses the anchors of a PEP 503 simple project page, resolving links against `pageUrl`. */
export function parseSimplePage(html: string, pageUrl: string): IndexFile[] {
  const files: IndexFile[] = [];
  for (const m of html.matchAll(/<a\s([^>]*)>([^<]*)<\/a>/gi)) {
    const attributes = m[1] ?? '';
    const href = /href\s*=\s*"([^"]*)"/i.exec(attributes)?.[1] ?? /href\s*=\s*'([^']*)'/i.exec(attributes)?.[1];
    if (!href) continue;
    const url = new URL(unescapeHtml(href), pageUrl);
    const sha256 = /^#sha256=([0-9a-f]{64})$/i.exec(url.hash)?.[1];
    url.hash = '';
    const requires = /data-requires-python\s*=\s*"([^"]*)"/i.exec(attributes)?.[1];
    files.push({ filename: unescapeHtml((m[2] ?? '').trim()) || path.posix.basename(url.pathname), url: url.toString(), ...(sha256 ? { sha256 } : {}), ...(requires ? { requiresPython: unescapeHtml(requires) } : {}) });
  }
  return files;
}

/** A pure-Python wheel any interpreter can install (seeds are never platform wheels). */
const isUniversalWheel = (filename: string): boolean => /-(py3|py2\.py3)-none-any\.whl$/.test(filename);

/**
 * Downloads the seed wheel for `request` from a PEP 503 index (the highest version matching the
 * request whose Requires-Python admits `pythonVersion`) into `downloadDir`, verifying its sha256
 * when the index gives one. A wheel already downloaded is reused. The only network use in
 * seeding, and only for the user's configured index.
 *
 * @throws {UserError} when the index cannot be reached, or the download does not match its hash.
 */
export async function fetchSeedWheel(indexUrl: string, request: SeedRequest, pythonVersion: string, downloadDir: string, signal?: AbortSignal): Promise<SeedWheel | undefined> {
  const pageUrl = `${indexUrl.replace(/\/+$/, '')}/${request.project}/`;
  const get = async (url: string): Promise<Response> => {
    const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(30_000)]) : AbortSignal.timeout(30_000) }).catch((error: unknown) => {
      throw new UserError(`Cannot reach the package index at ${url}: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (!response.ok && response.status !== 404) throw new UserError(`The package index answered ${response.status} for ${url}`);
    return response;
  };
  const page = await get(pageUrl);
  if (page.status === 404) return undefined;
  const fitting = parseSimplePage(await page.text(), pageUrl)
    .map((file) => ({ file, wheel: parseWheelFileName(file.filename) }))
    .filter((c) => c.wheel?.project === request.project && isUniversalWheel(c.file.filename))
    .filter((c) => !c.file.requiresPython || satisfies(pythonVersion, c.file.requiresPython));
  // As pip's finder: the specifier filters what Requires-Python left, pre-releases only when nothing else fits.
  const candidates = filterVersions(fitting, request.specifier ?? '', (c) => c.wheel?.version ?? '').sort((a, b) => compareVersions(b.wheel?.version ?? '0', a.wheel?.version ?? '0'));
  const best = candidates[0];
  if (!best?.wheel) return undefined;
  const target = path.join(downloadDir, best.file.filename);
  if (!existsSync(target)) {
    const bytes = Buffer.from(await (await get(best.file.url)).arrayBuffer());
    const { createHash } = await import('node:crypto');
    if (best.file.sha256 && createHash('sha256').update(bytes).digest('hex') !== best.file.sha256.toLowerCase()) {
      throw new UserError(`${best.file.url} does not match the sha256 the index lists for it; not using it`);
    }
    mkdirSync(downloadDir, { recursive: true });
    await writeFileAtomically(target, bytes);
  }
  return { path: target, project: best.wheel.project, version: best.wheel.version, source: 'index' };
}
