import { createHash } from 'node:crypto';
import { readRequirementsBytes } from '../core/leaves/requirements/read';

/**
 * Files venv-pilot wrote (lock files), with the content it wrote. Watchers ask `isOurs` and skip
 * such changes, so a freeze never triggers a sync and a sync never triggers a freeze loop.
 */
export class OwnWrites {
  private readonly written = new Map<string, string>();

  /** Records that `file` now holds `text`, written by us. */
  record(file: string, text: string): void {
    this.written.set(file, digest(text));
  }

  /** True while `file` still holds exactly what we last wrote into it. */
  isOurs(file: string): boolean {
    const expected = this.written.get(file);
    if (!expected) return false;
    const bytes = readRequirementsBytes(file);
    return Buffer.isBuffer(bytes) && digest(bytes.toString('utf8')) === expected;
  }
}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');
