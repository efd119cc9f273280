import { UserError } from '../../leaves/errors';
import { onPath } from '../../leaves/paths';
import { describeBaseInterpreter } from './describe';
import { discoverInterpreters, type DiscoveryOptions } from './discover';
import { describeSpec, nearestVersions, parseSpec, pickInterpreter } from './spec';
import type { BaseInterpreter } from './types';

export { onPath };

export { describeBaseInterpreter, describeInterpreter } from './describe';

/**
 * The base interpreter for a spec (see {@link parseSpec}); without a spec, the newest Python 3
 * found. A path is probed directly; anything else goes through discovery and {@link pickInterpreter}.
 * When nothing matches and some probes timed out, discovery runs once more (timeouts are never
 * cached, and the second run answers the rest from the cache).
 *
 * @throws {UserError} when nothing matches or the path is not a working interpreter.
 */
export async function resolveInterpreter(spec: string | undefined, discovery: DiscoveryOptions): Promise<BaseInterpreter> {
  const parsed = parseSpec(spec ?? '3');
  if (parsed.kind === 'path') return describeBaseInterpreter(parsed.path, discovery);
  if (parsed.kind === 'name') {
    const found = onPath(parsed.name, discovery.env?.PATH ?? process.env.PATH ?? '');
    if (!found) throw new UserError(`Cannot understand interpreter spec "${parsed.name}", and no executable of that name is on PATH: give a path, a version such as 3.12 or 3.13t, an implementation and version such as pypy3 or cpython3.12-64, or a range such as cpython>=3.10,<3.13`);
    return describeBaseInterpreter(found, discovery);
  }
  let { interpreters, problems } = await discoverInterpreters(discovery);
  let found = pickInterpreter(interpreters, parsed);
  // Probes that ran out of time (a machine busy with other creations) get one more deadline.
  if (!found && problems.some((p) => p.transient)) {
    ({ interpreters, problems } = await discoverInterpreters(discovery));
    found = pickInterpreter(interpreters, parsed);
  }
  if (!found) {
    const nearest = nearestVersions(interpreters, parsed);
    throw new UserError(`No interpreter matches ${describeSpec(parsed)}; ${nearest.length ? `nearest found: ${nearest.join(', ')}` : 'no interpreters were found'}`);
  }
  return found;
}
