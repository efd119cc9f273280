import { closeSync, promises as fsp, openSync, readSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describeError, describeFsError, UserError } from '../../leaves/errors';
import { owningVenv, readPyvenvCfg } from '../../leaves/layout';
import { fileKey, isFresh, loadProbeCache, saveProbeCache, type CachedProbe } from './cache';
import { venvKind } from './locators/context';
import { ProbeTimeoutError, probeInterpreter } from './probe';
import { LOCATOR_ORDER, type BaseInterpreter, type Candidate, type DiscoveryOptions, type DiscoveryProblem, type DiscoveryResult, type Interpreter, type ProbeInfo } from './types';

/*
 * From candidates to interpreters: the filesystem checks, the probe cache, probing under one
 * deadline, and the listing order. discover.ts feeds it every locator's candidates; describing one
 * interpreter by its path (`create --python PATH`, a venv's own python) feeds it one, without
 * loading any locator.
 */

/**
 * After this long (ms) a probe no longer holds a pool slot. A healthy interpreter answers in tens
 * of ms, so one still running is probably hung, and the others should not queue behind it: with
 * 60 hung interpreters first in line, the last healthy one starts after 60 / 4 × 150 ms ≈ 2.3 s,
 * inside the 5 s deadline.
 */
const SLOW_PROBE_MS = 150;

/** A candidate after filesystem checks: what it is, and what makes it distinct from the others. */
interface ResolvedCandidate extends Candidate {
  readonly realPath: string;
  /** The venv folder for a venv interpreter, else the real path: venvs share their base's binary. */
  readonly identity: string;
  readonly venvDir?: string;
  readonly inWorkspace: boolean;
}

/**
 * Describes candidates: each distinct environment probed once (in parallel, under one deadline)
 * or answered from the cache. Environments found twice are listed once, under the first
 * candidate's path (callers pass them in locator priority). Broken interpreters become `problems`;
 * only an abort throws.
 *
 * @throws {CancelledError} when `signal` aborts.
 */
export async function describeCandidates(candidates: readonly Candidate[], options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const workspaceFolders = (options.workspaceFolders ?? []).map((f) => path.resolve(f));
  const problems: DiscoveryProblem[] = [];
  const excluded = (p: string): boolean => (options.excludePaths ?? []).some((e) => isInside(p, [path.resolve(e)]) || p === path.resolve(e));
  const resolved = candidates.filter((c) => !excluded(c.path)).map((c) => resolveCandidate(c, workspaceFolders, problems));
  const unique = dedupe(resolved.filter((c): c is ResolvedCandidate => c !== undefined && !excluded(c.realPath)));

  const cache = await loadProbeCache(options.cacheFile);
  const probed: Record<string, CachedProbe> = {};
  const probe = probePool(options);
  let probesRun = 0;
  const timedOut = new Set<string>();
  const described = await Promise.all(
    unique.map(async (candidate): Promise<Interpreter | undefined> => {
      let interpreter: Interpreter | undefined;
      if (options.trustedWorkspace === false && candidate.inWorkspace) {
        if (candidate.venvDir) interpreter = describeUnprobed(candidate, candidate.venvDir);
        else problems.push({ code: 'untrusted', path: candidate.path, message: `Interpreter ${candidate.path} is inside an untrusted workspace and was not run` });
      } else {
        const key = fileKey(candidate.path);
        const cached = key && cache.entries[candidate.path];
        let outcome: CachedProbe | undefined = cached && isFresh(cached, key) ? cached : undefined;
        if (!outcome && key) {
          probesRun++;
          outcome = await probe(candidate.path).then((info) => ({ ...key, info }), (error: unknown) => {
            if (options.signal?.aborted) throw error;
            if (error instanceof ProbeTimeoutError) timedOut.add(candidate.path);
            return { ...key, error: describeError(error) };
          });
          // A timeout is about this run, not the interpreter: it is never cached.
          if (!timedOut.has(candidate.path)) probed[candidate.path] = outcome;
        }
        if (!outcome) problems.push({ code: 'unreadable', path: candidate.path, message: `Interpreter ${candidate.path} cannot be read` });
        else if ('error' in outcome) problems.push(timedOut.has(candidate.path) ? { code: 'not-responding', transient: true, path: candidate.path, message: outcome.error } : { code: 'failed', path: candidate.path, message: outcome.error });
        else interpreter = toInterpreter(candidate, outcome.info, true);
      }
      if (interpreter) options.onInterpreter?.(interpreter);
      return interpreter;
    }),
  );
  if (options.cacheFile && Object.keys(probed).length > 0) {
    // The cache is an optimisation: discovery works without it, and says so once.
    await saveProbeCache(options.cacheFile, probed).catch((error: unknown) => options.onWarning?.(`The interpreter cache ${options.cacheFile} could not be written (${describeFsError(error)}); discovery works without it, but probes every interpreter each time`));
  }
  const interpreters = described.filter((i): i is Interpreter => i !== undefined).sort(compareInterpreters);
  return { interpreters, problems, probesRun };
}

/**
 * Probes one interpreter by its path, a venv's included, answering from the probe cache for one
 * seen before. No locator runs.
 *
 * @throws {UserError} (or {@link ProcessError}) when it is not a working interpreter.
 */
export async function describeInterpreter(exe: string, options: DiscoveryOptions): Promise<Interpreter | (BaseInterpreter & { isVenv: false; base?: string; prefix: string })> {
  const { interpreters, problems } = await describeCandidates([{ path: exe, kind: 'system', locator: 'settings' }], options);
  if (interpreters[0]) return interpreters[0];
  if (problems[0]) throw new UserError(problems[0].message);
  return { path: exe, isVenv: false, ...(await probeInterpreter(exe, { timeoutMs: options.probeTimeoutMs ?? 5000, signal: options.signal, log: options.log })) };
}

