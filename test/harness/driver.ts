/**
 * Runs an extension's mocha suite inside a real VS Code: code-server's Node extension host,
 * with the workbench opened in headless Debian Chromium through playwright-core.
 * The process exit code is the test exit code (0 pass, 1 fail, 124 timeout).
 *
 * Usage: node --import tsx driver.ts --ext DIR --tests FILE [--folder DIR | --folder FILE.code-workspace]
 * Env: VENV_PILOT_TEST_RESULTS (results JSON the suite writes), HARNESS_TIMEOUT_MS, HARNESS_VERBOSE,
 * HARNESS_UNTRUSTED=1 (open the folder in restricted mode).
 */
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { ensureCodeServer, startCodeServer, type RunningCodeServer } from './codeServer';
import { launchChromium } from './browser';

const { values } = parseArgs({ options: { ext: { type: 'string' }, tests: { type: 'string' }, folder: { type: 'string' } } });
if (!values.ext || !values.tests) throw new Error('driver needs --ext and --tests');
const ext = path.resolve(values.ext);
const tests = path.resolve(values.tests);
const folder = values.folder ? path.resolve(values.folder) : undefined;
const timeoutMs = Number(process.env.HARNESS_TIMEOUT_MS || 300_000);
const verbose = !!process.env.HARNESS_VERBOSE;
const untrusted = process.env.HARNESS_UNTRUSTED === '1';
const t0 = Date.now();
const log = (...a: unknown[]): void => console.log(`[harness +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);


async function main(runDir: string): Promise<number> {
  const resultFile = process.env.VENV_PILOT_TEST_RESULTS || path.join(runDir, 'results.json');
  const install = await ensureCodeServer(log);
  const serverLog = createWriteStream(path.join(runDir, 'server.log'));
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer(install, {
      runDir,
      home: path.join(runDir, 'home'),
      // HARNESS_UNTRUSTED=1: workspace trust is on and the folder is not trusted (restricted mode), without the startup prompt.
      args: [...(untrusted ? [] : ['--disable-workspace-trust']), '--vscode-option', 'enable-smoke-test-driver'],
      env: { VENV_PILOT_TEST_RESULTS: resultFile },
      settings: {
        'workbench.startupEditor': 'none',
        'security.workspace.trust.enabled': untrusted,
        'security.workspace.trust.startupPrompt': 'never',
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        'terminal.integrated.defaultProfile.linux': 'bash',
      },
      onLine: (line) => {
        serverLog.write(line + '\n');
        if (verbose) console.log(`[code-server] ${line}`);
      },
    });
    log(`code-server on ${server.host}, run folder ${runDir}`);
    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    let settle: (code: number) => void = () => undefined;
    const exitCode = new Promise<number>((resolve) => (settle = resolve));
    // The workbench calls these when started with the smoke-test driver option (IAutomatedWindow).
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
      const line = (args ?? []).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      if (verbose || /passing|failing|pending|✔|^\s+\d+\) |^\s{2,}\S|Error/.test(line)) console.log(line);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => settle(code));
    page.on('pageerror', (e) => verbose && console.log('[pageerror]', e.message));
    page.on('crash', () => settle(2));
    const remote = (p: string): string => `vscode-remote://${server?.host}${p}`;
    const payload = JSON.stringify([['extensionDevelopmentPath', remote(ext)], ['extensionTestsPath', remote(tests)], ['skipWelcome', 'true']]);
    // A .code-workspace file opens a multi-root workspace; a folder opens that folder.
    const target = folder ? `${folder.endsWith('.code-workspace') ? 'workspace' : 'folder'}=${encodeURIComponent(folder)}&` : '';
    await page.goto(`http://${server.host}/?${target}payload=${encodeURIComponent(payload)}`);
    log('workbench loaded; tests running');
    const fallback = pollResults(resultFile);
    const timeout = new Promise<number>((resolve) => setTimeout(() => resolve(124), timeoutMs).unref());
    const code = await Promise.race([exitCode, fallback, timeout]);
    log(code === 124 ? `timed out after ${timeoutMs} ms` : `tests finished with exit code ${code}`);
    return code;
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.process.stop();
    serverLog.end();
  }
}


/** Safety net when the exit hook never fires: the suite's own results file, given a grace period. */
async function pollResults(file: string): Promise<number> {
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    if (existsSync(file)) {
      await new Promise((r) => setTimeout(r, 5000));
      const results = JSON.parse(readFileSync(file, 'utf8')) as { failures: number };
      return results.failures > 0 ? 1 : 0;
    }
  }
}

mkdirSync(path.join(os.tmpdir(), 'venv-pilot-runs'), { recursive: true });
const runDir = mkdtempSync(path.join(os.tmpdir(), 'venv-pilot-runs', 'r-'));
main(runDir).then(
  (code) => {
    // A failed run's folder (server log, user data, results) stays for inspection.
    if (code === 0) rmSync(runDir, { recursive: true, force: true });
    process.exit(code);
  },
  (error: unknown) => {
    console.error('[harness]', error);
    process.exit(3);
  },
);
