import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';
import { discoverInterpreters, type DiscoveryOptions } from './discover';
import { settingsLocator } from './locators';
import { probeInterpreter } from './probe';
import { describeSpec, nearestVersions, parseSpec, pickInterpreter } from './spec';
import type { BaseInterpreter, Interpreter } from './types';

/**
 * The base interpreter for a spec (see {@link parseSpec}); without a spec, the newest Python 3
 * found. A path is probed directly; anything else goes through discovery and {@link pickInterpreter}.
 *
 * @throws {UserError} when nothing matches or the path is not a working interpreter.
 */
export async function resolveInterpreter(spec: string | undefined, discovery: DiscoveryOptions): Promise<BaseInterpreter> {
  const parsed = parseSpec(spec ?? '3');
  if (parsed.kind === 'path') {
    const exe = path.resolve(parsed.path);
    await fsp.realpath(exe).catch(() => {
      throw new UserError(`No interpreter at ${exe}`);
    });
    const found = await describeInterpreter(exe, discovery);
    if (found.isVenv) throw new UserError(`${exe} belongs to the virtual environment ${found.prefix}; give a base interpreter${found.base ? `, such as ${found.base}` : ''}`);
    return found;
  }
  const { interpreters } = await discoverInterpreters(discovery);
  const found = pickInterpreter(interpreters, parsed);
  if (!found) {
    const nearest = nearestVersions(interpreters, parsed);
    throw new UserError(`No interpreter matches ${describeSpec(parsed)}; ${nearest.length ? `nearest found: ${nearest.join(', ')}` : 'no interpreters were found'}`);
  }
  return found;
}

/**
 * Probes one interpreter, a venv's included, through discovery so the probe cache answers for
 * one seen before.
 *
 * @throws {UserError} (or {@link ProcessError}) when it is not a working interpreter.
 */
export async function describeInterpreter(exe: string, discovery: DiscoveryOptions): Promise<Interpreter | (BaseInterpreter & { isVenv: false; base?: string; prefix: string })> {
  const { interpreters, problems } = await discoverInterpreters({ ...discovery, locators: [settingsLocator], extraSearchPaths: [exe] });
  if (interpreters[0]) return interpreters[0];
  if (problems[0]) throw new UserError(problems[0].message);
  return { path: exe, isVenv: false, ...(await probeInterpreter(exe, { timeoutMs: discovery.probeTimeoutMs ?? 5000, signal: discovery.signal, log: discovery.log })) };
}