/**
 * The base interpreter at a path (a spec that is a path, see `parseSpec`).
 *
 * @throws {UserError} when nothing is there, it is not a working interpreter, or it belongs to a venv.
 */
export async function describeBaseInterpreter(file: string, options: DiscoveryOptions): Promise<BaseInterpreter> {
  const exe = path.resolve(file);
  await fsp.realpath(exe).catch(() => {
    throw new UserError(`No interpreter at ${exe}`);
  });
  const found = await describeInterpreter(exe, options);
  if (found.isVenv) throw new UserError(`${exe} belongs to the virtual environment ${found.prefix}; give a base interpreter${found.base ? `, such as ${found.base}` : ''}`);
  return found;
}

/**
 * Probes under one shared deadline, at most `concurrency` at a time; a probe running longer than
 * {@link SLOW_PROBE_MS} releases its slot but runs on until the deadline.
 */
function probePool(options: DiscoveryOptions): (exe: string) => Promise<ProbeInfo> {
  const limitMs = options.probeTimeoutMs ?? 5000;
  const deadline = Date.now() + limitMs;
  let free = options.concurrency ?? 4;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    free++;
    waiting.shift()?.();
  };
  return async (exe) => {
    if (free <= 0) await new Promise<void>((resolve) => waiting.push(resolve));
    free--;
    let released = false;
    const releaseOnce = (): void => {
      if (!released) {
        released = true;
        release();
      }
    };
    const slow = setTimeout(releaseOnce, SLOW_PROBE_MS);
    try {
      const remaining = deadline - Date.now();
      return await probeInterpreter(exe, { timeoutMs: Math.max(remaining, 1), signal: options.signal, log: options.log, limitLabel: limitMs });
    } finally {
      clearTimeout(slow);
      releaseOnce();
    }
  };
}

/**
 * Filesystem checks of one candidate. Synchronous like the locators' own reads: these are a few
 * local metadata calls each, and a warm discovery (the CLI's `find`, every window's start) is
 * mostly these; through the thread pool they cost a round trip each.
 */
function resolveCandidate(candidate: Candidate, workspaceFolders: readonly string[], problems: DiscoveryProblem[]): ResolvedCandidate | undefined {
  let realPath: string;
  try {
    realPath = realpathSync(candidate.path);
  } catch {
    const venv = owningVenv(candidate.path);
    problems.push(
      venv
        ? { code: 'broken-venv', venv, path: candidate.path, message: `Environment ${venv} is broken: its interpreter link ${candidate.path} points to a file that no longer exists. Recreate it.` }
        : { code: 'broken-link', path: candidate.path, message: `Interpreter ${candidate.path} is a broken link` },
    );
    return undefined;
  }
  if (isShim(candidate.path, realPath)) return undefined;
  const venvDir = owningVenv(candidate.path);
  return { ...candidate, realPath, venvDir, identity: venvDir ? realpathSync(venvDir) : realPath, inWorkspace: isInside(candidate.path, workspaceFolders) };
}

/** pyenv and asdf shims are scripts that call their manager; mise shims are links to the `mise` binary. Never run them. */
function isShim(file: string, realPath: string): boolean {
  if (/^(mise|rtx)$/.test(path.basename(realPath))) return true;
  try {
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(512);
      const head = buffer.toString('latin1', 0, readSync(fd, buffer, 0, 512, 0));
      return head.startsWith('#!') && /\b(pyenv|asdf|mise)\b.*\bexec\b|\bexec\b.*\b(pyenv|asdf|mise)\b/.test(head);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

function isInside(file: string, folders: readonly string[]): boolean {
  return folders.some((folder) => {
    const relative = path.relative(folder, file);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  });
}

function dedupe(candidates: readonly ResolvedCandidate[]): ResolvedCandidate[] {
  const seen = new Map<string, ResolvedCandidate>();
  for (const c of candidates) if (!seen.has(c.identity)) seen.set(c.identity, c);
  return [...seen.values()];
}

function toInterpreter(candidate: ResolvedCandidate, info: ProbeInfo, probed: boolean): Interpreter {
  const isVenv = info.prefix !== info.basePrefix;
  // A venv reached through PATH or a settings folder is still a venv.
  const kind = isVenv && candidate.kind === 'system' ? (venvKind(info.prefix) ?? 'venv') : candidate.kind;
  const cfgHome = candidate.venvDir ? readPyvenvCfg(candidate.venvDir)?.home : undefined;
  const base = isVenv ? (info.baseExecutable && info.baseExecutable !== info.executable ? info.baseExecutable : cfgHome && path.join(cfgHome, `python${info.versionInfo[0]}.${info.versionInfo[1]}`)) : undefined;
  return {
    ...info,
    path: candidate.path,
    realPath: candidate.realPath,
    kind,
    locator: candidate.locator,
    envName: candidate.envName ?? (isVenv ? path.basename(info.prefix) : undefined),
    selectedBy: candidate.selectedBy,
    inWorkspace: candidate.inWorkspace,
    isVenv,
    probed,
    ...(base ? { base } : {}),
  };
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

/**
 * Listing order: newest version first (major, minor, micro); then by locator priority
 * ({@link LOCATOR_ORDER}: workspace first, system last); then 64-bit before 32-bit; then by path.
 */
export function compareInterpreters(a: Interpreter, b: Interpreter): number {
  for (let i = 0; i < 3; i++) {
    const d = Number(b.versionInfo[i]) - Number(a.versionInfo[i]);
    if (d !== 0) return d;
  }
  return LOCATOR_ORDER.indexOf(a.locator) - LOCATOR_ORDER.indexOf(b.locator) || b.bits - a.bits || a.path.localeCompare(b.path);
}
