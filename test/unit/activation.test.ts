import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { activatedEnvironment, bashPromptHook } from '../../src/core/parts/activation/environment';
import { applyMutations } from '../fixtures/mutations';
import { activationScripts } from '../../src/core/parts/venv/activationScripts';
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
