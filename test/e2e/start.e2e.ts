/**
 * `npm start`, used as a person would: start the server on a copy of examples/demo, open the
 * printed URL in headless Chromium, run "Venv Pilot: Create Environment" from the command
 * palette with the keyboard, press Enter through the pickers, and check the .venv it made (and
 * capture the Venv Pilot side bar's Environments and Packages views on it); then
 * open a copy of examples/shoal and capture Create Environment's grouped dependencies picker;
 * then run a script there from the CodeLens over its PEP 723 block and read its terminal.
 * The extension is the packaged one (`npm run package`), installed with `--install-extension`,
 * so a file missing from the .vsix fails this journey.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run, startProcess } from '../../src/core/leaves/process';
import { pyenvVersions, tempDir } from '../fixtures/machine';
import { hermeticPipEnv } from '../fixtures/pipEnv';
import { buildProjectWheels } from '../../scripts/demoWheels';
import { harnessDir } from '../harness/codeServer';
import { launchChromium } from '../harness/browser';

const root = path.resolve(import.meta.dirname, '..', '..');

/** A pyenv version here other than the newest, to select by hand; undefined without pyenv. */
function pyenvVersion(): string | undefined {
  return pyenvVersions().filter((v) => v.startsWith('3.')).sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).at(-2);
}

