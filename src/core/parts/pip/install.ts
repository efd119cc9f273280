import { ProcessError, run, type CommandLogger } from '../../leaves/process';
import { isolatedEnv, isolatedModule } from '../../leaves/pythonScripts';

/**
 * Index settings for pip (`venvPilot.pip.*`). Empty values leave pip's own `pip.conf` and
 * `PIP_*` variables in charge; set values are passed as pip's environment variables
 * (pip docs, "Configuration: environment variables").
 */
export interface PipSettings {
  readonly indexUrl?: string;
  readonly extraIndexUrls?: readonly string[];
  readonly findLinks?: readonly string[];
  readonly trustedHosts?: readonly string[];
  /** `--no-index`: pip never touches the network and uses find-links only. */
  readonly offline?: boolean;
  /** An HTTP(S) proxy URL (VS Code's `http.proxy`). */
  readonly proxy?: string;
}

/** The `PIP_*` variables for `settings`; only set values appear. */
export function pipEnvironment(settings: PipSettings = {}): Record<string, string> {
  const env: Record<string, string> = {};
  if (settings.indexUrl) env.PIP_INDEX_URL = settings.indexUrl;
  if (settings.extraIndexUrls?.length) env.PIP_EXTRA_INDEX_URL = settings.extraIndexUrls.join(' ');
  if (settings.findLinks?.length) env.PIP_FIND_LINKS = settings.findLinks.join(' ');
  if (settings.trustedHosts?.length) env.PIP_TRUSTED_HOST = settings.trustedHosts.join(' ');
  if (settings.offline) env.PIP_NO_INDEX = '1';
  if (settings.proxy) env.PIP_PROXY = settings.proxy;
  return env;
}

/** Options shared by the pip invocations. */
export interface PipOptions {
  readonly signal?: AbortSignal;
  readonly log?: CommandLogger;
  /** Each line pip prints (stdout and stderr), e.g. "Collecting pilotfish==1.0". */
  readonly onLine?: (line: string) => void;
  readonly settings?: PipSettings;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The folder pip runs in: relative paths in arguments and requirements (`-e .`) mean this folder. Default: this process's. */
  readonly cwd?: string;
}

/**
 * `python -m pip install ARGS` in the given venv interpreter, with pip's version check off,
 * PYTHONHOME and PYTHONPATH removed, and the working folder kept off `sys.path` (a `pip/`
 * folder there is not pip). Relative `-f` paths in a requirements file resolve against that
 * file (pip's docs); `-e .` against `options.cwd`.
 *
 * @throws {ProcessError} with pip's last `ERROR:` line, e.g. "No matching distribution found for x".
 * @throws {CancelledError} when `signal` aborts; the pip process tree is killed.
 */
export async function pipInstall(python: string, args: readonly string[], options: PipOptions = {}): Promise<void> {
  await runPip(python, ['install', ...args], options, `pip install ${args.join(' ')}`);
}

/**
 * `python -m pip uninstall -y NAMES` in the given venv interpreter, isolated as {@link pipInstall} is.
 *
 * @throws {ProcessError} when pip fails.
 * @throws {CancelledError} when `signal` aborts.
 */
export async function pipUninstall(python: string, names: readonly string[], options: PipOptions = {}): Promise<void> {
  await runPip(python, ['uninstall', '-y', ...names], options, `pip uninstall ${names.join(' ')}`);
}

/**
 * Why pip could not reach an index, from its retry warning ("WARNING: Retrying (Retry(...)) after
 * connection broken by 'NewConnectionError('...: Failed to establish a new connection: [Errno
 * 111] Connection refused')': /simple/x/"), or `undefined` for any other line.
 */
export function connectionProblem(line: string): string | undefined {
  const retry = /Retrying \(Retry\(.*\)\) after connection broken by '(\w+)\((.*)\)'\s*:\s*(\S*)/.exec(line);
  if (!retry) return undefined;
  const [, kind = '', detail = ''] = retry;
  const reason = /: ([^:']+(?:\[Errno [^\]]+\][^'"]*)?)['"]?\)?$/.exec(detail)?.[1]?.trim() ?? /\[Errno [^\]]+\][^'"]*/.exec(detail)?.[0];
  return reason ? `${kind}: ${reason.replace(/['")]+$/, '')}` : kind;
}

/** The index pip was told to use, for messages: the setting, else the requirements' own `--index-url`, else pip's configuration. */
function indexFor(settings: PipSettings | undefined, env: PipOptions['env']): string {
  return settings?.indexUrl ?? env?.PIP_INDEX_URL ?? process.env.PIP_INDEX_URL ?? "pip's configured index (pip.conf, --index-url in the requirements, or PyPI)";
}

async function runPip(python: string, args: readonly string[], options: PipOptions, what: string): Promise<void> {
  const [command = 'install', ...rest] = args;
  const { argv, display } = isolatedModule(python, 'pip', [command, '--disable-pip-version-check', ...rest]);
  let unreachable: string | undefined;
  let looking: string | undefined;
  try {
    await run(argv, {
      display,
      signal: options.signal,
      log: options.log,
      cwd: options.cwd,
      onLine: (line) => {
        unreachable ??= connectionProblem(line);
        looking ??= /^Looking in indexes: (.+)$/.exec(line)?.[1];
        options.onLine?.(line);
      },
      env: { ...isolatedEnv(), PIP_NO_INPUT: '1', PYTHONIOENCODING: 'utf-8', ...pipEnvironment(options.settings), ...options.env },
      what,
    });
  } catch (error) {
    // pip's last line then blames the package ("No matching distribution found"); the retries say why.
    if (error instanceof ProcessError && unreachable) {
      const message = `${what} could not reach the index URL ${looking ?? indexFor(options.settings, options.env)} (${unreachable}); check the URL and the network. pip said: ${error.message.slice(error.message.lastIndexOf(': ERROR') + 2) || error.message}`;
      throw new ProcessError(message, error.commandLine, error.exitCode, error.stdout, error.stderr, error.timedOut);
    }
    throw error;
  }
}

/** pip arguments installing every requirements file: `-r A -r B`. */
export function requirementArgs(files: readonly string[]): string[] {
  return files.flatMap((file) => ['-r', file]);
}
