/** `venv-pilot create DEST ...`: a venv made by the builtin creator (or `python -m venv`), seeded, with requirements installed. */
import path from 'node:path';
import { describeBaseInterpreter } from '../core/discovery/describe';
import { parseSpec } from '../core/discovery/spec';
import { seedCacheDir, userCacheDir } from '../core/paths';
import { parseSeedRequest } from '../core/seed/wheels';
import { spawnDetached } from '../core/process/run';
import { createVenv } from '../core/venv/create';
import { one, print, printJson, UsageError, warn, type Command } from './command';
import { discoveryOptions } from './discovery';

export const command: Command = {
  options: {
    python: { type: 'string' },
    requirement: { type: 'string', short: 'r', multiple: true },
    clear: { type: 'boolean' },
    copies: { type: 'boolean' },
    symlinks: { type: 'boolean' },
    'system-site-packages': { type: 'boolean' },
    prompt: { type: 'string' },
    'no-vcs-ignore': { type: 'boolean' },
    seed: { type: 'string' },
    'no-seed': { type: 'boolean' },
    'find-links': { type: 'string', multiple: true },
    'index-url': { type: 'string' },
    offline: { type: 'boolean' },
    'symlink-app-data': { type: 'boolean' },
    'venv-module': { type: 'boolean' },
  },
  run: async (positionals, values, signal) => {
    const dest = one(positionals, 'DEST');
    if (values.copies && values.symlinks) throw new UsageError('--copies and --symlinks exclude each other');
    if (values.seed !== undefined && values['no-seed']) throw new UsageError('--seed and --no-seed exclude each other');
    const seed = values['no-seed'] ? [] : typeof values.seed === 'string' ? values.seed.split(',').map(parseSeedRequest) : undefined;
    const findLinks = ((values['find-links'] as string[] | undefined) ?? []).map((dir) => path.resolve(dir));
    const spec = values.python as string | undefined;
    // A path needs only its probe (cached); a version spec needs discovery, in the find bundle.
    const interpreter = spec !== undefined && parseSpec(spec).kind === 'path' ? await describeBaseInterpreter(spec, discoveryOptions(values, signal)) : await (await import('./find')).resolveSpec(spec, values, signal);
    const created = await createVenv({
      interpreter,
      dest,
      requirements: (values.requirement as string[] | undefined) ?? [],
      clear: values.clear === true,
      links: values.copies ? 'copies' : 'symlinks',
      systemSitePackages: values['system-site-packages'] === true,
      prompt: values.prompt as string | undefined,
      noVcsIgnore: values['no-vcs-ignore'] === true,
      seed,
      findLinks,
      appData: values['symlink-app-data'] ? 'symlink' : 'hardlink',
      useVenvModule: values['venv-module'] === true,
      cacheDir: seedCacheDir(userCacheDir()),
      pip: { indexUrl: values['index-url'] as string | undefined, findLinks, offline: values.offline === true },
      signal,
      onProgress: (_step, message) => warn(message),
    });
    const summary = { venv: created.dir, python: created.python, interpreter: interpreter.path, version: interpreter.version, creator: created.creator, seeded: created.seeded };
    if (values.json) printJson(summary);
    else print(`Created ${created.dir} with Python ${interpreter.version} (${created.creator} creator${created.seeded.map((s) => `, ${s.project} ${s.version} from ${s.source}`).join('')})`);
    // The venv is ready: stage the next creation's spare in a detached process, so this one
    // returns now. If that process fails, the next creation lays its seeds itself.
    const cli = process.argv[1];
    if (created.spare && cli) spawnDetached([process.execPath, cli, '__stage-spare', created.spare.cacheDir, ...created.spare.imageDirs]);
  },
};
