import { existsSync } from 'node:fs';
import { ensureFolder } from '../leaves/folders';
import path from 'node:path';
import { CancelledError, UserError } from '../leaves/errors';
import type { BaseInterpreter } from '../parts/discovery/types';
import { isEmptyIndexSettings, writeIndexSettings } from '../parts/pip/indexState';
import type { PipSettings } from '../parts/pip/install';
import type { PreparedInstall, ProjectSelection, TrackedSources, UvLockSelection } from '../parts/sources';
import type { Installer, InstallerChoice, Installers, UvLookup } from '../parts/uv/find';
import { ProcessError, run, type CommandLogger } from '../leaves/process';
import { ensureImage, hasImage, type SeedImage } from '../parts/seed/image';
import { seedImages, sparesWaiting, stageSpare, type AppDataMode } from '../parts/seed/install';
import { fetchSeedWheel } from '../parts/seed/index';
import { findSeedWheel, offlineWheelSources, type SeedRequest, type SeedSource, type SeedWheel } from '../parts/seed/wheels';
import { builtinSupports, builtinUnsupportedReason, completeVenvModuleVenv, venvLayout, writeVenv, type LinkMode } from '../parts/venv/builtin';
import { seedCacheDir, userCacheDir } from '../leaves/paths';
import { inspectDestination, markComplete, markIncomplete, readIncompleteMark, realpathOr, removeCreated, withDestinationLock } from '../parts/venv/destination';
import { isolatedEnv, isolatedModule } from '../leaves/pythonScripts';
import { venvPython, type VenvLayout } from '../leaves/layout';

/** ASCII control characters, refused in a venv path or prompt. */
const CONTROL = /[\x00-\x1f\x7f]/;

/** One step of creation, for progress reporting. */
export type CreateStep = 'create' | 'seed' | 'install';

/** Which creator wrote the venv: venv-pilot's own writer, or the stdlib's `python -m venv --without-pip`. */
export type Creator = 'builtin' | 'venv-module';

/** Options for {@link createVenv}. */
export interface CreateVenvOptions {
  readonly interpreter: BaseInterpreter;
  /** Venv folder; created if missing. Must be empty unless `clear` is set and it is already a venv. */
  readonly dest: string;
  /** Requirements files installed after seeding, with `pip install -r`. */
  readonly requirements?: readonly string[];
  /** The parts of a `pyproject.toml` project installed after seeding: the project (editable), extras, dependency groups (see `parts/sources`). */
  readonly project?: ProjectSelection;
  /** A script whose PEP 723 `# /// script` dependencies are installed after seeding. */
  readonly script?: string;
  /** A uv project's `uv.lock`, installed after seeding by `uv sync` (which needs uv, whatever `installer` says). */
  readonly uvLock?: UvLockSelection;
  /** `venvPilot.installer`: `auto` (default) installs with uv when it is found, else with the venv's pip. */
  readonly installer?: InstallerChoice;
  /** Where to look for uv (`venvPilot.uv.path`, untrusted folders); the cache defaults to the user cache. */
  readonly uv?: UvLookup;
  /**
   * `venvPilot.seed.pip`: false leaves pip out of the seeds (the default seeds then nothing) when
   * uv is the installer; with pip as the installer pip is seeded anyway, since it does the installs.
   * Default true.
   */
  readonly seedPip?: boolean;
  /** Replace an existing venv at `dest`. Never deletes a folder that is not a venv. */
  readonly clear?: boolean;
  /** `copies` copies the interpreter instead of linking it. */
  readonly links?: LinkMode;
  readonly systemSitePackages?: boolean;
  readonly prompt?: string;
  readonly noVcsIgnore?: boolean;
  /** What to seed; default `[pip]`. An empty list seeds nothing (`--no-seed`). */
  readonly seed?: readonly SeedRequest[];
  /** Find-links folders searched first for seed wheels. */
  readonly findLinks?: readonly string[];
  /** How seed images get into the venv; default hard links. */
  readonly appData?: AppDataMode;
  /** The app-data folder holding seed images; default `seedCacheDir()` under the user cache. */
  readonly cacheDir?: string;
  /** Force `python -m venv --without-pip` even where the builtin creator works. */
  readonly useVenvModule?: boolean;
  /** Index settings for the pip that installs the requirements; recorded in the venv for later syncs (see `pip/indexState`). */
  readonly pip?: PipSettings;
  /** The folder pip runs in (relative requirements such as `-e .` mean it); default this process's. */
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (step: CreateStep, message: string) => void;
  readonly log?: CommandLogger;
}

