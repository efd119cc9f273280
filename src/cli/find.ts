/** `venv-pilot find SPEC [--json]`: the best interpreter for a spec; exit 1 when none matches. */
import { resolveInterpreter } from '../core/discovery/resolve';
import type { BaseInterpreter } from '../core/discovery/types';
import { one, print, printJson, type Values, type Command } from './command';
import { discoveryOptions } from './discovery';

/**
 * The base interpreter for a spec, through full discovery. `create --python 3.12` loads this
 * bundle for it; `create --python PATH` never does.
 *
 * @throws {UserError} when nothing matches.
 */
export function resolveSpec(spec: string | undefined, values: Values, signal: AbortSignal): Promise<BaseInterpreter> {
  return resolveInterpreter(spec, discoveryOptions(values, signal));
}

export const command: Command = {
  options: {},
  run: async (positionals, values, signal) => {
    const found = await resolveSpec(one(positionals, 'SPEC'), values, signal);
    if (values.json) printJson(found);
    else print(found.path);
  },
};
