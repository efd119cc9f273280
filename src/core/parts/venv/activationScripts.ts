/**
 * venv-pilot's own activation scripts. Each sets VIRTUAL_ENV and VIRTUAL_ENV_PROMPT, puts the
 * venv's scripts folder (`bin`, `Scripts` on Windows) first on PATH, unsets PYTHONHOME, prefixes
 * the prompt unless VIRTUAL_ENV_DISABLE_PROMPT is set, and defines `deactivate`, which restores
 * all of it, including a PS1 that was empty or unset before.
 *
 * The set follows what CPython's venv ships (`Lib/venv/scripts/common`, `posix` and `nt`): on
 * POSIX `activate`, `activate.fish`, `activate.csh` and `Activate.ps1`; on Windows `activate`
 * (Git Bash, MSYS2, Cygwin), `activate.bat`, `deactivate.bat` and `Activate.ps1`; and on both
 * `activate.nu` for nushell, as virtualenv ships it.
 */
import { scriptsDirName, venvPlatformOf, type VenvPlatform } from '../../leaves/layout';

/** A string as one POSIX shell word: single-quoted, with `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A string as one fish word: single-quoted, with `\` and `'` escaped. */
function fishQuote(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** A string as one PowerShell literal: single-quoted, with `'` doubled. */
function powershellQuote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * bash, zsh and other POSIX shells: `source bin/activate`. On Windows (Git Bash, MSYS2, Cygwin)
 * VIRTUAL_ENV is turned into the shell's own path form with `cygpath` first, as CPython's
 * `activate` does since 3.12, so `$VIRTUAL_ENV/Scripts` is a PATH entry the shell understands.
 */
function posix(venv: string, prompt: string, platform: VenvPlatform): string {
  const bin = scriptsDirName(platform);
  const msys =
    platform === 'win32'
      ? `
case "$(uname)" in
    CYGWIN*|MSYS*|MINGW*)
        # C:\\path\\to\\venv becomes /c/path/to/venv (MSYS) or /cygdrive/c/path/to/venv (Cygwin).
        VIRTUAL_ENV=$(cygpath "$VIRTUAL_ENV")
        ;;
esac
`
      : '';
  return `# Source this file from bash, zsh or another POSIX shell: . ${bin}/activate
# It cannot be run directly. Written by venv-pilot.

deactivate () {
    if [ "\${_OLD_VIRTUAL_PATH+set}" = set ]; then
        PATH="$_OLD_VIRTUAL_PATH"
        export PATH
        unset _OLD_VIRTUAL_PATH
    fi
    if [ "\${_OLD_VIRTUAL_PYTHONHOME+set}" = set ]; then
        PYTHONHOME="$_OLD_VIRTUAL_PYTHONHOME"
        export PYTHONHOME
        unset _OLD_VIRTUAL_PYTHONHOME
    fi
    if [ "\${_OLD_VIRTUAL_PS1+set}" = set ]; then
        PS1="$_OLD_VIRTUAL_PS1"
        if [ "\${_OLD_VIRTUAL_PS1_UNSET:-}" = 1 ]; then unset PS1; fi
        unset _OLD_VIRTUAL_PS1 _OLD_VIRTUAL_PS1_UNSET
    fi
    unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    hash -r 2>/dev/null
    if [ "\${1:-}" != nondestructive ]; then
        unset -f deactivate
    fi
}

deactivate nondestructive

VIRTUAL_ENV=${shellQuote(venv)}
VIRTUAL_ENV_PROMPT=${shellQuote(prompt)}${msys}
export VIRTUAL_ENV VIRTUAL_ENV_PROMPT

_OLD_VIRTUAL_PATH="$PATH"
PATH="$VIRTUAL_ENV/${bin}:$PATH"
export PATH

if [ "\${PYTHONHOME+set}" = set ]; then
    _OLD_VIRTUAL_PYTHONHOME="$PYTHONHOME"
    unset PYTHONHOME
fi

if [ -z "\${VIRTUAL_ENV_DISABLE_PROMPT:-}" ]; then
    if [ "\${PS1+set}" != set ]; then _OLD_VIRTUAL_PS1_UNSET=1; fi
    _OLD_VIRTUAL_PS1="\${PS1:-}"
    if [ -n "\${ZSH_VERSION:-}" ] && ! eval '[[ -o promptsubst ]]'; then
        # zsh without PROMPT_SUBST shows PS1 as written: the value, with its % (prompt escapes) doubled.
        eval 'PS1="(\${VIRTUAL_ENV_PROMPT//\\%/%%}) \${PS1:-}"'
    else
        # A reference, expanded at each prompt: a name such as $(cmd) is shown, never run.
        PS1='(\${VIRTUAL_ENV_PROMPT}) '"\${PS1:-}"
    fi
fi

hash -r 2>/dev/null
`;
}

/** fish: `source bin/activate.fish`. */
function fish(venv: string, prompt: string): string {
  return `# Source this file from fish: source bin/activate.fish
# Written by venv-pilot.

function deactivate -d 'Leave the virtual environment'
    if set -q _OLD_VIRTUAL_PATH
        set -gx PATH $_OLD_VIRTUAL_PATH
        set -e _OLD_VIRTUAL_PATH
    end
    if set -q _OLD_VIRTUAL_PYTHONHOME
        set -gx PYTHONHOME $_OLD_VIRTUAL_PYTHONHOME
        set -e _OLD_VIRTUAL_PYTHONHOME
    end
    if set -q _OLD_FISH_PROMPT_OVERRIDE
        set -e _OLD_FISH_PROMPT_OVERRIDE
        if functions -q _old_fish_prompt
            functions -e fish_prompt
            functions -c _old_fish_prompt fish_prompt
            functions -e _old_fish_prompt
        end
    end
    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
    if test "$argv[1]" != nondestructive
        functions -e deactivate
    end
end

deactivate nondestructive

set -gx VIRTUAL_ENV ${fishQuote(venv)}
set -gx VIRTUAL_ENV_PROMPT ${fishQuote(prompt)}
set -gx _OLD_VIRTUAL_PATH $PATH
set -gx PATH "$VIRTUAL_ENV/bin" $PATH

if set -q PYTHONHOME
    set -gx _OLD_VIRTUAL_PYTHONHOME $PYTHONHOME
    set -e PYTHONHOME
end

if test -z "$VIRTUAL_ENV_DISABLE_PROMPT"
    functions -c fish_prompt _old_fish_prompt
    function fish_prompt
        set -l old_status $status
        printf '(%s) ' $VIRTUAL_ENV_PROMPT
        echo "exit $old_status" | .
        _old_fish_prompt
    end
    set -gx _OLD_FISH_PROMPT_OVERRIDE "$VIRTUAL_ENV"
end
`;
}

/** csh and tcsh: `source bin/activate.csh`. */
function csh(venv: string, prompt: string): string {
  const quote = (v: string): string => `"${v.replace(/(["$`!\\])/g, '\\$1')}"`;
  return `# Source this file from csh or tcsh: source bin/activate.csh
# Written by venv-pilot.

alias deactivate 'test $?_OLD_VIRTUAL_PATH != 0 && setenv PATH "$_OLD_VIRTUAL_PATH" && unset _OLD_VIRTUAL_PATH; rehash; test $?_OLD_VIRTUAL_PROMPT != 0 && set prompt="$_OLD_VIRTUAL_PROMPT" && unset _OLD_VIRTUAL_PROMPT; unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; test "\\!:*" != "nondestructive" && unalias deactivate'

deactivate nondestructive

setenv VIRTUAL_ENV ${quote(venv)}
setenv VIRTUAL_ENV_PROMPT ${quote(prompt)}
set _OLD_VIRTUAL_PATH="$PATH"
setenv PATH "$VIRTUAL_ENV/bin:$PATH"

if (! $?VIRTUAL_ENV_DISABLE_PROMPT) then
    if ($?prompt) then
        set _OLD_VIRTUAL_PROMPT="$prompt"
        set prompt = "($VIRTUAL_ENV_PROMPT) $prompt"
    endif
endif

rehash
`;
}