async function main(): Promise<void> {
  const scratch = tempDir('venv-pilot-start-');
  const demo = path.join(scratch, 'demo');
  cpSync(path.join(root, 'examples', 'demo'), demo, { recursive: true, filter: (src) => !/[/\\](\.venv|wheels)$/.test(src) });
  const home = path.join(scratch, 'home');
  mkdirSync(home);
  const vsix = path.join(root, `venv-pilot-${(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version}.vsix`);
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run npm run package first`);
  let url: string | undefined;
  let installedAt: string | undefined;
  const server = await startProcess([process.execPath, '--import', 'tsx', path.join(root, 'scripts', 'start.ts')], {
    cwd: root,
    // The cached code-server stays where it is; only the session's HOME is fresh.
    env: { ...hermeticPipEnv(), PORT: '0', DEMO_FOLDER: demo, HOME: home, VENV_PILOT_HARNESS_DIR: harnessDir(), VENV_PILOT_VSIX: vsix },
    onLine: (line) => {
      url ??= /(http:\/\/\S+\?folder=\S+)/.exec(line)?.[1];
      installedAt ??= /^Installed \S+\.vsix into (.+)$/.exec(line)?.[1];
    },
  });
  const browser = await launchChromium();
  try {
    const started = Date.now();
    while (!url) {
      if (Date.now() - started > 300_000) throw new Error('npm start printed no URL within 300 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log(`npm start serves ${url}`);
    // The installed copy is a folder of the package's files, not a link to this working tree.
    assert.ok(installedAt, 'npm start did not report installing the .vsix');
    assert.ok(!lstatSync(installedAt).isSymbolicLink(), `${installedAt} is a link`);
    assert.ok(existsSync(path.join(installedAt, 'dist', 'extension.js')) && !existsSync(path.join(installedAt, 'src')), `${installedAt} is not the packaged extension`);
    console.log(`the extension runs from ${installedAt}, installed from ${path.basename(vsix)}`);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    const statusItem = page.locator('.statusbar-item', { hasText: 'Select Interpreter' });
    await statusItem.waitFor({ timeout: 60_000 });

    await page.keyboard.press('F1');
    await page.keyboard.type('Venv Pilot: Create Environment');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Venv Pilot: Create Environment' }).first().waitFor();
    await page.keyboard.press('Enter');
    for (const step of ['interpreter', 'location', 'dependencies']) {
      await page.locator('.quick-input-title', { hasText: `Create Environment: ${step}` }).waitFor({ timeout: 60_000 });
      await page.keyboard.press('Enter');
    }
    await page.locator('.statusbar-item', { hasText: "'.venv': venv" }).waitFor({ timeout: 120_000 });
    // Screenshots as test artefacts: the status bar, and the interpreter picker open on it.
    const artefacts = process.env.VENV_PILOT_ARTIFACTS ?? path.join(root, 'test-artifacts');
    mkdirSync(artefacts, { recursive: true });
    await page.locator('.part.statusbar').screenshot({ path: path.join(artefacts, 'status-bar.png') });
    // The Venv Pilot side bar on the new .venv: Environments (the folder's selection first) and its Packages by role.
    await page.keyboard.press('F1');
    await page.keyboard.type('View: Show Venv Pilot');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'View: Show Venv Pilot' }).first().waitFor();
    await page.keyboard.press('Enter');
    const pane = (title: string) => page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: title }) });
    await pane('Environments').locator('.monaco-list-row', { hasText: '.venv' }).first().waitFor({ timeout: 60_000 });
    await pane('Environments').locator('.monaco-list-row', { hasText: 'in sync' }).first().waitFor({ timeout: 30_000 });
    await pane('Packages').locator('.monaco-list-row', { hasText: 'pilotfish' }).first().waitFor({ timeout: 30_000 });
    await pane('Environments').screenshot({ path: path.join(artefacts, 'environments-view.png') });
    await pane('Packages').screenshot({ path: path.join(artefacts, 'packages-view.png') });
    console.log(`npm start: the Environments view lists .venv, in sync, and the Packages view its packages (environments-view.png, packages-view.png in ${artefacts})`);
    // Close the side bar again: the later screenshots show the editor and the panel at full width.
    await page.keyboard.press('Control+B');
    await page.locator('.statusbar-item', { hasText: "'.venv': venv" }).click();
    await page.locator('.quick-input-title', { hasText: 'Python interpreter for demo' }).waitFor();
    await page.locator('.quick-input-list .monaco-list-row').nth(3).waitFor();
    await page.locator('.quick-input-widget').screenshot({ path: path.join(artefacts, 'picker.png') });
    console.log(`screenshots in ${artefacts}`);
    // Choose another interpreter than the default one, then reload the window: the choice survives.
    const base = pyenvVersion();
    if (base) {
      await page.keyboard.type(`/versions/${base}/bin/python`);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: `Python ${base}` }).first().waitFor();
      await page.keyboard.press('Enter');
      const chosen = page.locator('.statusbar-item', { hasText: `${base} ('${base}': pyenv)` });
      await chosen.waitFor({ timeout: 30_000 });
      await page.reload();
      await chosen.waitFor({ timeout: 60_000 }).catch(async (error: unknown) => {
        await page.locator('.part.statusbar').screenshot({ path: path.join(artefacts, 'after-reload.png') });
        throw error;
      });
      console.log(`after a window reload the status bar still shows ${base} ('${base}': pyenv)`);
    } else {
      await page.keyboard.press('Escape');
    }
    const python = path.join(demo, '.venv', 'bin', 'python');
    assert.ok(existsSync(python), '.venv/bin/python was created in the demo');
    const { stdout } = await run([python, '-c', 'import pilotfish, remora; print(pilotfish.__version__, remora.__version__)']);
    assert.equal(stdout, '1.0.0 0.3.0');
    console.log('npm start: the palette command created .venv in the demo from local wheels; pilotfish and remora import');

    // The same server on examples/shoal (pyproject.toml only): the last step of Create
    // Environment groups what the project offers. Screenshot it, then dismiss it.
    const shoal = path.join(scratch, 'shoal');
    cpSync(path.join(root, 'examples', 'shoal'), shoal, { recursive: true, filter: (src) => !/[/\\](\.venv|wheels)$/.test(src) });
    buildProjectWheels(shoal);
    // A script with its own dependencies, for the run below; the DOM renderer keeps the terminal's text readable.
    writeFileSync(path.join(shoal, 'tool.py'), '# /// script\n# dependencies = ["remora"]\n# ///\nimport remora, sys\nprint("tool ran with remora", remora.__version__, "in", sys.prefix)\n');
    const settingsFile = path.join(shoal, '.vscode', 'settings.json');
    writeFileSync(settingsFile, readFileSync(settingsFile, 'utf8').replace(/\n}\s*$/, ',\n  "terminal.integrated.gpuAcceleration": "off"\n}\n'));
    await page.goto(url.replace(/\?folder=.*$/, `?folder=${encodeURIComponent(shoal)}`));
    await page.locator('.statusbar-item', { hasText: 'Select Interpreter' }).or(page.locator('.statusbar-item', { hasText: /\('[^']+': \w+\)/ })).first().waitFor({ timeout: 60_000 });
    await page.keyboard.press('F1');
    await page.keyboard.type('Venv Pilot: Create Environment');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Venv Pilot: Create Environment' }).first().waitFor();
    await page.keyboard.press('Enter');
    for (const step of ['interpreter', 'location']) {
      await page.locator('.quick-input-title', { hasText: `Create Environment: ${step}` }).waitFor({ timeout: 60_000 });
      await page.keyboard.press('Enter');
    }
    await page.locator('.quick-input-title', { hasText: 'Create Environment: dependencies' }).waitFor({ timeout: 60_000 });
    for (const heading of ['Project', 'Extras', 'Dependency groups']) await page.locator('.quick-input-list .monaco-list-row', { hasText: heading }).first().waitFor();
    await page.locator('.quick-input-widget').screenshot({ path: path.join(artefacts, 'sources-picker.png') });
    await page.keyboard.press('Escape');
    console.log(`npm start: on examples/shoal, Create Environment offers the project, its extra and its groups (sources-picker.png in ${artefacts})`);

    // A script's own environment, as a person starts it: open it, click the CodeLens over its
    // block, and read what it printed in the terminal that opens.
    await page.keyboard.press('Control+P');
    await page.keyboard.type('tool.py');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'tool.py' }).first().waitFor();
    await page.keyboard.press('Enter');
    const lens = page.locator('.codelens-decoration a', { hasText: 'Run in its environment (1 dependency, will be created)' });
    await lens.waitFor({ timeout: 60_000 });
    const editor = await page.locator('.monaco-editor').first().boundingBox();
    if (editor) await page.screenshot({ path: path.join(artefacts, 'script-codelens.png'), clip: { x: editor.x, y: editor.y, width: Math.min(editor.width, 560), height: 130 } });
    await lens.click();
    const output = page.locator('.xterm-rows', { hasText: 'tool ran with remora 0.3.0 in' });
    await output.waitFor({ timeout: 120_000 }).catch(async (error: unknown) => {
      await page.screenshot({ path: path.join(artefacts, 'script-run-failed.png') });
      throw error;
    });
    // The DOM renderer breaks long lines into rows: join them back.
    const printed = (await output.innerText()).replace(/\n/g, '');
    assert.match(printed, /tool ran with remora 0\.3\.0 in \S+\/venv-pilot\/scripts\/tool-[0-9a-f]{16}/);
    await page.locator('.part.panel').screenshot({ path: path.join(artefacts, 'script-run.png') });
    await page.locator('.codelens-decoration a', { hasText: 'Run in its environment (1 dependency, ready)' }).waitFor({ timeout: 30_000 });
    console.log('npm start: the CodeLens ran tool.py in its own environment; its terminal shows what it printed (script-codelens.png, script-run.png)');
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('npm start end-to-end check failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
