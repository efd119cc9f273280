/**
 * `venv-pilot __stage-spare CACHE IMAGE...` (internal): stages the next spare site-packages after
 * `create`, in a detached process, so `create` itself returns as soon as the venv is ready.
 */
import { stageSpareFromDirs } from '../core/parts/seed/install';
import { UsageError, type Command } from './command';

export const command: Command = {
  options: {},
  run: async (positionals) => {
    const [cacheDir, ...imageDirs] = positionals;
    if (!cacheDir || imageDirs.length === 0) throw new UsageError('__stage-spare needs the cache folder and at least one image folder');
    stageSpareFromDirs(cacheDir, imageDirs);
  },
};
