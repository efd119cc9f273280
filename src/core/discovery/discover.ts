import { open, realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { describeError } from '../errors';
import type { CommandLogger } from '../process/run';
import { owningVenv, readPyvenvCfg } from '../venv/pyvenvCfg';
import { fileKey, isFresh, loadProbeCache, saveProbeCache, type CachedProbe } from './cache';
import { LOCATORS, type Locator, type LocatorContext } from './locators';
import { probeInterpreter } from './probe';
import type { Candidate, DiscoveryProblem, DiscoveryResult, Interpreter, InterpreterSource, ProbeInfo } from './types';

/** Options for {@link discoverInterpreters}. Everything has a default taken from this process. */
export interface DiscoveryOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly home?: string;
  readonly workspaceFolders?: readonly string[];
  /** In an untrusted workspace, interpreters inside workspace folders are listed but never run. Default true. */
  readonly trustedWorkspace?: boolean;
  /** JSON cache file; omit to probe every candidate. */
  readonly cacheFile?: string;
  /** Per-probe timeout in ms. Default 5000. */
  readonly probeTimeoutMs?: number;
  /** Probes running at once. Default 4. */
  readonly concurrency?: number;
  readonly locators?: readonly Locator[];
  readonly signal?: AbortSignal;
  readonly log?: CommandLogger;
}

const SOURCE_ORDER: readonly InterpreterSource[] = ['workspace', 'pyenv', 'path', 'system'];

/** A candidate after filesystem checks: what it is, and what makes it distinct from the others. */
interface ResolvedCandidate extends Candidate {
  readonly realPath: string;
  /** The venv folder for a venv interpreter, else the real path: venvs share their base's binary. */
  readonly identity: string;
  readonly venvDir?: string;
}

/**
 * Finds every Python interpreter on this machine and in the workspace folders, probing each
 * distinct one once (in parallel, each with a timeout) or answering from the cache.
 * A broken interpreter becomes an entry in `problems`; discovery itself only throws on abort.
 *
 * @throws {CancelledError} when `signal` aborts.
 */
export async function discoverInterpreters(options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const context: LocatorContext = {
    env: options.env ?? process.env,
    home: options.home ?? os.homedir(),
    workspaceFolders: (options.workspaceFolders ?? []).map((f) => path.resolve(f)),
  };
  const problems: DiscoveryProblem[] = [];
  const candidates = (options.locators ?? LOCATORS).flatMap((locate) => locate(context));
  const resolved = await Promise.all(candidates.map((c) => resolveCandidate(c, problems)));
  const unique = dedupe(resolved.filter((c): c is ResolvedCandidate => c !== undefined));

  const cache = await loadProbeCache(options.cacheFile);
  const limit = pLimit(options.concurrency ?? 4);
  let probesRun = 0;
  const described = await Promise.all(
    unique.map(async (candidate): Promise<Interpreter | undefined> => {
      if (options.trustedWorkspace === false && isInside(candidate.path, context.workspaceFolders)) {
        if (candidate.venvDir) return describeUnprobed(candidate, candidate.venvDir);
        problems.push({ path: candidate.path, message: `Interpreter ${candidate.path} is inside an untrusted workspace and was not run` });
        return undefined;
      }
      const outcome = await limit(async () => {
        const key = await fileKey(candidate.path);
        const cached = cache.entries[candidate.path];
        if (cached && isFresh(cached, key)) return cached;
        probesRun++;
        const fresh: CachedProbe = await probeInterpreter(candidate.path, { timeoutMs: options.probeTimeoutMs ?? 5000, signal: options.signal, log: options.log })
          .then((info) => ({ ...key, info }))
          .catch((error: unknown) => {
            if (options.signal?.aborted) throw error;
            return { ...key, error: describeError(error) };
          });
        cache.entries[candidate.path] = fresh;
        return fresh;
      });
      if ('error' in outcome) {
        problems.push({ path: candidate.path, message: outcome.error });
        return undefined;
      }
      return toInterpreter(candidate, outcome.info, true);
    }),
  );
  if (options.cacheFile && probesRun > 0) await saveProbeCache(options.cacheFile, cache);
  const interpreters = described.filter((i): i is Interpreter => i !== undefined).sort(compareInterpreters);
  return { interpreters, problems, probesRun };
}

async function resolveCandidate(candidate: Candidate, problems: DiscoveryProblem[]): Promise<ResolvedCandidate | undefined> {
  let realPath: string;
  try {
    realPath = await realpath(candidate.path);
  } catch {
    if (candidate.source === 'workspace') {
      problems.push({ path: candidate.path, message: `Environment ${path.dirname(path.dirname(candidate.path))} is broken: its interpreter link ${candidate.path} points to a file that no longer exists. Recreate it.` });
    }
    return undefined;
  }
  if (await isScript(realPath)) return undefined;
  const venvDir = owningVenv(candidate.path);
  return { ...candidate, realPath, venvDir, identity: venvDir ? await realpath(venvDir) : realPath };
}

function isInside(file: string, folders: readonly string[]): boolean {
  return folders.some((folder) => {
    const relative = path.relative(folder, file);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  });
}

/** Shims and wrappers start with `#!`; interpreters are binaries. */
async function isScript(file: string): Promise<boolean> {
  try {
    const handle = await open(file, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
      return bytesRead === 2 && buffer.toString('latin1') === '#!';
    } finally {
      await handle.close();
    }
  } catch {
    return true;
  }
}

function dedupe(candidates: readonly ResolvedCandidate[]): ResolvedCandidate[] {
  const seen = new Map<string, ResolvedCandidate>();
  for (const c of candidates) if (!seen.has(c.identity)) seen.set(c.identity, c);
  return [...seen.values()];
}

function toInterpreter(candidate: ResolvedCandidate, info: ProbeInfo, probed: boolean): Interpreter {
  return { ...info, path: candidate.path, realPath: candidate.realPath, source: candidate.source, isVenv: info.prefix !== info.basePrefix, probed };
}

/** What pyvenv.cfg alone says about a venv we may not execute. */
function describeUnprobed(candidate: ResolvedCandidate, venvDir: string): Interpreter {
  const cfg = readPyvenvCfg(venvDir) ?? {};
  const version = (cfg.version_info ?? cfg.version ?? '0.0.0').split('.').slice(0, 3).join('.');
  const [major = 0, minor = 0, micro = 0] = version.split('.').map(Number);
  const info: ProbeInfo = {
    implementation: cfg.implementation ?? 'CPython',
    version,
    versionInfo: [major, minor, micro, 'final', 0],
    bits: 64,
    platform: process.platform,
    machine: process.arch,
    executable: candidate.path,
    prefix: venvDir,
    basePrefix: cfg.home ? path.dirname(cfg.home) : '',
    paths: {},
    hasVenvModule: true,
    hasEnsurepip: false,
  };
  return toInterpreter(candidate, info, false);
}

/** Newest version first; then workspace, pyenv, PATH, system; then by path. */
export function compareInterpreters(a: Interpreter, b: Interpreter): number {
  for (let i = 0; i < 3; i++) {
    const d = Number(b.versionInfo[i]) - Number(a.versionInfo[i]);
    if (d !== 0) return d;
  }
  return SOURCE_ORDER.indexOf(a.source) - SOURCE_ORDER.indexOf(b.source) || a.path.localeCompare(b.path);
}
