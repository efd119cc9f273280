/** `venv-pilot create DEST ...`: a venv made by the builtin creator (or `python -m venv`), seeded, with requirements installed. */
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeBaseInterpreter } from '../core/parts/discovery/describe';
import { parseSpec } from '../core/parts/discovery/spec';
import { seedCacheDir, userCacheDir } from '../core/leaves/paths';
import { parseSeedRequest } from '../core/parts/seed/wheels';
import { spawnDetached } from '../core/leaves/process';
import { createVenv } from '../core/orchestrations/create';
import { describeFsError } from '../core/leaves/errors';
import { ensureFolder } from '../core/leaves/folders';
import type { BaseInterpreter } from '../core/parts/discovery/types';
import { INDEX_OPTIONS, indexSettingsFrom, INSTALLER_OPTIONS, installerFrom, one, print, printJson, PROJECT_OPTIONS, UsageError, wantsProject, warn, type Command, type Values } from './command';
import { discoveryOptions } from './discovery';

/**
 * The seed cache, or, when it cannot be written (a read-only home, a full disk), a temporary
 * one for this run only: creation works without the cache, only slower, and says so once.
 */
function writableSeedCache(): { dir: string; temporary: boolean } {
  const dir = seedCacheDir(userCacheDir());
  try {
    ensureFolder(dir);
    accessSync(dir, constants.W_OK);
    return { dir, temporary: false };
  } catch (error) {
    warn(`warning: the cache folder ${dir} cannot be written (${describeFsError(error)}); seeding without it, which is slower`);
    return { dir: mkdtempSync(path.join(os.tmpdir(), 'venv-pilot-seed-')), temporary: true };
  }
}

/** The project a venv is for: `--project`, else the folder of the first requirements file, else the venv's parent folder. */
function projectFolder(project: string | undefined, requirements: readonly string[], dest: string): string {
  return path.resolve(project ?? (requirements[0] ? path.dirname(requirements[0]) : path.dirname(path.resolve(dest))));
}

/**
 * The base interpreter: `--python PATH` needs only its probe (cached); a version spec, or none
 * (the project's `.python-version` and `requires-python` decide), needs discovery, in the find bundle.
 */
async function chooseInterpreter(spec: string | undefined, project: string, values: Values, signal: AbortSignal): Promise<BaseInterpreter> {
  if (spec !== undefined && parseSpec(spec).kind === 'path') return describeBaseInterpreter(spec, discoveryOptions(values, signal));
  const find = await import('./find');
  if (spec !== undefined) return find.resolveSpec(spec, values, signal);
  const { interpreter, reason } = await find.resolveForProject(project, values, signal);
  warn(`Using Python ${interpreter.version} at ${interpreter.path} (${reason})`);
  return interpreter;
}

export const command: Command = {
  options: {
    python: { type: 'string' },
    project: { type: 'string' },
    requirement: { type: 'string', short: 'r', multiple: true },
    clear: { type: 'boolean' },
    copies: { type: 'boolean' },
    symlinks: { type: 'boolean' },
    'system-site-packages': { type: 'boolean' },
    prompt: { type: 'string' },
    'no-vcs-ignore': { type: 'boolean' },
    seed: { type: 'string' },
    'no-seed': { type: 'boolean' },
    'no-seed-pip': { type: 'boolean' },
    ...INDEX_OPTIONS,
    ...INSTALLER_OPTIONS,
    'symlink-app-data': { type: 'boolean' },
    'venv-module': { type: 'boolean' },
    ...PROJECT_OPTIONS,
  },
  run: async (positionals, values, signal) => {
    const dest = one(positionals, 'DEST');
    if (values.copies && values.symlinks) throw new UsageError('--copies and --symlinks exclude each other');
    if (values.seed !== undefined && values['no-seed']) throw new UsageError('--seed and --no-seed exclude each other');
    const seed = values['no-seed'] ? [] : typeof values.seed === 'string' ? values.seed.split(',').map(parseSeedRequest) : undefined;
    const index = indexSettingsFrom(values);
    const findLinks = index.findLinks ?? [];
    const spec = values.python as string | undefined;
    const requirements = (values.requirement as string[] | undefined) ?? [];
    const folder = projectFolder(values.project as string | undefined, requirements, dest);
    const { installer, uv } = installerFrom(values);
    // Loaded only for a project: most creations install nothing, and the TOML parser is large.
    const uvLock = values['uv-lock'] ? (await import('./project')).lockFrom(values, folder) : undefined;
    const project = !uvLock && wantsProject(values) ? (await import('./project')).projectFrom(values, folder) : undefined;
    const interpreter = await chooseInterpreter(spec, folder, values, signal);
    const cache = writableSeedCache();
    const created = await createVenv({
      interpreter,
      dest,
      requirements,
      ...(project ? { project } : {}),
      ...(uvLock ? { uvLock } : {}),
      installer,
      uv,
      seedPip: values['no-seed-pip'] !== true,
      clear: values.clear === true,
      links: values.copies ? 'copies' : 'symlinks',
      systemSitePackages: values['system-site-packages'] === true,
      prompt: values.prompt as string | undefined,
      noVcsIgnore: values['no-vcs-ignore'] === true,
      seed,
      findLinks,
      // A temporary cache is deleted below: the venv must not link into it.
      appData: cache.temporary ? 'copy' : values['symlink-app-data'] ? 'symlink' : 'hardlink',
      useVenvModule: values['venv-module'] === true,
      cacheDir: cache.dir,
      pip: index,
      signal,
      onProgress: (_step, message) => warn(message),
    }).finally(() => {
      if (cache.temporary) rmSync(cache.dir, { recursive: true, force: true });
    });
    const summary = { venv: created.dir, python: created.python, interpreter: interpreter.path, version: interpreter.version, creator: created.creator, seeded: created.seeded, ...(created.installer ? { installer: created.installer.kind === 'uv' ? { kind: 'uv', path: created.installer.uv.path, version: created.installer.uv.version } : { kind: 'pip' } } : {}) };
    if (values.json) printJson(summary);
    else print(`Created ${created.dir} with Python ${interpreter.version} (${created.creator} creator${created.seeded.map((s) => `, ${s.project} ${s.version} from ${s.source}`).join('')})`);
    // The venv is ready: stage the next creation's spare in a detached process, so this one
    // returns now. If that process fails, the next creation lays its seeds itself.
    const cli = process.argv[1];
    if (created.spare && cli && !cache.temporary) spawnDetached([process.execPath, cli, '__stage-spare', created.spare.cacheDir, ...created.spare.imageDirs]);
  },
};