/**
 * PowerShell: `. bin/Activate.ps1` (`. .venv\Scripts\Activate.ps1` on Windows). `$env:PATH`
 * is the same variable whatever case Windows stores it in (`Path`): PowerShell's `Env:` drive is
 * case-insensitive there. An execution policy that forbids scripts (`Restricted`, Windows
 * clients' default) stops this file as it stops CPython's signed one; terminals activated through
 * environment variables (see `activation/environment.ts`) never run it.
 */
function powershell(venv: string, prompt: string, platform: VenvPlatform): string {
  const bin = scriptsDirName(platform);
  return `# Dot-source this file from PowerShell: . ${bin}/Activate.ps1
# Written by venv-pilot.

function global:deactivate([switch] $NonDestructive) {
    if (Test-Path -Path Variable:_OLD_VIRTUAL_PATH) {
        $env:PATH = $global:_OLD_VIRTUAL_PATH
        Remove-Variable -Name _OLD_VIRTUAL_PATH -Scope Global
    }
    if (Test-Path -Path Variable:_OLD_VIRTUAL_PYTHONHOME) {
        $env:PYTHONHOME = $global:_OLD_VIRTUAL_PYTHONHOME
        Remove-Variable -Name _OLD_VIRTUAL_PYTHONHOME -Scope Global
    }
    if (Test-Path -Path Function:_old_virtual_prompt) {
        $function:prompt = $function:_old_virtual_prompt
        Remove-Item -Path Function:_old_virtual_prompt
    }
    Remove-Item -Path Env:VIRTUAL_ENV -ErrorAction SilentlyContinue
    Remove-Item -Path Env:VIRTUAL_ENV_PROMPT -ErrorAction SilentlyContinue
    if (-not $NonDestructive) {
        Remove-Item -Path Function:deactivate
    }
}

deactivate -NonDestructive

$env:VIRTUAL_ENV = ${powershellQuote(venv)}
$env:VIRTUAL_ENV_PROMPT = ${powershellQuote(prompt)}
$global:_OLD_VIRTUAL_PATH = $env:PATH
$env:PATH = (Join-Path $env:VIRTUAL_ENV '${bin}') + [System.IO.Path]::PathSeparator + $env:PATH

if (Test-Path -Path Env:PYTHONHOME) {
    $global:_OLD_VIRTUAL_PYTHONHOME = $env:PYTHONHOME
    Remove-Item -Path Env:PYTHONHOME
}

if (-not $env:VIRTUAL_ENV_DISABLE_PROMPT) {
    New-Item -Path Function:_old_virtual_prompt -Value $function:prompt -Force | Out-Null
    function global:prompt {
        Write-Host -NoNewline "($env:VIRTUAL_ENV_PROMPT) "
        _old_virtual_prompt
    }
}
`;
}

