import { run, type CommandLogger } from '../process/run';

/** Options shared by the pip invocations. */
export interface PipOptions {
  readonly signal?: AbortSignal;
  readonly log?: CommandLogger;
  /** Each line pip prints (stdout and stderr), e.g. "Collecting pilotfish==1.0". */
  readonly onLine?: (line: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * `python -m pip install ARGS` in the given venv interpreter, with pip's version check off and
 * PYTHONHOME removed. Relative `-f` paths in a requirements file resolve against that file (pip's docs).
 *
 * @throws {ProcessError} with pip's last `ERROR:` line, e.g. "No matching distribution found for x".
 * @throws {CancelledError} when `signal` aborts; the pip process tree is killed.
 */
export async function pipInstall(python: string, args: readonly string[], options: PipOptions = {}): Promise<void> {
  await run([python, '-m', 'pip', 'install', '--disable-pip-version-check', ...args], {
    signal: options.signal,
    log: options.log,
    onLine: options.onLine && ((line) => options.onLine?.(line)),
    env: { PYTHONHOME: undefined, PIP_NO_INPUT: '1', PYTHONIOENCODING: 'utf-8', ...options.env },
    what: `pip install ${args.join(' ')}`,
  });
}

/** pip arguments installing every requirements file: `-r A -r B`. */
export function requirementArgs(files: readonly string[]): string[] {
  return files.flatMap((file) => ['-r', file]);
}
