import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { readIncompleteMark } from './destination';
import { readPyvenvCfg, venvPython } from '../../leaves/layout';

/** Whether a venv can run: `{ ok: true }`, or the problem in words a user can act on. */
export type VenvHealth = { readonly ok: true } | { readonly ok: false; readonly problem: string };

/**
 * Checks a venv without running it: its pyvenv.cfg is there, `bin/python` resolves, the base
 * interpreter's folder (`home`) still exists, and, when `baseVersion` (the base interpreter's
 * version now, from discovery) is given, it is still the version pyvenv.cfg recorded. A base
 * interpreter deleted, moved or upgraded underneath (a distro upgrade) breaks the venv. So does a
 * creation that was killed before the venv was complete. (One whose requirements install failed
 * works; its sync stamp shows it out of sync.)
 */
export function venvHealth(venvDir: string, baseVersion?: string): VenvHealth {
  const cfg = readPyvenvCfg(venvDir);
  if (!cfg) return { ok: false, problem: `${venvDir} is not a virtual environment any more (no pyvenv.cfg)` };
  const python = venvPython(venvDir);
  try {
    realpathSync(python);
  } catch {
    return { ok: false, problem: `The interpreter of ${path.basename(venvDir)} is gone${cfg.home ? ` (it came from ${cfg.home})` : ''}; recreate the environment` };
  }
  if (cfg.home && !existsSync(cfg.home)) return { ok: false, problem: `The base interpreter folder ${cfg.home} of ${path.basename(venvDir)} is gone; recreate the environment` };
  const unfinished = readIncompleteMark(venvDir);
  if (unfinished?.stage === 'creating') return { ok: false, problem: `Creating ${path.basename(venvDir)} did not finish; recreate the environment` };
  if (baseVersion && cfg.version && baseVersion !== cfg.version) {
    return { ok: false, problem: `${path.basename(venvDir)} was made with Python ${cfg.version}, but its base interpreter is now ${baseVersion}; recreate the environment` };
  }
  return { ok: true };
}
