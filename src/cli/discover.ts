/** `venv-pilot discover [--json] [--workspace DIR]... [--untrusted]`: every interpreter found, and the problems met. */
import { discoverInterpreters } from '../core/parts/discovery/discover';
import { print, printJson, UsageError, warn, type Command } from './command';
import { discoveryOptions } from './discovery';

export const command: Command = {
  options: { workspace: { type: 'string', multiple: true }, untrusted: { type: 'boolean' } },
  run: async (positionals, values, signal) => {
    if (positionals.length) throw new UsageError('discover takes no positional arguments');
    if (values.untrusted && !values.workspace) throw new UsageError('--untrusted applies to --workspace folders; give at least one');
    const result = await discoverInterpreters(discoveryOptions(values, signal));
    if (values.json) return printJson({ interpreters: result.interpreters, problems: result.problems });
    for (const i of result.interpreters) print(`${i.version.padEnd(8)} ${i.implementation.padEnd(8)} ${i.kind.padEnd(10)} ${i.path}${i.envName ? `  (${i.envName})` : ''}${i.probed ? '' : '  [untrusted: not run]'}`);
    for (const p of result.problems) warn(`warning: ${p.message}`);
  },
};
