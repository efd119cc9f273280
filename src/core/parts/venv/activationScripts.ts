/**
 * venv-pilot's own activation scripts. Each sets VIRTUAL_ENV and VIRTUAL_ENV_PROMPT, puts the
 * venv's bin first on PATH, unsets PYTHONHOME, prefixes the prompt unless
 * VIRTUAL_ENV_DISABLE_PROMPT is set, and defines `deactivate`, which restores all of it,
 * including a PS1 that was empty or unset before.
 */

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

/** bash, zsh and other POSIX shells: `source bin/activate`. */
function posix(venv: string, prompt: string): string {
  return `# Source this file from bash, zsh or another POSIX shell: . bin/activate
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
VIRTUAL_ENV_PROMPT=${shellQuote(prompt)}
export VIRTUAL_ENV VIRTUAL_ENV_PROMPT

_OLD_VIRTUAL_PATH="$PATH"
PATH="$VIRTUAL_ENV/bin:$PATH"
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

/** PowerShell: `. bin/Activate.ps1`. */
function powershell(venv: string, prompt: string): string {
  return `# Dot-source this file from PowerShell: . bin/Activate.ps1
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
$env:PATH = (Join-Path $env:VIRTUAL_ENV 'bin') + [System.IO.Path]::PathSeparator + $env:PATH

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

/** The activation scripts for a venv at `venv` (absolute) with prompt name `prompt`: file name -> content. */
export function activationScripts(venv: string, prompt: string): Record<string, string> {
  return {
    activate: posix(venv, prompt),
    'activate.fish': fish(venv, prompt),
    'activate.csh': csh(venv, prompt),
    'Activate.ps1': powershell(venv, prompt),
  };
}
