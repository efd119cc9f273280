import { existsSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { CancelledError, UserError } from '../errors';
import type { BaseInterpreter } from '../discovery/types';
import { venvInterpreterPath } from '../discovery/locators';
import { pipInstall, requirementArgs } from '../pip/install';
import { run, type CommandLogger } from '../process/run';
import { findSeedWheel, offlineWheelDirs } from '../seed/wheels';
import { readPyvenvCfg } from './pyvenvCfg';

/** One step of creation, for progress reporting. */
export type CreateStep = 'create' | 'seed' | 'install';

/** Options for {@link createVenv}. */
export interface CreateVenvOptions {
  readonly interpreter: BaseInterpreter;
  /** Venv folder; created if missing. Must be empty unless `clear` is set and it is already a venv. */
  readonly dest: string;
  /** Requirements files installed after seeding, with `pip install -r`. */
  readonly requirements?: readonly string[];
  /** Replace an existing venv at `dest`. Never deletes a folder that is not a venv. */
  readonly clear?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (step: CreateStep, message: string) => void;
  readonly log?: CommandLogger;
}

/** A created venv. */
export interface CreatedVenv {
  readonly dir: string;
  /** `DIR/bin/python`. */
  readonly python: string;
  /** The pip wheel it was seeded from. */
  readonly seedWheel: string;
}

/**
 * Creates a venv with `python -m venv --without-pip`, seeds pip offline from the interpreter's own
 * wheel (`ensurepip/_bundled`, else `/usr/share/python-wheels`) and installs the requirements files.
 * A failure or cancellation before seeding finishes removes the half-made venv; a failure while
 * installing requirements leaves the working venv in place and says so.
 *
 * @throws {UserError} for a folder in the way, a missing requirements file, or an interpreter without `venv` or a pip wheel.
 * @throws {ProcessError} when venv or pip fails (the message carries pip's own error line).
 * @throws {CancelledError} when `signal` aborts.
 */
export async function createVenv(options: CreateVenvOptions): Promise<CreatedVenv> {
  const dir = path.resolve(options.dest);
  const { interpreter, signal, log } = options;
  const requirements = (options.requirements ?? []).map((r) => path.resolve(r));
  const missing = requirements.find((r) => !existsSync(r));
  if (missing) throw new UserError(`Requirements file ${missing} does not exist`);
  if (!interpreter.hasVenvModule) {
    throw new UserError(`Python ${interpreter.version} at ${interpreter.path} has no venv module; choose Python 3.3 or newer`);
  }
  const seed = findSeedWheel(offlineWheelDirs(interpreter), 'pip');
  if (!seed) {
    throw new UserError(`Python ${interpreter.version} at ${interpreter.path} has no bundled pip wheel (ensurepip/_bundled or /usr/share/python-wheels); on Debian install python3-venv or python3-pip-whl`);
  }
  await prepareDestination(dir, options.clear === true);

  const python = venvInterpreterPath(dir);
  try {
    options.onProgress?.('create', `Creating venv with Python ${interpreter.version}`);
    await run([interpreter.path, '-m', 'venv', '--without-pip', dir], { signal, log, env: { PYTHONHOME: undefined }, what: `Creating the venv at ${dir}` });
    options.onProgress?.('seed', `Seeding pip ${seed.version} offline`);
    // pip runs from its own wheel on sys.path to install itself, exactly as ensurepip does.
    await pipInstall(python, ['--no-index', '--find-links', path.dirname(seed.path), 'pip'], { signal, log, env: { PYTHONPATH: seed.path } });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  if (requirements.length > 0) {
    options.onProgress?.('install', `Installing ${requirements.map((r) => path.basename(r)).join(', ')}`);
    try {
      await pipInstall(python, requirementArgs(requirements), { signal, log, onLine: (line) => options.onProgress?.('install', line) });
    } catch (error) {
      if (error instanceof CancelledError) throw new CancelledError(`Installing requirements into ${dir} (the venv itself was created)`);
      throw error;
    }
  }
  return { dir, python, seedWheel: seed.path };
}

/** Ensures `dir` is absent or empty, clearing it first when it is a venv and `clear` is set. */
async function prepareDestination(dir: string, clear: boolean): Promise<void> {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir} exists and is not a folder; choose another location`);
  if (readdirSync(dir).length === 0) return;
  if (!clear) throw new UserError(`${dir} already exists and is not empty; choose another location, or replace an existing venv with --clear`);
  if (!readPyvenvCfg(dir)) throw new UserError(`${dir} is not a virtual environment (no pyvenv.cfg); refusing to delete it`);
  await rm(dir, { recursive: true, force: true });
}
