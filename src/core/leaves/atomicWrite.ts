import { accessSync, constants, lstatSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from './errors';

/** Symlink hops followed before giving up, as the kernel's ELOOP limit (40 on Linux). */
const MAX_LINKS = 40;

/**
 * The file a write to `file` lands in, the way a shell's `>` decides it: a symlink is followed
 * (a dangling one names the file to create), and a read-only file or a folder is refused.
 *
 * @throws {UserError} for a read-only file (no write permission, or no write bit at all, which
 *   even root is kept from overwriting here), a folder, or a symlink loop.
 */
export function writeTarget(file: string): string {
  let target = path.resolve(file);
  for (let hops = 0; ; hops++) {
    let isLink: boolean;
    try {
      isLink = lstatSync(target).isSymbolicLink();
    } catch {
      return target;
    }
    if (!isLink) break;
    if (hops >= MAX_LINKS) throw new UserError(`${file} is a symlink loop; write to a real file`);
    target = path.resolve(path.dirname(target), readlinkSync(target));
  }
  const stats = statSync(target);
  if (stats.isDirectory()) throw new UserError(`${file} is a folder; name a file to write`);
  let writable = (stats.mode & 0o222) !== 0;
  try {
    accessSync(target, constants.W_OK);
  } catch {
    writable = false;
  }
  if (!writable) throw new UserError(`${file} is read-only, so it was left as it is; make it writable (chmod u+w) or choose another file`);
  return target;
}

/**
 * Writes a file atomically: a temporary file beside it, then a rename, so a reader (or a crash
 * halfway) never sees a partial file. Like `>`, it writes through a symlink (creating a dangling
 * link's target) and refuses a read-only file; the file keeps its mode and owner.
 * write-file-atomic does the work; it is loaded on the first write, because most CLI runs write
 * nothing and it loads worker_threads and signal handlers.
 *
 * @param data text (written as UTF-8) or bytes.
 * @throws {UserError} from {@link writeTarget}: read-only file, folder, symlink loop.
 * @throws the file system's error (ENOSPC, EACCES...) after removing the temporary file.
 */
export async function writeFileAtomically(file: string, data: string | Uint8Array): Promise<void> {
  const target = writeTarget(file);
  const { default: writeFileAtomic } = await import('write-file-atomic');
  await writeFileAtomic(target, typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}
