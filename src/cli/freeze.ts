/** `venv-pilot freeze DEST [--all] [-o FILE]`: the same bytes as DEST's `python -m pip freeze`. */
import path from 'node:path';
import { writeFileAtomically } from '../core/leaves/atomicWrite';
import { UserError } from '../core/leaves/errors';
import { freezeVenv } from '../core/orchestrations/freeze';
import { readPyvenvCfg } from '../core/leaves/layout';
import { one, warn, writeTo, type Command } from './command';

export const command: Command = {
  options: { all: { type: 'boolean' }, output: { type: 'string', short: 'o' } },
  run: async (positionals, values, signal) => {
    const dest = path.resolve(one(positionals, 'DEST'));
    if (!readPyvenvCfg(dest)) throw new UserError(`${dest} is not a virtual environment (no pyvenv.cfg)`);
    const text = await freezeVenv(dest, { all: values.all === true, signal, onWarning: (message) => warn(`WARNING: ${message}`) });
    if (typeof values.output !== 'string') return writeTo(1, text);
    await writeFileAtomically(path.resolve(values.output), text);
  },
};
