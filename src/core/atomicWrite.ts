/**
 * Writes a file atomically: a temporary file beside it, then a rename, so a reader (or a crash
 * halfway) never sees a partial file. write-file-atomic does the work; it is loaded on the first
 * write, because most CLI runs write nothing and it loads worker_threads and signal handlers.
 *
 * @param data text (written as UTF-8) or bytes.
 * @throws the file system's error (ENOSPC, EACCES...) after removing the temporary file.
 */
export async function writeFileAtomically(file: string, data: string | Uint8Array): Promise<void> {
  const { default: writeFileAtomic } = await import('write-file-atomic');
  await writeFileAtomic(file, typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}
