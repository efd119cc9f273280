import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheKey, uniqueSuffix } from '../../src/core/leaves/cacheKey';

describe('cache keys', () => {
  it('are FNV-1a 64-bit over UTF-8, as the published test vectors give them', () => {
    // Vectors from the FNV reference (www.isthe.com/chongo/tech/comp/fnv): "", "a", "foobar".
    assert.equal(cacheKey(''), 'cbf29ce484222325');
    assert.equal(cacheKey('a'), 'af63dc4c8601ec8c');
    assert.equal(cacheKey('foobar'), '85944171f73967e8');
  });

  it('tell apart inputs that differ in one character, including non-ASCII ones', () => {
    assert.notEqual(cacheKey('lib/python3.11/site-packages|bin'), cacheKey('lib/python3.12/site-packages|bin'));
    assert.notEqual(cacheKey('é'), cacheKey('e'));
  });

  it('unique suffixes differ between calls in one process', () => {
    const seen = new Set(Array.from({ length: 1000 }, uniqueSuffix));
    assert.equal(seen.size, 1000);
  });
});
