import { CancelledError, UserError } from '../errors';

/** Receives every command line core runs, already quoted for reading (never for executing). */
export type CommandLogger = (commandLine: string) => void;

/** Options for {@link run}. */
export interface RunOptions {
  /** Working directory; defaults to the current one. */
  readonly cwd?: string;
  /** Variables to set; `undefined` values remove the variable from the child's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Aborting kills the whole process tree and rejects with {@link CancelledError}. */
  readonly signal?: AbortSignal;
  /** Kills the process tree after this many ms and rejects with a {@link ProcessError}. */
  readonly timeoutMs?: number;
  /** Called with each complete line of stdout and stderr, decoded as UTF-8, as it arrives. */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Receives the command line before it starts. */
  readonly log?: CommandLogger;
  /** Short description for messages, for example "Probe of /usr/bin/python3". */
  readonly what?: string;
  /** The command shown in logs and messages instead of `argv`, when argv is machinery (an isolating `-c` runner). */
  readonly display?: readonly string[];
}

/** The finished process: exit code 0, whole stdout/stderr decoded as UTF-8 with the final newline stripped. */
export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** A process that could not start, exited non-zero, was killed, or ran past its timeout. */
export class ProcessError extends UserError {
  constructor(
    message: string,
    readonly commandLine: string,
    readonly exitCode: number | undefined,
    readonly stdout: string,
    readonly stderr: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

/**
 * Starts `argv` detached from this process (own session, no stdio, not waited for), so it keeps
 * running after this process exits: background work a short command hands off. Errors starting
 * it are ignored; the work is an optimisation by contract.
 */
export function spawnDetached(argv: readonly string[], options: Pick<RunOptions, 'env' | 'log'> = {}): void {
  const [file, ...args] = argv;
  if (!file) return;
  options.log?.(formatCommandLine(argv));
  try {
    // Loaded here, not at the top: commands that spawn nothing should not pay for child_process.
    const { spawn } = process.getBuiltinModule('node:child_process');
    const child = spawn(file, args, { detached: true, stdio: 'ignore', env: { ...process.env, ...options.env } as NodeJS.ProcessEnv });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // Could not start: the work is simply not done.
  }
}

/** Quotes argv for display in logs; the process itself never goes through a shell. */
export function formatCommandLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

const KILL_GRACE_MS = 2000;

/**
 * execa is the largest module core uses; the CLI's commands that spawn nothing on a warm cache
 * (`create --python PATH`, `freeze`, `find`) start faster when it is loaded only on first use.
 */
const loadExeca = (): Promise<typeof import('execa')> => import('execa');

/**
 * Runs `argv[0]` with `argv.slice(1)`, without a shell, in its own process group so that
 * cancellation and timeouts kill the whole tree (pip spawns build subprocesses).
 *
 * @throws {CancelledError} when `signal` aborts.
 * @throws {ProcessError} on a spawn failure, a non-zero exit, or a timeout; the message names the command.
 */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = argv;
  if (!file) throw new UserError('No command to run');
  const commandLine = formatCommandLine(options.display ?? argv);
  const what = options.what ?? `\`${commandLine}\``;
  options.log?.(commandLine);
  if (options.signal?.aborted) throw new CancelledError(what);

  const { execa } = await loadExeca();
  if (options.signal?.aborted) throw new CancelledError(what);
  const child = execa(file, args, {
    cwd: options.cwd,
    env: options.env as Record<string, string> | undefined,
    extendEnv: true,
    detached: true,
    reject: false,
    stdin: 'ignore',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });

  let timedOut = false;
  const killTree = (): void => {
    const pid = child.pid;
    if (pid === undefined) return;
    signalGroup(pid, 'SIGTERM');
    setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS).unref();
  };
  const onAbort = (): void => killTree();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          killTree();
        }, options.timeoutMs);

  const streams = options.onLine
    ? Promise.all(
        (['stdout', 'stderr'] as const).map(async (stream) => {
          for await (const line of child.iterable({ from: stream })) options.onLine?.(line, stream);
        }),
      )
    : Promise.resolve();

  try {
    const [result] = await Promise.all([child, streams.catch(() => undefined)]);
    if (options.signal?.aborted) throw new CancelledError(what);
    const stdout = String(result.stdout ?? '');
    const stderr = String(result.stderr ?? '');
    if (timedOut) {
      throw new ProcessError(`${what} did not finish within ${formatSeconds(options.timeoutMs ?? 0)}`, commandLine, undefined, stdout, stderr, true);
    }
    if (result.failed) {
      const cause = result.exitCode !== undefined ? `exited with code ${result.exitCode}` : result.signal ? `was killed by ${result.signal}` : startFailure(file, result.code);
      const detail = lastMeaningfulLine(stderr) ?? lastMeaningfulLine(stdout);
      throw new ProcessError(`${what} ${cause}${detail ? `: ${detail}` : ''}`, commandLine, result.exitCode, stdout, stderr, false);
    }
    return { stdout, stderr };
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** Why a program could not start, from the spawn error code (ENOENT, EACCES...). */
function startFailure(file: string, code: string | undefined): string {
  if (code === 'ENOENT') return `could not start: ${file} does not exist`;
  if (code === 'EACCES') return `could not start: ${file} is not executable`;
  return `could not start${code ? ` (${code})` : ''}`;
}

/** Signals a whole process group (children were started with `detached`, so pid = pgid). */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** The line a user most needs to see from a failed process: pip's last "ERROR:" line, else the last non-empty one. */
export function lastMeaningfulLine(output: string): string | undefined {
  const lines = output.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => /^(ERROR|error):/.test(l));
  return errors.at(-1) ?? lines.at(-1);
}

