import { closeSync, openSync, readSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeError } from '../errors';
import { run, type CommandLogger } from '../process/run';
import { owningVenv, readPyvenvCfg } from '../venv/pyvenvCfg';
import { fileKey, isFresh, loadProbeCache, saveProbeCache, type CachedProbe } from './cache';
import { LOCATORS, venvKind, type Locator, type LocatorContext } from './locators';
import { probeInterpreter } from './probe';
import { LOCATOR_ORDER, type Candidate, type DiscoveryProblem, type DiscoveryResult, type Interpreter, type ProbeInfo } from './types';

/** Options for {@link discoverInterpreters}. Everything has a default taken from this process. */
export interface DiscoveryOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly home?: string;
  readonly platform?: NodeJS.Platform;
  readonly workspaceFolders?: readonly string[];
  /** In an untrusted workspace, interpreters inside workspace folders are listed but never run. Default true. */
  readonly trustedWorkspace?: boolean;
  /** `venvPilot.discovery.workspaceSearchPaths`. */
  readonly workspaceSearchPaths?: readonly string[];
  /** `venvPilot.discovery.extraSearchPaths`. */
  readonly extraSearchPaths?: readonly string[];
  /** `venvPilot.discovery.excludePaths`: candidates at or below these paths (as found or real) are skipped. */
  readonly excludePaths?: readonly string[];
  /** JSON cache file; omit to probe every candidate. */
  readonly cacheFile?: string;
  /**
   * Time limit in ms for probing, default 5000. Every probe of a run shares one deadline, so the
   * whole discovery takes at most this long plus the filesystem scan, however many interpreters hang.
   */
  readonly probeTimeoutMs?: number;
  /** Probes using the CPU at once. Default 4. A probe still running after 500 ms stops counting, so hung interpreters cannot starve the rest. */
  readonly concurrency?: number;
  readonly locators?: readonly Locator[];
  /** Called with each interpreter as soon as it is known (cache hits first), before the sorted result. */
  readonly onInterpreter?: (interpreter: Interpreter) => void;
  readonly signal?: AbortSignal;
  readonly log?: CommandLogger;
}

/** After this long a probe no longer holds a pool slot: it is probably hung, and others should not wait on it. */
const SLOW_PROBE_MS = 500;

/** A candidate after filesystem checks: what it is, and what makes it distinct from the others. */
interface ResolvedCandidate extends Candidate {
  readonly realPath: string;
  /** The venv folder for a venv interpreter, else the real path: venvs share their base's binary. */
  readonly identity: string;
  readonly venvDir?: string;
  readonly inWorkspace: boolean;
}

/**
 * Finds every Python interpreter on this machine and in the workspace folders, probing each
 * distinct environment once (in parallel, under one deadline) or answering from the cache.
 * Environments found twice (a venv reached through PATH, `/usr/bin/python3` and
 * `/usr/bin/python3.11`) are listed once, under the path of the highest-priority locator.
 * Broken interpreters become `problems`; discovery itself only throws on abort.
 *
 * @throws {CancelledError} when `signal` aborts.
 */
export async function discoverInterpreters(options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const context = await locatorContext(options);
  const problems: DiscoveryProblem[] = [];
  const excluded = (p: string): boolean => (options.excludePaths ?? []).some((e) => isInside(p, [path.resolve(e)]) || p === path.resolve(e));
  const candidates = (options.locators ?? LOCATORS).flatMap((locate) => locate(context)).filter((c) => !excluded(c.path));
  const resolved = candidates.map((c) => resolveCandidate(c, context.workspaceFolders, problems));
  const unique = dedupe(resolved.filter((c): c is ResolvedCandidate => c !== undefined && !excluded(c.realPath)));

  const cache = await loadProbeCache(options.cacheFile);
  const probed: Record<string, CachedProbe> = {};
  const probe = probePool(options);
  let probesRun = 0;
  const described = await Promise.all(
    unique.map(async (candidate): Promise<Interpreter | undefined> => {
      let interpreter: Interpreter | undefined;
      if (options.trustedWorkspace === false && candidate.inWorkspace) {
        if (candidate.venvDir) interpreter = describeUnprobed(candidate, candidate.venvDir);
        else problems.push({ path: candidate.path, message: `Interpreter ${candidate.path} is inside an untrusted workspace and was not run` });
      } else {
        const key = fileKey(candidate.path);
        const cached = key && cache.entries[candidate.path];
        let outcome: CachedProbe | undefined = cached && isFresh(cached, key) ? cached : undefined;
        if (!outcome && key) {
          probesRun++;
          outcome = await probe(candidate.path).then((info) => ({ ...key, info }), (error: unknown) => {
            if (options.signal?.aborted) throw error;
            return { ...key, error: describeError(error) };
          });
          probed[candidate.path] = outcome;
        }
        if (!outcome) problems.push({ path: candidate.path, message: `Interpreter ${candidate.path} cannot be read` });
        else if ('error' in outcome) problems.push({ path: candidate.path, message: outcome.error });
        else interpreter = toInterpreter(candidate, outcome.info, true);
      }
      if (interpreter) options.onInterpreter?.(interpreter);
      return interpreter;
    }),
  );
  if (options.cacheFile && probesRun > 0) await saveProbeCache(options.cacheFile, probed);
  const interpreters = described.filter((i): i is Interpreter => i !== undefined).sort(compareInterpreters);
  return { interpreters, problems, probesRun };
}

/** The locator context, with the Windows registry and py launcher read first on Windows. */
async function locatorContext(options: DiscoveryOptions): Promise<LocatorContext> {
  const platform = options.platform ?? process.platform;
  const windowsOutput = async (argv: string[]): Promise<string> =>
    platform === 'win32' && process.platform === 'win32'
      ? run(argv, { timeoutMs: options.probeTimeoutMs ?? 5000, log: options.log, signal: options.signal }).then((r) => r.stdout, () => '')
      : '';
  const [hkcu, hklm, py] = await Promise.all([
    windowsOutput(['reg', 'query', 'HKCU\\Software\\Python', '/s']),
    windowsOutput(['reg', 'query', 'HKLM\\Software\\Python', '/s']),
    windowsOutput(['py', '--list-paths']),
  ]);
  return {
    env: options.env ?? process.env,
    home: options.home ?? os.homedir(),
    platform,
    workspaceFolders: (options.workspaceFolders ?? []).map((f) => path.resolve(f)),
    workspaceSearchPaths: options.workspaceSearchPaths,
    extraSearchPaths: options.extraSearchPaths,
    registryOutput: `${hkcu}\n${hklm}`,
    pyLauncherOutput: py,
  };
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
    problems.push({ path: candidate.path, message: venv ? `Environment ${venv} is broken: its interpreter link ${candidate.path} points to a file that no longer exists. Recreate it.` : `Interpreter ${candidate.path} is a broken link` });
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
