/**
 * `venv-pilot run SCRIPT [--python SPEC] [-r FILE] [--env-only] [INDEX OPTIONS] [-- ARGS...]`:
 * runs a script in its own cached environment (see core/orchestrations/scriptEnv), as if Python
 * had been started directly: same terminal, arguments as given, no shell, and the script's exit
 * code (128 + N when a signal ended it). `--env-only` prints the environment's folder instead.
 */
import path from 'node:path';
import { UserError } from '../core/leaves/errors';
import { runAttached } from '../core/leaves/process';
import { ensureScriptEnv, scriptRequirements } from '../core/orchestrations/scriptEnv';
import { describeBaseInterpreter } from '../core/parts/discovery/describe';
import { parseSpec } from '../core/parts/discovery/spec';
import type { BaseInterpreter } from '../core/parts/discovery/types';
import { INDEX_OPTIONS, indexSettingsFrom, print, UsageError, warn, type Command, type Values } from './command';
import { discoveryOptions } from './discovery';

/** The shell's numbers for the signals a script may die of. */
const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

/** `--python PATH` needs only that interpreter's (cached) probe; a version or range needs discovery, in the find bundle. */
async function chooseInterpreter(spec: string | undefined, values: Values, signal: AbortSignal): Promise<BaseInterpreter> {
  if (spec !== undefined && parseSpec(spec).kind === 'path') return describeBaseInterpreter(spec, discoveryOptions(values, signal));
  const { resolveSpec } = await import('./find');
  return resolveSpec(spec, values, signal);
}

export const command: Command = {
  options: { python: { type: 'string' }, requirement: { type: 'string', short: 'r' }, 'env-only': { type: 'boolean' }, ...INDEX_OPTIONS },
  run: async (positionals, values, signal) => {
    const [script, ...args] = positionals;
    if (!script) throw new UsageError('run needs a SCRIPT');
    const requirements = scriptRequirements(script, values.requirement as string | undefined);
    // --python wins; else the block's requires-python; else the newest CPython. The find bundle
    // resolves it from the discovery cache, starting no Python when the cache is warm.
    const spec = (values.python as string | undefined) ?? requirements.requiresPython;
    const interpreter = await chooseInterpreter(spec, values, signal).catch((error: unknown) => {
      if (values.python === undefined && requirements.requiresPython !== undefined && error instanceof Error) throw new UserError(`${error.message} (${path.basename(requirements.script)} requires-python ${requirements.requiresPython}); choose one with --python`);
      throw error;
    });
    const env = await ensureScriptEnv({ requirements, interpreter, pip: indexSettingsFrom(values), signal, onProgress: (message) => warn(message) });
    if (values['env-only']) return print(env.dir);
    const exit = await runAttached([env.python, requirements.script, ...args], { env: { VIRTUAL_ENV: env.dir } });
    return exit.signal ? 128 + (SIGNAL_NUMBERS[exit.signal] ?? 0) : exit.code;
  },
};
