import path from 'node:path';
import { readPyvenvCfg, venvScriptsDir } from '../../leaves/layout';
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
 * The activated environment for the venv at `venvDir`: `bin/` prepended to PATH, `VIRTUAL_ENV`,
 * `VIRTUAL_ENV_PROMPT` (as Python 3.12's activate sets it), and `PYTHONHOME` removed.
 *
 * @throws {UserError} when `venvDir` has no pyvenv.cfg.
 */
export function activatedEnvironment(venvDir: string): ActivatedEnvironment {
  const venv = path.resolve(venvDir);
  const cfg = readPyvenvCfg(venv);
  if (!cfg) throw new UserError(`${venv} is not a virtual environment (no pyvenv.cfg)`);
  const binDir = venvScriptsDir(venv);
  // The stdlib venv writes prompt with Python's repr(): quoted, with \\ and the quote escaped.
  const quoted = /^(['"])(.*)\1$/.exec(cfg.prompt ?? '');
  const prompt = (quoted ? (quoted[2] ?? '').replace(/\\(.)/g, '$1') : cfg.prompt) || path.basename(venv);
  return {
    venv,
    binDir,
    prompt,
    mutations: [
      { name: 'PATH', op: 'prepend', value: binDir + path.delimiter },
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
