/** `venv-pilot env DEST [--json]`: the variable changes an activated terminal gets. */
import { activatedEnvironment } from '../core/parts/activation/environment';
import { one, print, printJson, type Command } from './command';

export const command: Command = {
  options: {},
  run: async (positionals, values) => {
    const activated = activatedEnvironment(one(positionals, 'DEST'));
    if (values.json) return printJson(activated);
    for (const m of activated.mutations) print(m.op === 'remove' ? `unset ${m.name}` : `${m.op} ${m.name}=${m.value}`);
  },
};
