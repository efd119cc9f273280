import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { writeFileAtomically } from '../../src/core/leaves/atomicWrite';
import { UserError } from '../../src/core/leaves/errors';
import { tempDir } from '../fixtures/machine';

describe('writing a file atomically behaves like the shell\'s ">"', () => {
  it('refuses a read-only file and leaves it as it was', async () => {
    const file = path.join(tempDir(), 'requirements.lock');
    writeFileSync(file, 'keep me\n', { mode: 0o444 });
    chmodSync(file, 0o444);
    await assert.rejects(writeFileAtomically(file, 'new\n'), (e: unknown) => e instanceof UserError && /is read-only, so it was left as it is/.test(e.message));
    assert.equal(readFileSync(file, 'utf8'), 'keep me\n');
    assert.equal(statSync(file).mode & 0o777, 0o444);
  });

  it('writes through a dangling symlink, creating its target and keeping the link', async () => {
    const dir = tempDir();
    const link = path.join(dir, 'lock.txt');
    symlinkSync('real/lock.txt', link);
    mkdirSync(path.join(dir, 'real'));
    await writeFileAtomically(link, 'pilotfish==1.0.0\n');
    assert.ok(lstatSync(link).isSymbolicLink(), 'still a link');
    assert.equal(readlinkSync(link), 'real/lock.txt');
    assert.equal(readFileSync(path.join(dir, 'real', 'lock.txt'), 'utf8'), 'pilotfish==1.0.0\n');
  });

  it('writes through a chain of links to an existing file and keeps its mode', async () => {
    const dir = tempDir();
    const real = path.join(dir, 'real.txt');
    writeFileSync(real, 'old\n', { mode: 0o640 });
    chmodSync(real, 0o640);
    symlinkSync(real, path.join(dir, 'one'));
    symlinkSync('one', path.join(dir, 'two'));
    await writeFileAtomically(path.join(dir, 'two'), 'new\n');
    assert.equal(readFileSync(real, 'utf8'), 'new\n');
    assert.equal(statSync(real).mode & 0o777, 0o640);
    assert.ok(lstatSync(path.join(dir, 'one')).isSymbolicLink() && lstatSync(path.join(dir, 'two')).isSymbolicLink());
  });

  it('refuses a folder and a symlink loop with a clear message', async () => {
    const dir = tempDir();
    await assert.rejects(writeFileAtomically(dir, 'x'), /is a folder; name a file to write/);
    symlinkSync('b', path.join(dir, 'a'));
    symlinkSync('a', path.join(dir, 'b'));
    await assert.rejects(writeFileAtomically(path.join(dir, 'a'), 'x'), /is a symlink loop/);
  });
});
