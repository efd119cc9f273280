/**
 * `npm run test:integration`: builds a throwaway workspace with fixture wheels, then runs the
 * mocha suites in out/test/integration inside code-server through @vscode/test-electron's
 * standard runTests, with the harness shim standing in for the VS Code executable.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildWheels, DEMO_PACKAGES } from '../fixtures/wheels';
import { ensureCodeServer } from './codeServer';
import { useHermeticPip } from '../fixtures/pipEnv';

const root = path.resolve(import.meta.dirname, '..', '..');

/** A workspace whose requirements point pip at local fixture wheels only. */
function makeWorkspace(): string {
  const workspace = path.join(mkdtempSync(path.join(os.tmpdir(), 'venv-pilot-it-')), 'project');
  mkdirSync(workspace, { recursive: true });
  // wrasse is in no requirements file yet: the watcher test adds it.
  buildWheels(path.join(workspace, 'wheels'), [...DEMO_PACKAGES, { name: 'wrasse', version: '0.2.0' }]);
  writeFileSync(path.join(workspace, 'requirements.txt'), '--no-index\n--find-links wheels\npilotfish==1.0.0\n');
  writeFileSync(path.join(workspace, 'requirements-dev.txt'), '--no-index\n--find-links wheels\nbarnacle==0.1.0\n');
  writeFileSync(path.join(workspace, 'main.py'), 'import pilotfish\n');
  return workspace;
}

async function main(): Promise<void> {
  await ensureCodeServer();
  const workspace = makeWorkspace();
  const started = Date.now();
  // code-server, and through it the extension host and pip, inherit this environment.
  useHermeticPip();
  await runTests({
    vscodeExecutablePath: path.join(root, 'test', 'harness', 'code-shim'),
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'test', 'integration', 'index.js'),
    launchArgs: [workspace],
  });
  console.log(`Integration run took ${((Date.now() - started) / 1000).toFixed(1)} s (workspace ${workspace})`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