/** One seeded distribution and where its wheel came from. */
export interface SeededDistribution {
  readonly project: string;
  readonly version: string;
  readonly source: SeedSource;
  readonly wheel: string;
}

/** A created venv. */
export interface CreatedVenv {
  readonly dir: string;
  /** The installer that installed the requirements, or was asked about seeding (absent when none was needed). */
  readonly installer?: Installer;
  /** `DIR/bin/python`. */
  readonly python: string;
  readonly creator: Creator;
  readonly seeded: readonly SeededDistribution[];
  /**
   * Stages a spare site-packages with the same seeds in the cache, so the next creation renames
   * it into place in a few milliseconds. Call it once the user has their venv (it takes about as
   * long as seeding without a spare). Does nothing when nothing was seeded by hard links.
   *
   * @throws {Error} (a Node file-system error) when the cache cannot be written.
   */
  stageNext(): void;
  /**
   * What {@link CreatedVenv.stageNext} would stage, for another process to do it: the seed cache
   * and the image folders (see `stageSpareFromDirs`). Undefined when there is nothing to stage
   * (nothing seeded by hard links, or spares still wait: restaging waits for the last one).
   */
  readonly spare?: { readonly cacheDir: string; readonly imageDirs: readonly string[] };
}

/**
 * Creates a venv, seeds it offline and installs the requirements files. The builtin creator
 * writes the venv without running Python where it is proven ({@link builtinSupports}); anything
 * else uses `python -m venv --without-pip`. Seeds come from app-data images (see `seed/`).
 * One creator at a time per folder (a lock beside it; see `destination.ts`); the folder carries a
 * mark until creation has finished. A failure or cancellation before seeding finishes removes
 * what was made; a failure while installing requirements leaves the working venv in place, says
 * so, and the next creation there continues it. An unfinished venv left by a killed creation is
 * replaced; a venv (with `clear`) is replaced; any other non-empty folder is refused.
 *
 * @throws {UserError} for a folder in the way, a missing requirements file, an interpreter that cannot make venvs, or a seed with no wheel.
 * @throws {ProcessError} when venv or pip fails (the message carries pip's own error line).
 * @throws {CancelledError} when `signal` aborts.
 */
export async function createVenv(options: CreateVenvOptions): Promise<CreatedVenv> {
  const dir = path.resolve(options.dest);
  const { signal } = options;
  const requirements = (options.requirements ?? []).map((r) => path.resolve(r));
  const missing = requirements.find((r) => !existsSync(r));
  if (missing) throw new UserError(`Requirements file ${missing} does not exist`);
  const tracked: TrackedSources = {
    requirements,
    ...(options.project ? { project: { ...options.project, folder: path.resolve(options.project.folder) } } : {}),
    ...(options.script ? { script: path.resolve(options.script) } : {}),
    ...(options.uvLock ? { uvLock: { ...options.uvLock, folder: path.resolve(options.uvLock.folder) } } : {}),
  };
  // What pip would reject (or a FIFO, a device, a 1 GB file, invalid TOML) stops here, before any folder is made.
  // Loaded here: most creations install nothing, and the parsers are a large share of create's start-up.
  const install = requirements.length || tracked.project || tracked.script || tracked.uvLock ? await import('../parts/sources').then(({ prepareInstall }) => prepareInstall(tracked)) : undefined;
  // Found before seeding (whether pip is seeded can depend on it); not at all when nothing is installed and pip is seeded.
  const installers = install || options.seedPip === false ? await findInstallers(options, tracked.uvLock !== undefined) : undefined;
  // A line break would add keys to pyvenv.cfg and break every activation script.
  if (CONTROL.test(dir)) throw new UserError(`The venv folder ${JSON.stringify(dir)} contains a control character (a line break?); choose a plain folder name`);
  if (options.prompt !== undefined && CONTROL.test(options.prompt)) throw new UserError(`The prompt ${JSON.stringify(options.prompt)} contains a control character (a line break?); give it as one line of text`);
  const builtin = usesBuiltinCreator(options);
  const cacheDir = options.cacheDir ?? seedCacheDir(userCacheDir());
  const seeds = await findSeeds(withSeedChoice(options, installers?.installer), cacheDir);
  return withDestinationLock(dir, () => createLocked(options, { dir, install, builtin, cacheDir, seeds, installers }), {
    signal,
    onWait: () => options.onProgress?.('create', `Waiting for another process that is creating ${dir}`),
  });
}

