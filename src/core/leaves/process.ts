import { setMaxListeners } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { CancelledError, UserError } from './errors';

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
    const child = spawn(file, args, { ...spawnOptionsFor(process.platform, { handOff: true }), stdio: 'ignore', env: { ...process.env, ...options.env } as NodeJS.ProcessEnv });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // Could not start: the work is simply not done.
  }
}

/**
 * The spawn options that decide how a child relates to this process on `platform`. On POSIX a
 * child gets its own process group (`detached`), so cancelling kills the whole tree with one
 * signal to the group. On Windows there are no process groups, and `detached` gives a console
 * program a console window of its own; the tree is killed with `taskkill /T` instead
 * ({@link killTreeCommand}), so children stay attached, and `windowsHide` keeps them from
 * flashing a window (Node's `CREATE_NO_WINDOW`). A hand-off that must outlive this process
 * (`handOff`) is detached on every platform: on Windows that is `DETACHED_PROCESS`, no console at all.
 */
export function spawnOptionsFor(platform: NodeJS.Platform, options: { readonly handOff?: boolean } = {}): { detached: boolean; windowsHide: boolean } {
  return { detached: options.handOff === true || platform !== 'win32', windowsHide: true };
}

/**
 * The command that kills a process tree on `platform`, or `undefined` where signals do it
 * (POSIX: the process group, see {@link run}). On Windows, `taskkill /T /F /PID n` (Microsoft's
 * taskkill reference: `/T` the process and every child it started, `/F` forcefully: a console
 * program has no SIGTERM to honour), run from `%SystemRoot%\System32` by its full path so no
 * `taskkill.exe` in the working folder or on PATH is picked up instead. An argv array: no shell.
 */
export function killTreeCommand(pid: number, platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>> = process.env): string[] | undefined {
  if (platform !== 'win32') return undefined;
  const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? env.windir ?? 'C:\\Windows';
  return [`${systemRoot.replace(/[\\/]+$/, '')}\\System32\\taskkill.exe`, '/T', '/F', '/PID', String(pid)];
}

/** Quotes argv for display in logs; the process itself never goes through a shell. */
export function formatCommandLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** How long a cancelled process tree gets between SIGTERM and SIGKILL, ms. */
const KILL_GRACE_MS = 2000;
/** How long output may keep arriving after the process itself exited, ms (descendants holding the pipes). */
const DRAIN_MS = 1000;

/**
 * execa is the largest module core uses; the CLI's commands that spawn nothing on a warm cache
 * (`create --python PATH`, `freeze`, `find`) start faster when it is loaded only on first use.
 */
const loadExeca = (): Promise<typeof import('execa')> => import('execa');

/**
 * Runs `argv[0]` with `argv.slice(1)`, without a shell, in its own process group so that
 * cancellation and timeouts kill the whole tree (pip spawns build subprocesses); on Windows
 * without a window, the tree killed by `taskkill /T /F` ({@link spawnOptionsFor},
 * {@link killTreeCommand}). Arguments reach the program as given: spaces, `^`, `&` and `%` are
 * characters, never shell syntax.
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
    ...spawnOptionsFor(process.platform),
    reject: false,
    stdin: 'ignore',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });

  const pid = child.pid;
  // Settles when the process itself exits, whatever its descendants still hold open.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  // A descendant that left the process group (setsid) can hold stdout open forever: once the
  // process has exited (or been killed), its output gets a moment to drain, then the pipes are cut.
  const cutPipes = (): void => {
    child.stdout?.destroy();
    child.stderr?.destroy();
  };
  void exited.then(() => setTimeout(cutPipes, DRAIN_MS).unref());

  let stop: ((why: 'timeout' | 'abort') => void) | undefined;
  const stopped = new Promise<'timeout' | 'abort'>((resolve) => (stop = resolve));
  const onAbort = (): void => {
    if (pid !== undefined) killTree(pid, 'SIGTERM');
    stop?.('abort');
  };
  // Discovery runs dozens of probes under one signal: past 10 listeners Node would warn of a leak.
  if (options.signal) setMaxListeners(0, options.signal);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          // The deadline is the deadline: no grace for a process that ignores SIGTERM.
          if (pid !== undefined) killTree(pid, 'SIGKILL');
          cutPipes();
          stop?.('timeout');
        }, options.timeoutMs);

  const streams = options.onLine
    ? Promise.all(
        (['stdout', 'stderr'] as const).map(async (stream) => {
          for await (const line of child.iterable({ from: stream })) options.onLine?.(line, stream);
        }),
      )
    : Promise.resolve();

  try {
    const finished = Promise.all([child, streams.catch(() => undefined)]).then(([result]) => result);
    const outcome = await Promise.race([finished, stopped]);
    if (outcome === 'timeout') {
      void finished.catch(() => undefined);
      throw new ProcessError(`${what} did not finish within ${formatSeconds(options.timeoutMs ?? 0)}`, commandLine, undefined, '', '', true);
    }
    if (outcome === 'abort') {
      // Cancelled: the tree got SIGTERM; it gets SIGKILL after a grace period, and the caller
      // hears back once the process is gone (or the grace is over), never later.
      const hard = setTimeout(() => pid !== undefined && killTree(pid, 'SIGKILL'), KILL_GRACE_MS);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, KILL_GRACE_MS + DRAIN_MS))]);
      clearTimeout(hard);
      if (pid !== undefined) killTree(pid, 'SIGKILL');
      cutPipes();
      void finished.catch(() => undefined);
      throw new CancelledError(what);
    }
    const result = outcome;
    if (options.signal?.aborted) throw new CancelledError(what);
    const stdout = String(result.stdout ?? '');
    const stderr = String(result.stderr ?? '');
    if (result.failed && result.exitCode !== 0) {
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

/**
 * Signals a process tree: its process group, and (on Linux) every descendant found through
 * `/proc`, so one that left the group with `setsid()` is reached too. Descendants are listed
 * before anything is signalled, while they are still linked to their parents. On Windows,
 * {@link killTreeCommand} instead, whatever the signal.
 */
