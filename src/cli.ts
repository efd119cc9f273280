#!/usr/bin/env node
/**
 * `venv-pilot`: the command line over core (README, "Command line"; ARCHITECTURE.md, "Bundles and start-up"). Exit codes: 0 success, 1 user error, 2 usage.
 *
 * Start-up time is what scripts and other editors feel, so this dispatcher loads only the one
 * command module it runs (each is its own chunk of the ES module build), and asks Node (22.1 and
 * newer) to keep compiled code between runs.
 */
import module from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from './core/leaves/errors';
import { userCacheDir } from './core/leaves/paths';
import { isUsageError, print, writeTo, type Command } from './cli/command';

const USAGE = `Usage:
  venv-pilot discover [--json] [--workspace DIR]... [--untrusted]
  venv-pilot find SPEC [--json]
  venv-pilot create DEST [--python SPEC] [-r FILE]... [PROJECT OPTIONS] [--copies|--symlinks]
          [--system-site-packages] [--prompt NAME] [--clear] [--no-vcs-ignore]
          [--seed pip[,setuptools,wheel] | --no-seed] [--no-seed-pip] [--symlink-app-data]
          [--venv-module] [INSTALLER OPTIONS] [INDEX OPTIONS] [--json]
  venv-pilot sync DEST [-r FILE]... [PROJECT OPTIONS] [--exact] [--dry-run] [INSTALLER OPTIONS]
          [INDEX OPTIONS] [--json]
  venv-pilot sources [DIR] [--json]
  venv-pilot run SCRIPT [--python SPEC] [-r FILE] [--env-only] [INDEX OPTIONS] [-- ARGS...]
  venv-pilot scripts list [--json] | scripts prune [--max-age DAYS]
  venv-pilot freeze DEST [--all] [-o FILE]
  venv-pilot env DEST [--json]
  venv-pilot lsp --stdio

PROJECT OPTIONS: [--project DIR] [--extra NAME]... [--group NAME]... [--all-extras] [--all-groups]
          [--no-install-project]
INSTALLER OPTIONS: [--installer auto|pip|uv] [--uv PATH] [--uv-lock [--locked]]
          auto (the default) installs with uv when uv is found (--uv PATH, else PATH, else uv's
          install folders), else with the venv's pip. --uv-lock installs the project's uv.lock with
          \`uv sync --frozen\` (--locked: \`uv sync --locked\`, which fails on a stale lock) into DEST;
          --extra and --group then go to uv sync. --no-seed-pip seeds no pip when uv installs.
INDEX OPTIONS: [--index-url URL] [--extra-index-url URL]... [--find-links DIR]... [--offline]
SPEC is an interpreter path or a version such as 3, 3.12 or 3.12.1.`;

/** Each command's module, loaded on demand: `create` never loads the language server, `freeze` never loads discovery. */
const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  discover: () => import('./cli/discover'),
  find: () => import('./cli/find'),
  create: () => import('./cli/create'),
  sync: () => import('./cli/sync'),
  sources: () => import('./cli/sources'),
  run: () => import('./cli/run'),
  scripts: () => import('./cli/scripts'),
  freeze: () => import('./cli/freeze'),
  env: () => import('./cli/env'),
  lsp: () => import('./cli/lsp'),
  // Internal: what `create` hands to a detached process.
  '__stage-spare': () => import('./cli/stageSpare'),
};

const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

const COMMON = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

/** Node 22.1+ caches compiled code on disk (`module.enableCompileCache`); older Nodes compile each run. */
function enableCompileCache(): void {
  const enable = (module as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
  try {
    enable?.(path.join(userCacheDir(), 'node-compile-cache'));
  } catch {
    // An unwritable cache folder costs only start-up time.
  }
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const load = name ? COMMANDS[name] : undefined;
  if (!load) {
    writeTo(2, (name && name !== '--help' && name !== '-h' ? `Unknown command "${name}"\n` : '') + USAGE + '\n');
    return name === '--help' || name === '-h' ? 0 : 2;
  }
  // Ctrl+C, `kill`, or a closed terminal: cancel, which stops the process trees a command started
  // (SIGTERM, then SIGKILL) before the command returns, so nothing such as pip runs on.
  const controller = new AbortController();
  let signalled: keyof typeof SIGNAL_NUMBERS | undefined;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      signalled = signal;
      controller.abort();
    });
  }
  try {
    const { command } = await load();
    const { values, positionals } = parseArgs({ args: rest, options: { ...COMMON, ...command.options }, allowPositionals: true, strict: true });
    if (values.help) return print(USAGE), 0;
    const code = await command.run(positionals, values, controller.signal);
    return typeof code === 'number' ? code : 0;
  } catch (error) {
    const usage = isUsageError(error);
    writeTo(2, `venv-pilot: ${describeError(error)}\n${usage ? USAGE + '\n' : ''}`);
    // The shell's convention for a process ended by a signal: 128 + its number.
    return signalled ? 128 + SIGNAL_NUMBERS[signalled] : usage ? 2 : 1;
  }
}

enableCompileCache();
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