/** {@link createVenv} once the destination's lock is held: nobody else writes `dir` meanwhile. */
async function createLocked(options: CreateVenvOptions, plan: { dir: string; install: PreparedInstall | undefined; builtin: boolean; cacheDir: string; seeds: SeedWheel[]; installers: Installers | undefined }): Promise<CreatedVenv> {
  const { dir, install, builtin, cacheDir, seeds, installers } = plan;
  const { interpreter, signal, log } = options;
  const destination = inspectDestination(dir, options.clear === true, interpreter);
  if (destination.action === 'refuse') throw new UserError(destination.problem);
  const folderExisted = existsSync(dir);
  const identity = { executable: realpathOr(interpreter.path), version: interpreter.version };
  const python = venvPython(dir);
  let spareImages: SeedImage[] = [];
  const seeded: SeededDistribution[] = [];
  if (destination.action === 'resume') {
    options.onProgress?.('create', `Continuing the venv at ${dir}, whose requirements were not installed yet`);
  } else {
    if (destination.action === 'replace') {
      options.onProgress?.('create', readIncompleteMark(dir) ? `Replacing the unfinished venv at ${dir}` : `Replacing the venv at ${dir}`);
      removeCreated(dir, true);
    }
    try {
      options.onProgress?.('create', `Creating the venv with Python ${interpreter.version} (${builtin ? 'builtin creator' : `python -m venv${options.useVenvModule ? '' : `: ${builtinUnsupportedReason(interpreter)}`}`})`);
      if (signal?.aborted) throw new CancelledError(`Creating the venv at ${dir}`);
      // The mark goes in first: whatever stops this creation, the folder stays recognisably ours.
      ensureFolder(dir);
      markIncomplete(dir, { stage: 'creating', ...identity });
      let layout: VenvLayout;
      if (builtin) {
        layout = writeVenv({ interpreter, dir, links: options.links, systemSitePackages: options.systemSitePackages, prompt: options.prompt, noVcsIgnore: options.noVcsIgnore });
      } else {
        const flags = [...(options.links === 'copies' ? ['--copies'] : []), ...(options.systemSitePackages ? ['--system-site-packages'] : []), ...(options.prompt ? ['--prompt', options.prompt] : [])];
        const venv = isolatedModule(interpreter.path, 'venv', ['--without-pip', ...flags, dir], ['-E', '-s']);
        await run(venv.argv, { display: venv.display, signal, log, env: isolatedEnv(), what: `Creating the venv at ${dir}` });
        layout = venvLayout(interpreter, dir);
        completeVenvModuleVenv(layout, options.prompt);
      }
      const images = [];
      for (const wheel of seeds) {
        options.onProgress?.('seed', `Seeding ${wheel.project} ${wheel.version} from ${wheel.source} (${path.basename(wheel.path)})`);
        images.push(await ensureImage(wheel, interpreter, cacheDir, { log, signal }));
        seeded.push({ project: wheel.project, version: wheel.version, source: wheel.source, wheel: wheel.path });
      }
      if (signal?.aborted) throw new CancelledError(`Creating the venv at ${dir}`);
      const hardlinks = (options.appData ?? 'hardlink') === 'hardlink';
      const method = await seedImages(images, seeds, layout, { cacheDir, mode: options.appData, log, signal, onFallback: (message) => options.onProgress?.('seed', message) });
      spareImages = hardlinks && method !== 'ensurepip' ? images : [];
    } catch (error) {
      removeCreated(dir, folderExisted);
      throw error;
    }
  }
  // Recorded before installing, so a sync after a failed install uses the same index.
  if (options.pip && !isEmptyIndexSettings(options.pip)) await writeIndexSettings(dir, options.pip);
  if (install && installers) {
    markIncomplete(dir, { stage: 'installing', ...identity });
    const { installer, uv } = installers;
    options.onProgress?.('install', `Installing ${install.description} with ${installer.kind === 'uv' ? `uv ${installer.uv.version}` : 'pip'}`);
    try {
      const onLine = (line: string): void => options.onProgress?.('install', line);
      const lock = options.uvLock ? { ...options.uvLock, folder: path.resolve(options.uvLock.folder) } : undefined;
      if (lock && uv) {
        const { uvSync } = await import('../parts/uv/commands');
        // Other sources beside the lock: uv must not remove what they install.
        const alone = !options.requirements?.length && !options.project && !options.script;
        await uvSync(uv, { folder: lock.folder, venvDir: dir, python, mode: lock.mode, extras: lock.extras, groups: lock.groups, exact: alone, dryRun: false }, { signal, log, settings: options.pip, onLine });
      }
      const args = install.args(dir, installer.kind === 'uv');
      if (args.length > 0) await (await import('../parts/installer')).installInto(installer, python, args, { signal, log, settings: options.pip, cwd: options.cwd, onLine });
    } catch (error) {
      if (error instanceof CancelledError) throw new CancelledError(`Installing requirements into ${dir} (the venv itself was created; create continues it)`);
      const context = `${dir} was created, but installing its requirements failed (run create again to continue this venv, or sync it)`;
      if (error instanceof ProcessError) throw new ProcessError(`${context}: ${error.message}`, error.commandLine, error.exitCode, error.stdout, error.stderr, error.timedOut);
      throw error;
    }
  }
  markComplete(dir);
  return {
    dir,
    ...(installers ? { installer: installers.installer } : {}),
    python,
    creator: builtin ? 'builtin' : 'venv-module',
    seeded,
    stageNext: () => {
      if (spareImages.length > 0) stageSpare(cacheDir, spareImages);
    },
    ...(spareImages.length > 0 && sparesWaiting(cacheDir, spareImages) === 0 ? { spare: { cacheDir, imageDirs: spareImages.map((i) => i.dir) } } : {}),
  };
}