/** A long-running process started by {@link startProcess}. */
export interface StartedProcess {
  readonly pid: number;
  /** With `pipes`: the process's stdin and stdout, for a protocol spoken over them (LSP). */
  readonly stdin?: NodeJS.WritableStream;
  readonly stdout?: NodeJS.ReadableStream;
  /** Settles with the exit code (or `undefined` when killed by a signal) when the process ends. */
  readonly exited: Promise<number | undefined>;
  /** Kills the whole process tree: SIGTERM, then SIGKILL after a grace period. Resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts a long-running process (a server) in its own process group, streaming its output
 * lines to `onLine` (with `pipes`, stderr only: stdin and stdout are handed back for a protocol).
 * Unlike {@link run} it does not wait for the process to end.
 *
 * @throws {ProcessError} when the process cannot be started.
 */
export async function startProcess(argv: readonly string[], options: Pick<RunOptions, 'cwd' | 'env' | 'onLine' | 'log'> & { readonly pipes?: boolean } = {}): Promise<StartedProcess> {
  const [file, ...args] = argv;
  if (!file) throw new UserError('No command to run');
  const commandLine = formatCommandLine(argv);
  options.log?.(commandLine);
  const { execa } = await loadExeca();
  const child = execa(file, args, { cwd: options.cwd, env: options.env as Record<string, string> | undefined, detached: true, reject: false, stdin: options.pipes ? 'pipe' : 'ignore', buffer: false });
  const pid = child.pid;
  if (pid === undefined) throw new ProcessError(`Could not start \`${commandLine}\``, commandLine, undefined, '', '', false);
  for (const stream of options.pipes ? (['stderr'] as const) : (['stdout', 'stderr'] as const)) {
    void (async () => {
      for await (const line of child.iterable({ from: stream })) options.onLine?.(line, stream);
    })().catch(() => undefined);
  }
  const exited = child.then((r) => r.exitCode);
  return {
    pid,
    ...(options.pipes && child.stdin && child.stdout ? { stdin: child.stdin, stdout: child.stdout } : {}),
    exited,
    stop: async () => {
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
      await exited;
      clearTimeout(timer);
      signalGroup(pid, 'SIGKILL');
    },
  };
}
