/** `venv-pilot find SPEC [--json]`: the best interpreter for a spec; exit 1 when none matches. */
import { discoverInterpreters } from '../core/parts/discovery/discover';
import { recommendInterpreter, requiresPython } from '../core/parts/discovery/recommend';
import { resolveInterpreter } from '../core/parts/discovery/resolve';
import { UserError } from '../core/leaves/errors';
import type { BaseInterpreter } from '../core/parts/discovery/types';
import { one, print, printJson, type Values, type Command } from './command';
import { discoveryOptions } from './discovery';

/**
 * The base interpreter for a spec, through full discovery. `create --python 3.12` loads this
 * bundle for it; `create --python PATH` never does.
 *
 * @throws {UserError} when nothing matches.
 */
export function resolveSpec(spec: string | undefined, values: Values, signal: AbortSignal): Promise<BaseInterpreter> {
  return resolveInterpreter(spec, discoveryOptions(values, signal));
}

/**
 * The base interpreter for a project folder when no `--python` is given, in the extension's
 * recommendation order (`.python-version`, then the newest Python satisfying `requires-python`
 * in `pyproject.toml`, then the newest CPython), with the reason in words.
 *
 * @throws {UserError} when the project's `requires-python` excludes every interpreter found, or none is found.
 */
export async function resolveForProject(folder: string, values: Values, signal: AbortSignal): Promise<{ interpreter: BaseInterpreter; reason: string }> {
  const { interpreters } = await discoverInterpreters(discoveryOptions(values, signal));
  const recommended = recommendInterpreter(interpreters, folder, { forCreate: true });
  const range = requiresPython(folder);
  const fromProject = recommended && (recommended.reason.startsWith('.python-version') || recommended.reason.includes('requires-python'));
  if (range && !fromProject) {
    const versions = [...new Set(interpreters.filter((i) => !i.isVenv && i.probed).map((i) => i.version))];
    throw new UserError(`No interpreter found satisfies requires-python ${range} (from ${folder}/pyproject.toml); found ${versions.join(', ') || 'none'}. Install one, or choose one with --python`);
  }
  if (!recommended) throw new UserError('No Python interpreter was found; install one, or choose one with --python PATH');
  return recommended;
}

export const command: Command = {
  options: {},
  run: async (positionals, values, signal) => {
    const found = await resolveSpec(one(positionals, 'SPEC'), values, signal);
    if (values.json) printJson(found);
    else print(found.path);
  },
};