/** What {@link createVenv} would do, found without writing anything (like virtualenv's `session_via_cli`). */
export interface VenvPlan {
  readonly dir: string;
  readonly python: string;
  readonly creator: Creator;
  readonly interpreter: { readonly path: string; readonly version: string };
  readonly seeds: readonly Omit<SeededDistribution, never>[];
  readonly requirements: readonly string[];
  /** Set when the destination is in the way: the message createVenv would throw. */
  readonly problem?: string;
}

/**
 * A dry run of {@link createVenv}: the creator, the seed wheels and their sources, the folder.
 * Reads the seed sources (and, without a local wheel and not offline, the index) but writes nothing.
 *
 * @throws {UserError} as createVenv would, for an interpreter that cannot make venvs or a seed without a wheel.
 */
export async function planVenv(options: CreateVenvOptions): Promise<VenvPlan> {
  const dir = path.resolve(options.dest);
  const { interpreter } = options;
  const builtin = usesBuiltinCreator(options);
  const seeds = await findSeeds(options, options.cacheDir ?? seedCacheDir(userCacheDir()));
  const destination = inspectDestination(dir, options.clear === true, interpreter);
  const problem = destination.action === 'refuse' ? destination.problem : undefined;
  return {
    dir,
    python: venvPython(dir),
    creator: builtin ? 'builtin' : 'venv-module',
    interpreter: { path: interpreter.path, version: interpreter.version },
    seeds: seeds.map((w) => ({ project: w.project, version: w.version, source: w.source, wheel: w.path })),
    requirements: (options.requirements ?? []).map((r) => path.resolve(r)),
    ...(problem ? { problem } : {}),
  };
}

