/** `venv-pilot find SPEC [--json]`: the best interpreter for a spec; exit 1 when none matches. */
import { resolveInterpreter } from '../core/discovery/resolve';
import { one, print, printJson, type Command } from './command';
import { discoveryOptions } from './discovery';

export const command: Command = {
  options: {},
  run: async (positionals, values, signal) => {
    const found = await resolveInterpreter(one(positionals, 'SPEC'), discoveryOptions(values, signal));
    if (values.json) printJson(found);
    else print(found.path);
  },
};
