/** `venv-pilot freeze DEST [--all] [-o FILE]`: the same bytes as DEST's `python -m pip freeze`. */
import path from 'node:path';
import { UserError } from '../core/errors';
import { freezeVenv } from '../core/pip/freeze';
import { readPyvenvCfg } from '../core/venv/pyvenvCfg';
import { one, type Command } from './command';

export const command: Command = {
  options: { all: { type: 'boolean' }, output: { type: 'string', short: 'o' } },
  run: async (positionals, values, signal) => {
    const dest = path.resolve(one(positionals, 'DEST'));
    if (!readPyvenvCfg(dest)) throw new UserError(`${dest} is not a virtual environment (no pyvenv.cfg)`);
    const text = await freezeVenv(dest, { all: values.all === true, signal });
    if (typeof values.output !== 'string') return void process.stdout.write(text);
    // Only a file write needs the atomic writer; plain freeze to stdout does not load it.
    const { default: writeFileAtomic } = await import('write-file-atomic');
    await writeFileAtomic(path.resolve(values.output), text);
  },
};