/**
 * The installer `options.installer` chooses, and with a uv lock uv itself (see
 * `resolveInstallers`). Loaded only when something is installed: uv's code is no part of a plain
 * creation's start-up.
 *
 * @throws {UserError} when uv is required (chosen, or a lock is given) and not found.
 */
async function findInstallers(options: CreateVenvOptions, lock: boolean): Promise<Installers> {
  const { resolveInstallers, uvCacheFile } = await import('../parts/uv/find');
  const lookup: UvLookup = { cacheFile: uvCacheFile(userCacheDir()), signal: options.signal, log: options.log, onWarning: (m) => options.onProgress?.('install', `warning: ${m}`), ...options.uv };
  return resolveInstallers(options.installer, lookup, lock);
}

/**
 * The options with `seedPip: false` applied: pip left out of the seeds when uv installs. With pip
 * as the installer, pip stays (it does the installs), and progress says why.
 */
function withSeedChoice(options: CreateVenvOptions, installer: Installer | undefined): CreateVenvOptions {
  if (options.seedPip !== false) return options;
  if (installer?.kind !== 'uv') {
    options.onProgress?.('seed', 'Seeding pip anyway: pip is the installer (uv was not chosen or not found), and it installs into this venv');
    return options;
  }
  return { ...options, seed: (options.seed ?? [{ project: 'pip' }]).filter((s) => s.project.toLowerCase() !== 'pip') };
}

/**
 * The wheel for each seed: the local sources first (find-links, ensurepip, Debian's wheels), then
 * the configured index unless offline.
 *
 * @throws {UserError} naming where it looked when a seed has no fitting wheel.
 */
async function findSeeds(options: CreateVenvOptions, cacheDir: string): Promise<SeedWheel[]> {
  const { interpreter } = options;
  const version = interpreter.versionInfo.slice(0, 3).join('.');
  const sources = offlineWheelSources(interpreter, options.findLinks);
  const seeds: SeedWheel[] = [];
  for (const request of options.seed ?? [{ project: 'pip' }]) {
    const local = await findSeedWheel(sources, request, version, (w) => hasImage(cacheDir, w, interpreter));
    const indexUrl = options.pip?.offline ? undefined : options.pip?.indexUrl;
    const wheel = local ?? (indexUrl ? await fetchSeedWheel(indexUrl, request, version, path.join(cacheDir, 'downloads'), options.signal) : undefined);
    if (!wheel) {
      const places = [...sources.map((s) => s.dir), ...(indexUrl ? [indexUrl] : [])].join(', ');
      throw new UserError(
        `No wheel of ${request.project}${request.specifier ?? ''} fits Python ${interpreter.version}: looked in ${places}. Add a folder holding one with --find-links (or the venvPilot.seed.findLinks setting)${options.pip?.offline ? ', or allow the index (not offline)' : ''}; on Debian, install python3-${request.project}-whl`,
      );
    }
    seeds.push(wheel);
  }
  return seeds;
}

/**
 * Whether the builtin creator writes the venv (else `python -m venv --without-pip`).
 *
 * @throws {UserError} when neither can: no builtin support and no venv module.
 */
function usesBuiltinCreator(options: CreateVenvOptions): boolean {
  const { interpreter } = options;
  const builtin = !options.useVenvModule && builtinSupports(interpreter);
  if (!builtin && !interpreter.hasVenvModule) {
    throw new UserError(`Python ${interpreter.version} at ${interpreter.path} cannot create virtual environments (no venv module); choose Python 3.3 or newer`);
  }
  return builtin;
}
