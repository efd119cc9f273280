/**
 * `activate()` inside the real VS Code (code-server and headless Chromium), as shipped: the
 * .vsix `npm run package` built, installed with `--install-extension`. Each window load starts a
 * new extension host; the extension logs how long its activate() took, and this reads the logs.
 */
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { run } from '../src/core/leaves/process';
import { ensureCodeServer, installExtension, startCodeServer } from '../test/harness/codeServer';
import { launchChromium } from '../test/harness/browser';


/**
 * VS Code's record of the activation (code loading plus the activate() call), as its "Developer:
 * Show Running Extensions" editor shows it: "Startup Activation: N ms" on the extension's row.
 */
async function runningExtensionsFigure(page: Page): Promise<number | undefined> {
  await page.keyboard.press('F1');
  await page.keyboard.type('Developer: Show Running Extensions');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Running Extensions' }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  const row = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'Venv Pilot' }).first();
  await row.waitFor({ timeout: 10_000 });
  const text = (await row.locator('.activation-time').textContent({ timeout: 10_000 })) ?? '';
  await page.keyboard.press('Escape');
  const ms = /([\d.]+)\s*ms/.exec(text)?.[1];
  return ms === undefined ? undefined : Number(ms);
}

/** Every file below `dir` whose name ends with `suffix`. */
function filesBelow(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const file = path.join(dir, entry);
    return statSync(file).isDirectory() ? filesBelow(file, suffix) : file.endsWith(suffix) ? [file] : [];
  });
}

/** One window load: activate() as the extension logs it, and VS Code's own figure (code loading plus activate()), ms. */
export interface Activation {
  readonly activateMs: number;
  /** From "Developer: Show Running Extensions"; undefined when it could not be read. */
  readonly vscodeMs?: number;
}

/**
 * Loads the demo `runs` times and returns each activation, in load order.
 *
 * @throws {Error} when the .vsix cannot be built or an activation is not logged within 60 s.
 */
export async function measureActivations(root: string, scratch: string, runs: number): Promise<Activation[]> {
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const vsix = path.join(root, `venv-pilot-${version}.vsix`);
  if (!existsSync(vsix)) {
    console.log(`  (building ${path.basename(vsix)} with npm run package)`);
    await run(['npm', 'run', 'package'], { cwd: root });
  }
  const install = await ensureCodeServer();
  const runDir = path.join(scratch, 'activation');
  const demo = path.join(runDir, 'demo');
  cpSync(path.join(root, 'examples', 'demo'), demo, { recursive: true, filter: (src) => !/[/\\](\.venv|wheels)$/.test(src) });
  await installExtension(install, vsix, path.join(runDir, 'extensions'), path.join(runDir, 'user-data'));
  const server = await startCodeServer(install, {
    runDir,
    home: path.join(runDir, 'home'),
    args: ['--disable-workspace-trust'],
    settings: { 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoUpdate': false, 'update.mode': 'none' },
  });
  const browser = await launchChromium();
  const logged = (): number[] =>
    filesBelow(path.join(runDir, 'user-data', 'logs'), 'Venv Pilot.log')
      .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
      .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/Activated in ([\d.]+) ms/g)].map((m) => Number(m[1])));
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const vscodeFigures: (number | undefined)[] = [];
    for (let i = 0; i < runs; i++) {
      if (i === 0) await page.goto(`http://${server.host}/?folder=${encodeURIComponent(demo)}`);
      else await page.reload();
      const started = Date.now();
      while (logged().length <= i) {
        if (Date.now() - started > 60_000) throw new Error(`activation ${i + 1} was not logged within 60 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
      vscodeFigures.push(await runningExtensionsFigure(page).catch(() => undefined));
    }
    return logged().map((activateMs, i) => ({ activateMs, vscodeMs: vscodeFigures[i] }));
  } finally {
    await browser.close();
    await server.process.stop();
  }
}