function killTree(pid: number, signal: NodeJS.Signals): void {
  const command = killTreeCommand(pid, process.platform);
  if (command) {
    runKillCommand(command);
    return;
  }
  const descendants = descendantsOf(pid);
  signalGroup(pid, signal);
  for (const child of descendants) {
    try {
      process.kill(child, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Starts a tree-kill command without waiting for it (it ends on its own in milliseconds); failures mean the tree is already gone. */
function runKillCommand([file, ...args]: readonly string[]): void {
  if (!file) return;
  try {
    const { spawn } = process.getBuiltinModule('node:child_process');
    const child = spawn(file, args, { stdio: 'ignore', windowsHide: true });
    child.on('error', () => undefined);
  } catch {
    // Could not start taskkill: nothing more to do here.
  }
}

/**
 * Every descendant of `root`, through `/proc/PID/task/TID/children` (each thread's direct
 * children: a few small reads, where scanning all of `/proc` costs hundreds); empty where there
 * is no `/proc`.
 */
function descendantsOf(root: number): number[] {
  const found: number[] = [];
  const queue = [root];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${next}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        for (const child of readFileSync(`/proc/${next}/task/${task}/children`, 'latin1').split(' ').filter(Boolean).map(Number)) {
          found.push(child);
          queue.push(child);
        }
      } catch {
        // The thread ended while listing.
      }
    }
  }
  return found;
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
  const child = execa(file, args, { cwd: options.cwd, env: options.env as Record<string, string> | undefined, ...spawnOptionsFor(process.platform), reject: false, stdin: options.pipes ? 'pipe' : 'ignore', buffer: false });
  const pid = child.pid;
  if (pid === undefined) throw new ProcessError(`Could not start \`${commandLine}\``, commandLine, undefined, '', '', false);
  for (const stream of options.pipes ? (['stderr'] as const) : (['stdout', 'stderr'] as const)) {
    void (async () => {
      for await (const line of child.iterable({ from: stream })) options.onLine?.(line, stream);
    })().catch(() => undefined);
  }
  // The process's own exit, not its pipes closing: a descendant may hold those open.
  const exited = new Promise<number | undefined>((resolve) => child.once('exit', (code) => resolve(code ?? undefined)));
  void child.catch(() => undefined);
  return {
    pid,
    ...(options.pipes && child.stdin && child.stdout ? { stdin: child.stdin, stdout: child.stdout } : {}),
    exited,
    stop: async () => {
      killTree(pid, 'SIGTERM');
      const timer = setTimeout(() => killTree(pid, 'SIGKILL'), KILL_GRACE_MS);
      await exited;
      clearTimeout(timer);
      killTree(pid, 'SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
  };
}

/** How a process run by {@link runAttached} ended: its exit code, or the signal that ended it. */
export type AttachedExit = { readonly code: number; readonly signal?: undefined } | { readonly code?: undefined; readonly signal: NodeJS.Signals };

/**
 * Runs `argv` in the foreground, as a shell would: the same terminal (stdin, stdout and stderr
 * inherited), no shell, and this process waiting for it. Ctrl+C reaches the child from the
 * terminal itself (it shares the foreground process group), so SIGINT is left to it; SIGTERM and
 * SIGHUP sent to this process are passed on. `venv-pilot run` uses it to run a script as if
 * Python had been started directly.
 *
 * @throws {ProcessError} when the program cannot be started (missing, not executable).
 */
export function runAttached(argv: readonly string[], options: Pick<RunOptions, 'cwd' | 'env' | 'log'> = {}): Promise<AttachedExit> {
  const [file, ...args] = argv;
  if (!file) return Promise.reject(new UserError('No command to run'));
  const commandLine = formatCommandLine(argv);
  options.log?.(commandLine);
  // node:child_process directly, not execa: a script's start-up time is the user's, every millisecond of it.
  const { spawn } = process.getBuiltinModule('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: { ...process.env, ...options.env } as NodeJS.ProcessEnv, stdio: 'inherit', windowsHide: false });
    const passOn = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    const ignore = (): void => undefined;
    process.on('SIGINT', ignore);
    process.on('SIGTERM', passOn);
    process.on('SIGHUP', passOn);
    const done = (): void => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', passOn);
      process.off('SIGHUP', passOn);
    };
    child.once('error', (error) => {
      done();
      reject(new ProcessError(`Could not start \`${commandLine}\`: ${error.message}`, commandLine, undefined, '', '', false));
    });
    child.once('exit', (code, signal) => {
      done();
      resolve(signal ? { signal } : { code: code ?? 1 });
    });
  });
}
