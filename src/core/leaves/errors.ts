/**
 * Errors are values with a message a user can act on (ARCHITECTURE.md, "Errors").
 * Anything thrown from core with one of these types carries a complete, one-line `message`.
 */

/** A problem the user can fix: bad input, a missing interpreter, a folder in the way. CLI exit code 1. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** The operation was cancelled through its AbortSignal; nothing further was changed. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(what: string) {
    super(`${what} was cancelled`);
  }
}

/** Renders any thrown value as one line for a message box or stderr, never `undefined` or a stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Plain words for the file-system error codes a user can act on. */
const FS_REASONS: Readonly<Record<string, string>> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a file is in the way of a folder',
  EISDIR: 'it is a folder',
  ENOENT: 'it does not exist',
  EEXIST: 'it already exists',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
};

/**
 * A Node file-system error in words (`read-only file system`, `no space left on the device`),
 * falling back to its message. Node reports a recursive `mkdir` on a read-only file system as
 * ENOENT; callers that create folders use `ensureFolder` (folders.ts) to get the real cause.
 */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code && FS_REASONS[code]) ?? describeError(error);
}
