/**
 * Errors are values with a message a user can act on (DESIGN.md §2).
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
