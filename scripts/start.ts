/**
 * `npm start`: builds the extension, installs code-server on first use, builds the demo's wheels,
 * and serves VS Code in the browser with the extension on examples/demo. Ctrl-C stops it.
 * Env: PORT (default 8080; 0 picks a free one), HOST (default 127.0.0.1), DEMO_FOLDER (default examples/demo),
 * VENV_PILOT_VSIX (a packaged extension to install and run instead of the working tree; the
 * end-to-end check uses the one `npm run package` built).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { run } from '../src/core/leaves/process';
import { buildDemoWheels } from './demoWheels';
import { ensureCodeServer, harnessDir, installExtension, startCodeServer } from '../test/harness/codeServer';

const root = path.resolve(import.meta.dirname, '..');
const demo = path.resolve(process.env.DEMO_FOLDER ?? path.join(root, 'examples', 'demo'));

async function main(): Promise<void> {
  const vsix = process.env.VENV_PILOT_VSIX && path.resolve(process.env.VENV_PILOT_VSIX);
  if (!vsix) await run([process.execPath, path.join(root, 'esbuild.mjs')], { cwd: root });
  const install = await ensureCodeServer();
  buildDemoWheels(demo);

  // One session (settings, state) per demo folder, kept between starts.
  const runDir = path.join(harnessDir(), 'sessions', createHash('sha256').update(demo).digest('hex').slice(0, 12));
  const extensions = path.join(runDir, 'extensions');
  mkdirSync(extensions, { recursive: true });
  if (vsix) {
    console.log(`Installed ${path.basename(vsix)} into ${await installExtension(install, vsix, extensions, path.join(runDir, 'user-data'))}`);
  } else {
    // code-server loads extensions from its extensions folder; a link there is the working tree itself.
    const link = path.join(extensions, 'venv-pilot.venv-pilot-0.1.0');
    rmSync(link, { force: true, recursive: true });
    symlinkSync(root, link);
  }

  const server = await startCodeServer(install, {
    runDir,
    home: process.env.HOME ?? runDir,
    bindAddr: `${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? '8080'}`,
    // The demo is this repository's own folder: skip the trust prompt so Create Environment runs at once.
    args: ['--disable-workspace-trust'],
    settings: { 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoUpdate': false, 'update.mode': 'none' },
    onLine: (line) => process.env.VERBOSE && console.log(line),
  });
  console.log(`\nVS Code with Venv Pilot is at  http://${server.host}/?folder=${encodeURIComponent(demo)}\n`);
  console.log('Run "Venv Pilot: Create Environment" from the command palette (F1). Ctrl-C stops the server.');
  const stop = (): void => void server.process.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`code-server exited with code ${await server.process.exited}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
