import { pythonScriptPath } from '../../leaves/pythonScripts';
import { ProcessError, run, type CommandLogger } from '../../leaves/process';
import { UserError } from '../../leaves/errors';
import type { ProbeInfo } from './types';

/** A probe that ran out of time. A timeout says the machine was busy or the interpreter hung this once; it is never cached. */
export class ProbeTimeoutError extends UserError {}

/** Text an interpreter printed, made safe to echo: control characters (terminal escapes) become `\\xNN`, and it is cut at `max` characters. */
export function echoable(text: string, max = 120): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/[\r\n\t]+/g, ' ');
}

/** Options for {@link probeInterpreter}. */
export interface ProbeOptions {
  /** Per-probe limit in ms; a probe that runs longer is killed. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly log?: CommandLogger;
  /** The limit to name in the "not responding" message, ms, when `timeoutMs` is what remains of a shared deadline. */
  readonly limitLabel?: number;
}

/**
 * Runs `exe -E -s python/probe.py` once and parses its JSON. `-E -s` keep PYTHONPATH and the
 * user site from changing the answer.
 *
 * @throws {UserError} when the interpreter cannot start or exits non-zero (the message has its last output line, control characters escaped).
 * @throws {ProbeTimeoutError} when it exceeds `timeoutMs` (it is killed).
 * @throws {UserError} when it prints something other than the probe's JSON.
 */
export async function probeInterpreter(exe: string, options: ProbeOptions): Promise<ProbeInfo> {
  const { stdout } = await run([exe, '-E', '-s', pythonScriptPath('probe.py')], {
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    log: options.log,
    env: { PYTHONHOME: undefined, PYTHONIOENCODING: 'utf-8' },
    what: `Interpreter ${exe}`,
  }).catch((error: unknown) => {
    if (error instanceof ProcessError && error.timedOut) {
      const seconds = Math.round((options.limitLabel ?? options.timeoutMs) / 100) / 10;
      throw new ProbeTimeoutError(`Interpreter ${exe} is not responding: no answer within ${seconds} s, so it was stopped`);
    }
    if (error instanceof ProcessError) throw new UserError(echoable(error.message, 300));
    throw error;
  });
  try {
    const info = JSON.parse(stdout) as ProbeInfo;
    if (typeof info.version !== 'string' || !Array.isArray(info.versionInfo)) throw new Error('missing fields');
    return info;
  } catch {
    throw new UserError(`Interpreter ${exe} answered the probe with unexpected output: ${echoable(stdout)}`);
  }
}
