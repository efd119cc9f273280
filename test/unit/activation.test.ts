import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { activatedEnvironment, bashPromptHook, pathDelimiter, pathVariableName } from '../../src/core/parts/activation/environment';
import { applyMutations } from '../fixtures/mutations';
import { activationScripts, cmdLiteral, nuRawString } from '../../src/core/parts/venv/activationScripts';
import { completeVenvModuleVenv, writeActivationScripts } from '../../src/core/parts/venv/builtin';
import { venvLayoutFor } from '../../src/core/leaves/layout';
import { run } from '../../src/core/leaves/process';
import { pyenvPython, tempDir } from '../fixtures/machine';

describe('activated environment', () => {
  it('prepends bin to PATH, sets VIRTUAL_ENV and VIRTUAL_ENV_PROMPT, and removes PYTHONHOME', () => {
    const venv = path.join(tempDir(), 'my project', '.venv');
    mkdirSync(venv, { recursive: true });
    writeFileSync(path.join(venv, 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.12.1\n');
    const activated = activatedEnvironment(venv);
    assert.equal(activated.prompt, '.venv');
    const env = applyMutations({ PATH: '/usr/bin:/bin', PYTHONHOME: '/opt/py', HOME: '/root' }, activated.mutations);
    assert.deepEqual(env, { PATH: `${venv}/bin:/usr/bin:/bin`, VIRTUAL_ENV: venv, VIRTUAL_ENV_PROMPT: '.venv', HOME: '/root' });
  });

  it("uses pyvenv.cfg's prompt when the venv was created with --prompt", async (t) => {
    const exe = pyenvPython('3.12');
    if (!exe) return t.skip('Python 3.12 is not installed here');
    const venv = path.join(tempDir(), '.venv');
    await run([exe, '-m', 'venv', '--without-pip', '--prompt', 'demo app', venv]);
    assert.equal(activatedEnvironment(venv).prompt, 'demo app');
  });

  it('a process started with the activated environment runs the venv interpreter by name', async (t) => {
    const exe = pyenvPython('3.12') ?? '/usr/bin/python3';
    const venv = path.join(tempDir(), '.venv');
    await run([exe, '-m', 'venv', '--without-pip', venv]).catch(() => undefined);
    if (!existsSync(path.join(venv, 'bin', 'python'))) return t.skip('no interpreter able to create a venv');
    const env = applyMutations(process.env, activatedEnvironment(venv).mutations);
    const { stdout } = await run(['python', '-c', 'import os, sys; print(sys.prefix, os.environ["VIRTUAL_ENV"])'], { env });
    assert.equal(stdout, `${venv} ${venv}`);
  });

  it('refuses a folder that is not a venv', () => {
    assert.throws(() => activatedEnvironment(tempDir()), /is not a virtual environment \(no pyvenv\.cfg\)/);
  });
});

/** Runs an interactive shell reading `input`; resolves to everything it printed (prompts go to stderr). */
async function interactive(argv: string[], input: string, env: Record<string, string> & { HOME: string }): Promise<string> {
  const { spawnSync } = await import('node:child_process');
  const [file = 'bash', ...args] = argv;
  const result = spawnSync(file, args, { input, env, cwd: env.HOME, encoding: 'utf8', timeout: 20_000 });
  return `${result.stdout}${result.stderr}`;
}

const hasShell = (name: string): boolean => ['/usr/bin', '/bin'].some((dir) => existsSync(path.join(dir, name)));

describe('a venv name that looks like a command reaches the shell as text', () => {
  const hostile = '$(touch pwned)`touch pwned2`';

  it('the bash PROMPT_COMMAND hook shows the name in the prompt and runs nothing, and deactivate takes the prefix off', async () => {
    const dir = tempDir();
    const venv = path.join(dir, hostile);
    const out = await interactive(['bash', '--norc', '--noprofile', '-i'], 'echo "ps1=[${PS1@P}]"\ndeactivate\necho "after=[$PS1] [${VIRTUAL_ENV:-unset}]"\nexit\n', {
      PATH: `${venv}/bin:/usr/bin:/bin`,
      HOME: dir,
      VIRTUAL_ENV: venv,
      VIRTUAL_ENV_PROMPT: hostile,
      PROMPT_COMMAND: bashPromptHook(),
      PS1: 'P> ',
    });
    assert.equal(existsSync(path.join(dir, 'pwned')) || existsSync(path.join(dir, 'pwned2')), false, out);
    assert.ok(out.includes(`(${hostile}) P> `), out);
    assert.ok(out.includes('after=[P> ] [unset]'), out);
  });

  for (const shell of ['bash', 'zsh', 'dash'] as const) {
    it(`${shell}: sourcing bin/activate shows the name and runs nothing`, { skip: !hasShell(shell) && `${shell} is not installed here` }, async () => {
      const dir = tempDir();
      const venv = path.join(dir, hostile);
      mkdirSync(path.join(venv, 'bin'), { recursive: true });
      writeFileSync(path.join(venv, 'bin', 'activate'), activationScripts(venv, hostile).activate ?? '');
      const args = shell === 'bash' ? ['--norc', '--noprofile', '-i'] : shell === 'zsh' ? ['-f', '-i'] : ['-i'];
      const out = await interactive([shell, ...args], `. '${venv.replace(/'/g, `'\\''`)}/bin/activate'\necho "venv=[$VIRTUAL_ENV]"\nexit\n`, { PATH: '/usr/bin:/bin', HOME: dir, PS1: 'P> ' });
      assert.equal(existsSync(path.join(dir, 'pwned')) || existsSync(path.join(dir, 'pwned2')), false, out);
      assert.ok(out.includes(`venv=[${venv}]`), out);
      assert.ok(out.includes(`(${hostile}) P> `), out);
    });
  }
});

/** A Windows venv's pyvenv.cfg, as CPython 3.12 writes it there. */
const WINDOWS_CFG = 'home = C:\\Python312\r\ninclude-system-site-packages = false\r\nversion = 3.12.1\r\nprompt = \'demo\'\r\n';

describe('terminals on Windows (simulations: the variables and scripts a Windows terminal gets, computed and checked on Linux)', () => {
  it('simulation: Scripts goes first on Path, under the name the environment already uses, with ;', () => {
    const venv = path.join(tempDir(), 'proj', '.venv');
    mkdirSync(venv, { recursive: true });
    writeFileSync(path.join(venv, 'pyvenv.cfg'), WINDOWS_CFG);
    const windowsEnv = { Path: 'C:\\Windows\\system32;C:\\Windows', PYTHONHOME: 'C:\\Python312', USERPROFILE: 'C:\\Users\\ana' };
    const activated = activatedEnvironment(venv, { platform: 'win32', env: windowsEnv });
    assert.equal(activated.binDir, path.join(venv, 'Scripts'));
    assert.equal(activated.prompt, 'demo');
    const env = applyMutations(windowsEnv, activated.mutations);
    assert.deepEqual(env, { Path: `${path.join(venv, 'Scripts')};C:\\Windows\\system32;C:\\Windows`, USERPROFILE: 'C:\\Users\\ana', VIRTUAL_ENV: venv, VIRTUAL_ENV_PROMPT: 'demo' });
    // Whatever case the environment has it in; `Path` (Windows' own spelling) when it has none.
    assert.equal(pathVariableName({ PATH: 'x' }, 'win32'), 'PATH');
    assert.equal(pathVariableName({ path: 'x' }, 'win32'), 'path');
    assert.equal(pathVariableName({}, 'win32'), 'Path');
    assert.equal(pathVariableName({ Path: 'x' }, 'linux'), 'PATH');
    assert.equal(pathDelimiter('win32'), ';');
    assert.equal(pathDelimiter('darwin'), ':');
  });

  it('simulation: the creator writes activate (Git Bash), activate.bat, deactivate.bat, Activate.ps1 and activate.nu into Scripts', () => {
    const dir = path.join(tempDir(), '.venv');
    const layout = venvLayoutFor({ versionInfo: [3, 12, 1], platform: 'win32', bits: 64, machine: 'AMD64' }, dir);
    mkdirSync(layout.bin, { recursive: true });
    // CPython's own scripts, as python -m venv left them: ours replace them on Windows.
    writeFileSync(path.join(layout.bin, 'activate.bat'), 'rem CPython\r\n');
    completeVenvModuleVenv(layout, undefined);
    assert.deepEqual(readdirSync(layout.bin).sort(), ['Activate.ps1', 'activate', 'activate.bat', 'activate.nu', 'deactivate.bat']);
    assert.doesNotMatch(readFileSync(path.join(layout.bin, 'activate.bat'), 'utf8'), /CPython/);
    // On POSIX, after python -m venv, CPython's scripts stay and only activate.nu is added.
    const posix = venvLayoutFor({ versionInfo: [3, 12, 1], platform: 'linux' }, path.join(tempDir(), '.venv'));
    mkdirSync(posix.bin, { recursive: true });
    writeFileSync(path.join(posix.bin, 'activate'), '# CPython\n');
    completeVenvModuleVenv(posix, 'p');
    assert.equal(readFileSync(path.join(posix.bin, 'activate'), 'utf8'), '# CPython\n');
    assert.ok(existsSync(path.join(posix.bin, 'activate.nu')));
    writeActivationScripts(posix, 'p', 'all');
    assert.notEqual(readFileSync(path.join(posix.bin, 'activate'), 'utf8'), '# CPython\n');
  });

  it('simulation: activate.bat and deactivate.bat set and restore PATH, PROMPT, PYTHONHOME and VIRTUAL_ENV*, with cmd metacharacters escaped', () => {
    const scripts = activationScripts('C:\\Users\\Ana Lyst\\50% off & more\\.venv', 'a"&calc&"%PATH%$P', 'win32');
    const bat = scripts['activate.bat'] ?? '';
    assert.match(bat, /^@echo off\n/);
    assert.ok(bat.includes('set VIRTUAL_ENV=C:\\Users\\Ana Lyst\\50%% off ^& more\\.venv\n'), bat);
    assert.ok(bat.includes('set VIRTUAL_ENV_PROMPT=a^"^&calc^&^"%%PATH%%$P\n'), bat);
    assert.ok(bat.includes(`set "PROMPT=(a'&calc&'%%PATH%%$$P) %PROMPT%"`), bat);
    assert.ok(bat.includes('set "_OLD_VIRTUAL_PATH=%PATH%"\nset "PATH=%VIRTUAL_ENV%\\Scripts;%PATH%"\n'), bat);
    assert.ok(bat.includes('chcp.com" 65001'), 'UTF-8 code page while it runs, as CPython\'s');
    const deactivate = scripts['deactivate.bat'] ?? '';
    for (const line of ['set "PATH=%_OLD_VIRTUAL_PATH%"', 'set "PROMPT=%_OLD_VIRTUAL_PROMPT%"', 'set "PYTHONHOME=%_OLD_VIRTUAL_PYTHONHOME%"', 'set VIRTUAL_ENV=\n', 'set VIRTUAL_ENV_PROMPT=\n']) assert.ok(deactivate.includes(line), line);
    assert.equal(cmdLiteral('^<>|()'), '^^^<^>^|^(^)');
  });

  it('simulation: Activate.ps1 and activate.nu put Scripts first; activate converts the path for Git Bash', () => {
    const scripts = activationScripts("C:\\proj\\it's\\.venv", 'demo', 'win32');
    assert.ok(scripts['Activate.ps1']?.includes("$env:VIRTUAL_ENV = 'C:\\proj\\it''s\\.venv'"), scripts['Activate.ps1']);
    assert.ok(scripts['Activate.ps1']?.includes("(Join-Path $env:VIRTUAL_ENV 'Scripts')"));
    assert.ok(scripts['activate.nu']?.includes("let virtual_env = r#'C:\\proj\\it's\\.venv'#"), scripts['activate.nu']);
    assert.ok(scripts['activate.nu']?.includes("r#'Scripts'#"));
    assert.ok(scripts['activate.nu']?.includes("if ('Path' in $env) { 'Path' } else { 'PATH' }"));
    assert.ok(scripts.activate?.includes('VIRTUAL_ENV=$(cygpath "$VIRTUAL_ENV")'));
    assert.ok(scripts.activate?.includes('PATH="$VIRTUAL_ENV/Scripts:$PATH"'));
    assert.equal(nuRawString("a'#b"), "r##'a'#b'##");
    // POSIX: bin, and activate.nu beside the others.
    const posix = activationScripts('/p/.venv', 'demo', 'posix');
    assert.deepEqual(Object.keys(posix).sort(), ['Activate.ps1', 'activate', 'activate.csh', 'activate.fish', 'activate.nu']);
    assert.ok(posix['activate.nu']?.includes("r#'bin'#"));
  });

  it('simulation (Git Bash): sourcing Scripts/activate under MSYS turns C:\\... into /c/... and puts Scripts first', async () => {
    const dir = tempDir();
    const fakes = path.join(dir, 'msys-bin');
    mkdirSync(fakes);
    // What Git Bash's uname and cygpath answer there.
    writeFileSync(path.join(fakes, 'uname'), '#!/bin/sh\necho MINGW64_NT-10.0-19045\n');
    writeFileSync(path.join(fakes, 'cygpath'), '#!/bin/sh\nprintf "%s\\n" "$1" | sed -e "s|^\\([A-Za-z]\\):|/\\L\\1|" -e "s|\\\\\\\\|/|g"\n');
    chmodSync(path.join(fakes, 'uname'), 0o755);
    chmodSync(path.join(fakes, 'cygpath'), 0o755);
    const activate = path.join(dir, 'activate');
    writeFileSync(activate, activationScripts('C:\\Users\\ana\\proj\\.venv', 'proj', 'win32').activate ?? '');
    const { stdout } = await run(['bash', '--norc', '--noprofile', '-c', `. '${activate}'; echo "$VIRTUAL_ENV"; echo "$PATH"; deactivate; echo "\${VIRTUAL_ENV:-unset} $PATH"`], { env: { PATH: `${fakes}:/usr/bin:/bin` } });
    assert.deepEqual(stdout.split('\n'), ['/c/Users/ana/proj/.venv', `/c/Users/ana/proj/.venv/Scripts:${fakes}:/usr/bin:/bin`, `unset ${fakes}:/usr/bin:/bin`]);
  });
});
