import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Parses `pyvenv.cfg` (PEP 405): `key = value` lines; keys are lower-cased, blank lines and
 * lines without `=` are ignored, as `site.py` does.
 */
export function parsePyvenvCfg(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    if (key) result[key] = line.slice(eq + 1).trim();
  }
  return result;
}

/** Reads `DIR/pyvenv.cfg`; `undefined` when DIR is not a venv. */
export function readPyvenvCfg(venvDir: string): Record<string, string> | undefined {
  try {
    return parsePyvenvCfg(readFileSync(path.join(venvDir, 'pyvenv.cfg'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The venv folder that owns an interpreter at `DIR/bin/python`, if `DIR/pyvenv.cfg` exists. */
export function owningVenv(exe: string): string | undefined {
  const dir = path.dirname(path.dirname(exe));
  return readPyvenvCfg(dir) ? dir : undefined;
}
