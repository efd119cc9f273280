import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from './errors';

/** This module's folder: `__dirname` in the CommonJS bundles, `import.meta.url` when run as ES modules (tests). */
function moduleDir(): string {
  return typeof __dirname === 'string' ? __dirname : path.dirname(fileURLToPath(import.meta.url));
}

/**
 * Absolute path of a script from the repository's `python/` folder. The folder sits beside
 * `dist/` in the bundle and beside `src/` in the source tree, so search upwards from here.
 *
 * @throws {UserError} when the installation is incomplete and the script is missing.
 */
export function pythonScriptPath(name: string, from: string = moduleDir()): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'python', name);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new UserError(`venv-pilot is incomplete: python/${name} was not found above ${from}`);
  }
}

/**
 * What `python -m MODULE` runs first: the current folder leaves `sys.path` before the module is
 * looked up. `-m` puts the working folder first on `sys.path`, so a `pip/` package or a
 * `compileall.py` there would run instead of the real one; `-I` does the same job but is
 * missing before Python 3.4 and also ignores PYTHONIOENCODING. Works on Python 2.7 and 3.x.
 */
const RUN_MODULE = [
  'import runpy, sys',
  "if sys.path and sys.path[0] in ('', '.'): del sys.path[0]",
  'del sys.argv[0]',
  "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)",
].join('\n');

/**
 * The argv for `python -m MODULE ARGS...` run isolated from the working folder (see
 * {@link RUN_MODULE}); pair it with {@link isolatedEnv}. The working folder still applies to
 * relative paths in ARGS (pip's `-e .` means the folder pip runs in). `flags` go before `-c` (`-E -s`
 * for a base interpreter, whose answer must not depend on PYTHON* variables). `display` is the
 * command as a user would type it, for logs and messages (see `RunOptions.display`).
 */
export function isolatedModule(python: string, module: string, args: readonly string[] = [], flags: readonly string[] = []): { argv: string[]; display: string[] } {
  return { argv: [python, ...flags, '-c', RUN_MODULE, module, ...args], display: [python, ...flags, '-m', module, ...args] };
}

/**
 * Environment overrides for every Python helper venv-pilot runs: PYTHONHOME and PYTHONPATH
 * removed (`undefined` means "unset"), so nothing from the user's shell decides which modules load.
 */
export function isolatedEnv(): Record<string, undefined> {
  return { PYTHONHOME: undefined, PYTHONPATH: undefined };
}

/**
 * What an editor terminal runs for `python SCRIPT ARGS`: the script exactly as `python SCRIPT`
 * runs it (as `__main__`, its folder first on `sys.path`, `sys.argv` = SCRIPT ARGS; a traceback
 * shows the script's frames only), then, because VS Code closes a terminal the moment its
 * process exits, a line with the exit code and a wait for Enter, so the output stays readable.
 * The process still exits with the script's code. Works on Python 2.7 and 3.x.
 */
const RUN_SCRIPT_AND_WAIT = [
  'import os, runpy, sys, traceback',
  'script = sys.argv[1]',
  'sys.argv = sys.argv[1:]',
  'sys.path[0] = os.path.dirname(os.path.abspath(script))',
  'code = 0',
  'try:',
  "    runpy.run_path(script, run_name='__main__')",
  'except SystemExit as e:',
  '    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)',
  '    if e.code is not None and not isinstance(e.code, int): sys.stderr.write("%s\\n" % (e.code,))',
  'except BaseException:',
  '    kind, value, tb = sys.exc_info()',
  // The runner's own frames (this -c program, runpy) are not the user's: start at the script's.
  '    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) != os.path.abspath(script): tb = tb.tb_next',
  '    traceback.print_exception(kind, value, tb)',
  '    code = 1',
  'sys.stdout.flush()',
  'sys.stderr.flush()',
  'try:',
  "    sys.stdout.write('\\n[%s exited with code %d. Press Enter to close this terminal.]' % (os.path.basename(script), code))",
  '    sys.stdout.flush()',
  '    sys.stdin.readline()',
  'except BaseException:',
  '    pass',
  'os._exit(code)',
].join('\n');

/** The argv that runs `script ARGS` with `python` in an editor terminal that stays open afterwards (see {@link RUN_SCRIPT_AND_WAIT}). */
export function scriptInTerminalArgv(python: string, script: string, args: readonly string[] = []): string[] {
  return [python, '-c', RUN_SCRIPT_AND_WAIT, script, ...args];
}
