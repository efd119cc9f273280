import path from 'node:path';
import { readPyvenvCfg, venvPlatformOf, venvScriptsDir } from '../../leaves/layout';
import { UserError } from '../../leaves/errors';

/** One change to a terminal's environment; the same shape VS Code's EnvironmentVariableCollection applies. */
export type EnvironmentMutation =
  | { readonly name: string; readonly op: 'prepend'; readonly value: string }
  | { readonly name: string; readonly op: 'replace'; readonly value: string }
  | { readonly name: string; readonly op: 'remove' };

/** What activating a venv does to an environment, as `bin/activate` does it. */
export interface ActivatedEnvironment {
  readonly venv: string;
  readonly binDir: string;
  /** The prompt name without parentheses: pyvenv.cfg's `prompt`, else the folder name. */
  readonly prompt: string;
  readonly mutations: readonly EnvironmentMutation[];
}

/**
 * The name an environment keeps its search path under. On Windows variable names are
 * case-insensitive and the system stores it as `Path`, so whatever case `env` has it in is kept
 * (a mutation named `PATH` beside an existing `Path` would make two variables in a Node child's
 * environment, and which one wins is up to the order); `Path` when it has none. On POSIX, `PATH`.
 */
export function pathVariableName(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'win32') return 'PATH';
  return Object.keys(env).find((name) => name.toUpperCase() === 'PATH') ?? 'Path';
}

/** The separator of PATH entries: `;` on Windows, `:` elsewhere (Node's `path.win32.delimiter`, `path.posix.delimiter`). */
export function pathDelimiter(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? path.win32.delimiter : path.posix.delimiter;
}

/** Options for {@link activatedEnvironment}. */
export interface ActivationOptions {
  /** The platform the terminal runs on; default this one. */
  readonly platform?: NodeJS.Platform;
  /** The environment the mutations apply to, for the case of PATH on Windows; default this process's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The activated environment for the venv at `venvDir`, as the venv's own activate scripts set
 * it: its scripts folder prepended to the search path (`bin` and `:` on POSIX, `Scripts` and `;`
 * under the name the environment already uses on Windows, usually `Path`), `VIRTUAL_ENV`,
 * `VIRTUAL_ENV_PROMPT` (as Python 3.12's activate sets it), and `PYTHONHOME` removed. The same
 * variables serve PowerShell, Command Prompt and Git Bash on Windows: Git Bash converts the
 * Windows search path into its own form when it starts.
 *
 * @throws {UserError} when `venvDir` has no pyvenv.cfg.
 */
export function activatedEnvironment(venvDir: string, options: ActivationOptions = {}): ActivatedEnvironment {
  const platform = options.platform ?? process.platform;
  const venv = path.resolve(venvDir);
  const cfg = readPyvenvCfg(venv);
  if (!cfg) throw new UserError(`${venv} is not a virtual environment (no pyvenv.cfg)`);
  const binDir = venvScriptsDir(venv, venvPlatformOf(platform));
  // The stdlib venv writes prompt with Python's repr(): quoted, with \\ and the quote escaped.
  const quoted = /^(['"])(.*)\1$/.exec(cfg.prompt ?? '');
  const prompt = (quoted ? (quoted[2] ?? '').replace(/\\(.)/g, '$1') : cfg.prompt) || path.basename(venv);
  return {
    venv,
    binDir,
    prompt,
    mutations: [
      { name: pathVariableName(options.env ?? process.env, platform), op: 'prepend', value: binDir + pathDelimiter(platform) },
      { name: 'VIRTUAL_ENV', op: 'replace', value: venv },
      { name: 'VIRTUAL_ENV_PROMPT', op: 'replace', value: prompt },
      { name: 'PYTHONHOME', op: 'remove' },
    ],
  };
}

/**
 * A bash `PROMPT_COMMAND` hook for terminals activated through environment variables alone (no
 * typed `source`): before each prompt it prefixes PS1 with `(PROMPT) ` once, unless
 * VIRTUAL_ENV_DISABLE_PROMPT is set, and defines `deactivate`, which takes the venv's bin off
 * PATH, restores the prompt and unsets VIRTUAL_ENV. It does nothing once deactivated.
 * PS1 gets a reference to VIRTUAL_ENV_PROMPT, not its value: bash expands PS1 at every prompt,
 * so a venv named `$(touch x)` written into PS1 would run at every prompt (as CPython 3.13's
 * own activate does); the value of a reference is shown, never run.
 * Bash only: zsh and fish do not read PROMPT_COMMAND.
 */
export function bashPromptHook(): string {
  const prefix = "'(${VIRTUAL_ENV_PROMPT}) '";
  return [
    'if [ -n "${VIRTUAL_ENV:-}" ]; then',
    // The venv's bin can be on PATH twice (at process creation, and again after the rc files): take every copy off.
    `type deactivate >/dev/null 2>&1 || deactivate() { local entry=":$VIRTUAL_ENV/bin:"; PATH=":$PATH:"; while case "$PATH" in *"$entry"*) true;; *) false;; esac; do PATH="\${PATH//"$entry"/:}"; done; PATH="\${PATH#:}"; PATH="\${PATH%:}"; PS1="\${PS1/${prefix}/}"; unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT; hash -r; unset -f deactivate; };`,
    // Shell integration wraps PS1 in its own escapes, so look for the prefix anywhere: never twice.
    `case "\${PS1:-}" in *${prefix}*) ;; *) [ -n "\${VIRTUAL_ENV_DISABLE_PROMPT:-}" ] || PS1=${prefix}"\${PS1:-}";; esac;`,
    'fi;',
  ].join(' ');
}
