/**
 * `npm run test:integration`: builds throwaway workspaces with fixture wheels, then runs the
 * mocha suites in out/test/integration inside code-server through @vscode/test-electron's
 * standard runTests, with the harness shim standing in for the VS Code executable. Four runs:
 * a trusted workspace (`*.test.js`), an untrusted one in restricted mode (`*.untrusted.js`), a
 * multi-root workspace of two folders with a venv each (`*.multiroot.js`), and a multi-root
 * workspace of the examples' pyproject.toml project and requirements-folder project
 * (`*.projects.js`).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { createVenv } from '../../src/core/orchestrations/create';
import { baseInterpreter, buildHangingBinary, pyenvPython } from '../fixtures/machine';
import { useHermeticPip } from '../fixtures/pipEnv';
import { buildWheels, DEMO_PACKAGES, SHOAL_PACKAGES } from '../fixtures/wheels';
import { ensureCodeServer } from './codeServer';
import { testUv } from '../fixtures/uv';

const root = path.resolve(import.meta.dirname, '..', '..');

function newWorkspace(): string {
  const workspace = path.join(mkdtempSync(path.join(os.tmpdir(), 'venv-pilot-it-')), 'project');
  mkdirSync(workspace, { recursive: true });
  return workspace;
}

/** A trusted workspace whose requirements point pip at local fixture wheels only. */
function trustedWorkspace(): string {
  const workspace = newWorkspace();
  // In no requirements file yet: the watcher test adds wrasse, a terminal installs tang, the language-server test adds zander.
  buildWheels(path.join(workspace, 'wheels'), [...DEMO_PACKAGES, { name: 'wrasse', version: '0.2.0' }, { name: 'tang', version: '0.9.0' }, { name: 'zander', version: '0.1.0' }]);
  writeFileSync(path.join(workspace, 'requirements.txt'), '--no-index\n--find-links wheels\npilotfish==1.0.0\n');
  writeFileSync(path.join(workspace, 'requirements-dev.txt'), '--no-index\n--find-links wheels\nbarnacle==0.1.0\n');
  writeFileSync(path.join(workspace, 'main.py'), 'import pilotfish\n');
  return workspace;
}

/** An untrusted workspace whose `.venv/bin/python` is a canary that leaves `python.ran` behind if anything runs it. */
async function untrustedWorkspace(): Promise<string> {
  const workspace = newWorkspace();
  mkdirSync(path.join(workspace, '.venv'));
  writeFileSync(path.join(workspace, '.venv', 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.11.2\n');
  if (!(await buildHangingBinary(path.join(workspace, '.venv', 'bin'), 'python'))) throw new Error('the untrusted-workspace run needs a C compiler (cc): install gcc');
  writeFileSync(path.join(workspace, 'requirements.txt'), 'pilotfish\n');
  return workspace;
}

/** A multi-root workspace: two folders, each with its own venv (made by the builtin creator, no seeds). */
async function multiRootWorkspace(): Promise<string> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'venv-pilot-it-'));
  const exe = ['/usr/bin/python3', ...['3.12', '3.11'].map((v) => pyenvPython(v) ?? '')].find((p) => p && existsSync(p)) ?? 'python3';
  const interpreter = await baseInterpreter(exe);
  for (const name of ['alpha', 'beta']) {
    mkdirSync(path.join(root, name));
    await createVenv({ interpreter, dest: path.join(root, name, '.venv'), seed: [], cacheDir: path.join(root, 'cache') });
  }
  const file = path.join(root, 'both.code-workspace');
  writeFileSync(file, JSON.stringify({ folders: [{ path: 'alpha' }, { path: 'beta' }] }));
  return file;
}

/**
 * A multi-root workspace of copies of examples/shoal (pyproject.toml only: a project, an extra,
 * two groups) and examples/layered (requirements/base.txt and dev.txt), each with its own local
 * wheels, which their .vscode/settings.json point pip at (offline).
 */
function projectsWorkspace(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'venv-pilot-it-'));
  for (const name of ['shoal', 'layered']) {
    cpSync(path.join(root, 'examples', name), path.join(dir, name), { recursive: true, filter: (src) => !/[/\\](\.venv|wheels)$/.test(src) });
    buildWheels(path.join(dir, name, 'wheels'), SHOAL_PACKAGES);
  }
  const file = path.join(dir, 'projects.code-workspace');
  writeFileSync(file, JSON.stringify({ folders: [{ path: 'shoal' }, { path: 'layered' }] }));
  return file;
}

async function runSuite(name: 'trusted' | 'untrusted' | 'multiroot' | 'projects', workspace: string): Promise<void> {
  process.env.VENV_PILOT_SUITE = name;
  process.env.HARNESS_UNTRUSTED = name === 'untrusted' ? '1' : '0';
  const started = Date.now();
  await runTests({
    // VENV_PILOT_VSCODE=desktop (CI on Windows and macOS, where code-server does not run): the desktop VS Code test-electron downloads.
    ...(process.env.VENV_PILOT_VSCODE === 'desktop' ? {} : { vscodeExecutablePath: path.join(root, 'test', 'harness', 'code-shim') }),
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'test', 'integration', 'index.js'),
    launchArgs: [workspace],
  });
  console.log(`Integration run (${name} workspace) took ${((Date.now() - started) / 1000).toFixed(1)} s (workspace ${workspace})`);
}

async function main(): Promise<void> {
  if (process.env.VENV_PILOT_VSCODE !== 'desktop') await ensureCodeServer();
  // code-server, and through it the extension host and pip, inherit this environment.
  useHermeticPip();
  // The real uv for the installer test, fetched once into the test cache; without it that test skips, saying why.
  const uv = await testUv();
  process.env.VENV_PILOT_TEST_UV = uv.uv ?? '';
  process.env.VENV_PILOT_TEST_UV_MISSING = uv.reason ?? '';
  // VENV_PILOT_SUITES=projects,multiroot runs just those, to iterate on one suite without the others.
  const only = process.env.VENV_PILOT_SUITES?.split(',').map((n) => n.trim());
  const wanted = (name: string): boolean => !only || only.includes(name);
  if (wanted('trusted')) await runSuite('trusted', trustedWorkspace());
  if (wanted('untrusted')) await runSuite('untrusted', await untrustedWorkspace());
  if (wanted('multiroot')) await runSuite('multiroot', await multiRootWorkspace());
  if (wanted('projects')) await runSuite('projects', projectsWorkspace());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