/**
 * A value as Command Prompt's `set NAME=VALUE` takes it literally, outside quotes: `%` doubled
 * (a batch file expands `%NAME%` first) and `^`, `&`, `|`, `<`, `>`, `(`, `)` and `"` escaped with
 * `^`, so a venv named `a"&calc&"` stays a name (inside `set "NAME=..."` an embedded quote
 * would end the quoting and run what follows).
 */
export function cmdLiteral(value: string): string {
  return value.replace(/%/g, '%%').replace(/[\^&|<>()"]/g, '^$&');
}

/**
 * The prompt prefix as PROMPT shows it, for `set "PROMPT=..."`: `$` doubled (PROMPT's own codes,
 * `$P$G`, start with it), `%` doubled, and `"` shown as `'` (inside the quoted form a quote
 * would end the quoting).
 */
function cmdPromptText(value: string): string {
  return value.replace(/\$/g, '$$$$').replace(/%/g, '%%').replace(/"/g, "'");
}

/**
 * Command Prompt: `.venv\Scripts\activate.bat`, modelled on CPython's `nt/activate.bat`:
 * UTF-8 code page while it runs (the file is UTF-8), the previous activation undone first, the
 * old PATH, PROMPT and PYTHONHOME kept for `deactivate.bat`. Lines that expand a variable at run
 * time use the quoted `set "NAME=..."` form, so a PATH holding `&` is not split into commands.
 */
function cmd(venv: string, prompt: string): string {
  return `@echo off
rem Run this file from Command Prompt: .venv\\Scripts\\activate.bat  (deactivate.bat undoes it)
rem Written by venv-pilot. The file is UTF-8, so the code page is UTF-8 while it runs.

for /f "tokens=2 delims=:." %%a in ('"%SystemRoot%\\System32\\chcp.com"') do (
    set _OLD_CODEPAGE=%%a
)
if defined _OLD_CODEPAGE (
    "%SystemRoot%\\System32\\chcp.com" 65001 > nul
)

if defined _OLD_VIRTUAL_PROMPT set "PROMPT=%_OLD_VIRTUAL_PROMPT%"
if defined _OLD_VIRTUAL_PYTHONHOME set "PYTHONHOME=%_OLD_VIRTUAL_PYTHONHOME%"
if defined _OLD_VIRTUAL_PATH set "PATH=%_OLD_VIRTUAL_PATH%"

set VIRTUAL_ENV=${cmdLiteral(venv)}
set VIRTUAL_ENV_PROMPT=${cmdLiteral(prompt)}

if not defined PROMPT set PROMPT=$P$G
set "_OLD_VIRTUAL_PROMPT=%PROMPT%"
if not defined VIRTUAL_ENV_DISABLE_PROMPT set "PROMPT=(${cmdPromptText(prompt)}) %PROMPT%"

if defined PYTHONHOME set "_OLD_VIRTUAL_PYTHONHOME=%PYTHONHOME%"
set PYTHONHOME=

set "_OLD_VIRTUAL_PATH=%PATH%"
set "PATH=%VIRTUAL_ENV%\\Scripts;%PATH%"

if defined _OLD_CODEPAGE (
    "%SystemRoot%\\System32\\chcp.com" %_OLD_CODEPAGE% > nul
    set _OLD_CODEPAGE=
)
`;
}

/** Command Prompt: `deactivate.bat`, undoing {@link cmd} (CPython's `nt/deactivate.bat`, with the variable names activate.bat sets). */
function cmdDeactivate(): string {
  return `@echo off
rem Run this file from Command Prompt to leave the venv activate.bat entered. Written by venv-pilot.

if defined _OLD_VIRTUAL_PROMPT set "PROMPT=%_OLD_VIRTUAL_PROMPT%"
set _OLD_VIRTUAL_PROMPT=

if defined _OLD_VIRTUAL_PYTHONHOME set "PYTHONHOME=%_OLD_VIRTUAL_PYTHONHOME%"
set _OLD_VIRTUAL_PYTHONHOME=

if defined _OLD_VIRTUAL_PATH set "PATH=%_OLD_VIRTUAL_PATH%"
set _OLD_VIRTUAL_PATH=

set VIRTUAL_ENV=
set VIRTUAL_ENV_PROMPT=
`;
}

/** A nushell raw string (`r#'...'#`), with as many `#` as it takes for the text not to end it. */
export function nuRawString(value: string): string {
  let hashes = '#';
  while (value.includes(`'${hashes}`)) hashes += '#';
  return `r${hashes}'${value}'${hashes}`;
}

/**
 * nushell: `overlay use .venv/bin/activate.nu`, then `deactivate` (an alias of `overlay hide
 * activate`, which restores every variable the overlay changed). Modelled on virtualenv's
 * `activate.nu`: the PATH variable is `Path` when the environment has it under that name (Windows),
 * else `PATH`; the prompt is prefixed through PROMPT_COMMAND unless VIRTUAL_ENV_DISABLE_PROMPT is set.
 */
function nushell(venv: string, prompt: string, platform: VenvPlatform): string {
  return `# Activate with: overlay use ${scriptsDirName(platform)}/activate.nu   Leave with: deactivate
# Written by venv-pilot.

export-env {
    let virtual_env = ${nuRawString(venv)}
    let venv_prompt = ${nuRawString(prompt)}
    let path_name = if ('Path' in $env) { 'Path' } else { 'PATH' }
    let venv_bin = ([$virtual_env ${nuRawString(scriptsDirName(platform))}] | path join)
    let new_path = ($env | get $path_name | prepend $venv_bin)
    let base = { $path_name: $new_path, VIRTUAL_ENV: $virtual_env, VIRTUAL_ENV_PROMPT: $venv_prompt }
    let disabled = ('VIRTUAL_ENV_DISABLE_PROMPT' in $env) and (not ($env.VIRTUAL_ENV_DISABLE_PROMPT | is-empty))
    let new_env = if $disabled {
        $base
    } else {
        let prefix = $'(char lparen)($venv_prompt)(char rparen) '
        let old = if ('PROMPT_COMMAND' in $env) { $env.PROMPT_COMMAND } else { '' }
        let command = if ('closure' in ($old | describe)) { {|| $'($prefix)(do $old)' } } else { {|| $'($prefix)($old)' } }
        $base | merge { PROMPT_COMMAND: $command }
    }
    load-env $new_env
    hide-env -i PYTHONHOME
}

export alias deactivate = overlay hide activate
`;
}

/**
 * The activation scripts for a venv at `venv` (absolute) with prompt name `prompt`, for the
 * venv's platform: file name -> content (see the module comment for the set).
 */
export function activationScripts(venv: string, prompt: string, platform: VenvPlatform = venvPlatformOf()): Record<string, string> {
  if (platform === 'win32') {
    return {
      activate: posix(venv, prompt, platform),
      'activate.bat': cmd(venv, prompt),
      'deactivate.bat': cmdDeactivate(),
      'Activate.ps1': powershell(venv, prompt, platform),
      'activate.nu': nushell(venv, prompt, platform),
    };
  }
  return {
    activate: posix(venv, prompt, platform),
    'activate.fish': fish(venv, prompt),
    'activate.csh': csh(venv, prompt),
    'Activate.ps1': powershell(venv, prompt, platform),
    'activate.nu': nushell(venv, prompt, platform),
  };
}
