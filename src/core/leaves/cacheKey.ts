/**
 * Names for cache entries. Not security: a key only has to tell apart a handful of inputs (seed
 * layouts, image sets), so a 64-bit FNV-1a hash is plenty, and it spares every `create` the cost
 * of loading node:crypto (several ms of a CLI run's start-up).
 */

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

/** 16 hex digits identifying `text` (FNV-1a, 64-bit, over its UTF-8 bytes). */
export function cacheKey(text: string): string {
  let hash = FNV_OFFSET;
  for (const byte of Buffer.from(text, 'utf8')) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  return hash.toString(16).padStart(16, '0');
}

/** A name part no other process or call will pick at the same time: pid, clock and a random tail. */
export function uniqueSuffix(): string {
  return `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
