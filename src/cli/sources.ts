/**
 * `venv-pilot sources DIR [--json]`: what a folder offers to install (requirements files, the
 * project, its extras and dependency groups), each with the id `create`/`sync` and the extension
 * use, and whether Create Environment ticks it by default.
 */
import path from 'node:path';
import { UserError } from '../core/leaves/errors';
import { folderSources } from '../core/parts/sources';
import { print, printJson, type Command } from './command';

export const command: Command = {
  options: {},
  run: async (positionals, values) => {
    const folder = path.resolve(positionals[0] ?? '.');
    const offered = folderSources(folder);
    if (values.json) return printJson({ folder, sources: offered.sources, problems: offered.problems });
    for (const problem of offered.problems) print(`! ${problem}`);
    if (offered.sources.length === 0) {
      if (offered.problems.length) throw new UserError(`${folder} offers no dependency source that could be read`);
      print(`${folder} offers no dependency sources (no requirements*.txt, requirements/*.txt, or pyproject.toml project)`);
      return;
    }
    const width = Math.max(...offered.sources.map((s) => s.id.length));
    for (const source of offered.sources) print(`${source.picked ? '*' : ' '} ${source.id.padEnd(width)}  ${source.detail}`);
  },
};
