/** What kind of installation or environment an interpreter belongs to. */
export type InterpreterKind =
  | 'system'
  | 'pyenv'
  | 'asdf'
  | 'mise'
  | 'uv'
  | 'conda'
  | 'venv'
  | 'virtualenv'
  | 'pipenv'
  | 'poetry'
  | 'hatch'
  | 'registry'
  | 'store';

/**
 * Which locator found an interpreter. The order of {@link LOCATOR_ORDER} is the priority when two
 * locators find the same environment (the first one's path is shown) and the tie-break in listings.
 */
export type LocatorName = 'workspace' | 'settings' | 'pyenv' | 'asdf' | 'mise' | 'uv' | 'conda' | 'env-managers' | 'windows' | 'path' | 'system';

/** Locator priority, most meaningful first. */
export const LOCATOR_ORDER: readonly LocatorName[] = ['workspace', 'settings', 'pyenv', 'asdf', 'mise', 'uv', 'conda', 'env-managers', 'windows', 'path', 'system'];

/** An executable that a locator believes to be a Python interpreter; not yet run. */
export interface Candidate {
  /** Absolute path as found (may be a symlink, e.g. `.venv/bin/python`). */
  readonly path: string;
  readonly kind: InterpreterKind;
  readonly locator: LocatorName;
  /** Environment name: a venv's folder name, a conda env, a pyenv version. */
  readonly envName?: string;
  /** The `.python-version` file that selects this interpreter, if any. */
  readonly selectedBy?: string;
}

/** What `python/probe.py` reports about an interpreter. */
export interface ProbeInfo {
  /** `platform.python_implementation()`, e.g. `CPython`, `PyPy`. */
  readonly implementation: string;
  /** `platform.python_version()`, e.g. `3.12.1`. */
  readonly version: string;
  /** `sys.version_info` as `[major, minor, micro, releaselevel, serial]`. */
  readonly versionInfo: readonly [number, number, number, string, number];
  /** Pointer size in bits: 32 or 64. */
  readonly bits: number;
  /** `sys.platform`, e.g. `linux`. */
  readonly platform: string;
  readonly machine: string;
  /** `sys.executable` as the interpreter itself reports it. */
  readonly executable: string;
  readonly prefix: string;
  /** `sys.base_prefix` (or `sys.real_prefix` for old virtualenvs); equals `prefix` outside a venv. */
  readonly basePrefix: string;
  /** `sysconfig.get_paths()`: stdlib, purelib, platlib, scripts, include, data... */
  readonly paths: Readonly<Record<string, string>>;
  /** The interpreter a venv was made from (`sys._base_executable`, 3.11+); `null` when the probe cannot tell. */
  readonly baseExecutable?: string | null;
  /** sysconfig paths of a venv made from this interpreter, relative to the venv folder (`purelib`: `lib/python3.12/site-packages`). */
  readonly venvPaths?: Readonly<Record<string, string>>;
  /** PEP 508 marker environment (python_version, sys_platform, ...), as packaging computes it. */
  readonly markerEnvironment?: Readonly<Record<string, string>>;
  /** Whether `venv` can be imported (absent on 2.7). */
  readonly hasVenvModule: boolean;
  readonly hasEnsurepip: boolean;
  /** A PEP 703 free-threaded build (`python3.13t`: `Py_GIL_DISABLED`). */
  readonly freeThreaded?: boolean;
}

/** What creating a venv needs to know about its base interpreter: a probe result plus the path to run. */
export type BaseInterpreter = ProbeInfo & { readonly path: string };

/** A discovered interpreter, probed (or, in an untrusted workspace, described from pyvenv.cfg only). */
export interface Interpreter extends ProbeInfo {
  /** Absolute path as found by the locator; run this one. */
  readonly path: string;
  /** `fs.realpath` of `path`. */
  readonly realPath: string;
  readonly kind: InterpreterKind;
  readonly locator: LocatorName;
  readonly envName?: string;
  /** The `.python-version` file that selects this interpreter, if any. */
  readonly selectedBy?: string;
  /** True when the executable lies inside one of the workspace folders. */
  readonly inWorkspace: boolean;
  /** True for a PEP 405 virtual environment (`prefix !== basePrefix`). */
  readonly isVenv: boolean;
  /** False when the interpreter lives in an untrusted workspace and was therefore never executed. */
  readonly probed: boolean;
  /** For a venv: the base interpreter it was created from, when known (probe or pyvenv.cfg `home`). */
  readonly base?: string;
}

/** An interpreter that could not be used; discovery reports it and carries on. */
/**
 * What went wrong with a candidate, for code to act on (the message is for people):
 * `broken-venv` (its interpreter link points nowhere; `venv` names the folder), `broken-link`,
 * `not-responding` (the probe ran out of time), `failed` (the probe failed or answered nonsense),
 * `unreadable`, `untrusted` (inside an untrusted workspace, so never run).
 */
export type DiscoveryProblemCode = 'broken-venv' | 'broken-link' | 'not-responding' | 'failed' | 'unreadable' | 'untrusted';

export interface DiscoveryProblem {
  readonly code: DiscoveryProblemCode;
  /** For `broken-venv`: the venv folder. */
  readonly venv?: string;
  readonly path: string;
  /** One actionable line, e.g. "Interpreter /x/python did not answer within 5 s". */
  readonly message: string;
  /** The probe ran out of time: a fact about this run (a busy machine), not about the interpreter; never cached. */
  readonly transient?: boolean;
}

/** Result of one discovery run. `interpreters` is sorted newest version first. */
export interface DiscoveryResult {
  readonly interpreters: readonly Interpreter[];
  readonly problems: readonly DiscoveryProblem[];
  /** Number of interpreters actually executed during this run (0 for a fully cached run). */
  readonly probesRun: number;
}

/** Options for discovery (`discoverInterpreters`, `describeCandidates`). Everything has a default taken from this process. */
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
  /** Told once per run about something that did not stop discovery, e.g. a cache that could not be written. */
  readonly onWarning?: (message: string) => void;
  /** Called with each interpreter as soon as it is known (cache hits first), before the sorted result. */
  readonly onInterpreter?: (interpreter: Interpreter) => void;
  readonly signal?: AbortSignal;
  readonly log?: (commandLine: string) => void;
}
