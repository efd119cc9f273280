/**
 * Installing into a venv with the installer in effect (see `uv/find`, `resolveInstaller`): the
 * venv's own pip (`python -m pip`), or uv (`uv pip --python VENV_PYTHON`). Both take pip's
 * arguments (`-r FILE`, `-e DIR`, requirement strings) and index settings, and report every
 * output line, so create and sync need not know which one runs.
 */
import { pipInstall, pipUninstall, type PipOptions } from './pip/install';
import { uvPipInstall, uvPipUninstall } from './uv/commands';
import type { Installer } from './uv/find';

/**
 * Installs `args` into the venv whose interpreter is `python`.
 *
 * @throws {ProcessError} with pip's last `ERROR:` line, or uv's `error:` line with its cause.
 * @throws {CancelledError} when `signal` aborts; the installer's process tree is killed.
 */
export async function installInto(installer: Installer, python: string, args: readonly string[], options: PipOptions = {}): Promise<void> {
  if (installer.kind === 'uv') await uvPipInstall(installer.uv, python, args, options);
  else await pipInstall(python, args, options);
}

/**
 * Uninstalls the named distributions from the venv whose interpreter is `python`.
 *
 * @throws {ProcessError} when the installer fails.
 * @throws {CancelledError} when `signal` aborts.
 */
export async function uninstallFrom(installer: Installer, python: string, names: readonly string[], options: PipOptions = {}): Promise<void> {
  if (installer.kind === 'uv') await uvPipUninstall(installer.uv, python, names, options);
  else await pipUninstall(python, names, options);
}

