#!/usr/bin/env node
/** `venv-pilot`: the command line over core (DESIGN.md §4). Exit codes: 0 success, 1 user error, 2 usage. */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { activatedEnvironment } from './core/activation/environment';
import { discoverInterpreters, type DiscoveryOptions } from './core/discovery/discover';
import { describeError, UserError } from './core/errors';
import { freezeVenv } from './core/pip/freeze';
import { syncVenv } from './core/pip/sync';
import { readPyvenvCfg } from './core/venv/pyvenvCfg';
import writeFileAtomic from 'write-file-atomic';
import { probeCacheFile, seedCacheDir, userCacheDir } from './core/paths';
import { parseSeedRequest } from './core/seed/wheels';
import { describeInterpreter, resolveInterpreter } from './core/discovery/resolve';
import { createVenv } from './core/venv/create';

const USAGE = `Usage:
  venv-pilot discover [--json] [--workspace DIR]...
  venv-pilot find SPEC [--json]
  venv-pilot create DEST [--python SPEC] [-r FILE]... [--copies|--symlinks]
          [--system-site-packages] [--prompt NAME] [--clear] [--no-vcs-ignore]
          [--seed pip[,setuptools,wheel] | --no-seed] [--find-links DIR]... [--index-url URL]
          [--offline] [--symlink-app-data] [--venv-module] [--json]
  venv-pilot sync DEST -r FILE... [--exact] [--dry-run] [--offline] [--json]
  venv-pilot freeze DEST [--all] [-o FILE]
  venv-pilot env DEST [--json]
  venv-pilot lsp --stdio

SPEC is an interpreter path or a version such as 3, 3.12 or 3.12.1.`;

class UsageError extends Error {}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;
type Command = (positionals: string[], values: Values, signal: AbortSignal) => Promise<void>;

const COMMON = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

const print = (text: string): boolean => process.stdout.write(text + '\n');
const printJson = (value: unknown): boolean => print(JSON.stringify(value, null, 2));
const one = (positionals: string[], name: string): string => {
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError(`Expected exactly one ${name}`);
  return positionals[0];
};

function discoveryOptions(values: Values, signal: AbortSignal): DiscoveryOptions {
  return { cacheFile: probeCacheFile(userCacheDir()), workspaceFolders: (values.workspace as string[] | undefined) ?? [], signal };
}

const COMMANDS: Record<string, { options: ParseArgsConfig['options']; run: Command }> = {
  discover: {
    options: { workspace: { type: 'string', multiple: true } },
    run: async (positionals, values, signal) => {
      if (positionals.length) throw new UsageError('discover takes no positional arguments');
      const result = await discoverInterpreters(discoveryOptions(values, signal));
      if (values.json) return void printJson({ interpreters: result.interpreters, problems: result.problems });
      for (const i of result.interpreters) print(`${i.version.padEnd(8)} ${i.implementation.padEnd(8)} ${i.kind.padEnd(10)} ${i.path}${i.envName ? `  (${i.envName})` : ''}`);
      for (const p of result.problems) process.stderr.write(`warning: ${p.message}\n`);
    },
  },
  find: {
    options: {},
    run: async (positionals, values, signal) => {
      const found = await resolveInterpreter(one(positionals, 'SPEC'), discoveryOptions(values, signal));
      if (values.json) printJson(found);
      else print(found.path);
    },
  },
  create: {
    options: {
      python: { type: 'string' },
      requirement: { type: 'string', short: 'r', multiple: true },
      clear: { type: 'boolean' },
      copies: { type: 'boolean' },
      symlinks: { type: 'boolean' },
      'system-site-packages': { type: 'boolean' },
      prompt: { type: 'string' },
      'no-vcs-ignore': { type: 'boolean' },
      seed: { type: 'string' },
      'no-seed': { type: 'boolean' },
      'find-links': { type: 'string', multiple: true },
      'index-url': { type: 'string' },
      offline: { type: 'boolean' },
      'symlink-app-data': { type: 'boolean' },
      'venv-module': { type: 'boolean' },
    },
    run: async (positionals, values, signal) => {
      const dest = one(positionals, 'DEST');
      if (values.copies && values.symlinks) throw new UsageError('--copies and --symlinks exclude each other');
      if (values.seed !== undefined && values['no-seed']) throw new UsageError('--seed and --no-seed exclude each other');
      const seed = values['no-seed'] ? [] : typeof values.seed === 'string' ? values.seed.split(',').map(parseSeedRequest) : undefined;
      const findLinks = ((values['find-links'] as string[] | undefined) ?? []).map((dir) => path.resolve(dir));
      const interpreter = await resolveInterpreter(values.python as string | undefined, discoveryOptions(values, signal));
      const created = await createVenv({
        interpreter,
        dest,
        requirements: (values.requirement as string[] | undefined) ?? [],
        clear: values.clear === true,
        links: values.copies ? 'copies' : 'symlinks',
        systemSitePackages: values['system-site-packages'] === true,
        prompt: values.prompt as string | undefined,
        noVcsIgnore: values['no-vcs-ignore'] === true,
        seed,
        findLinks,
        appData: values['symlink-app-data'] ? 'symlink' : 'hardlink',
        useVenvModule: values['venv-module'] === true,
        cacheDir: seedCacheDir(userCacheDir()),
        pip: { indexUrl: values['index-url'] as string | undefined, findLinks, offline: values.offline === true },
        signal,
        onProgress: (_step, message) => process.stderr.write(message + '\n'),
      });
      const summary = { venv: created.dir, python: created.python, interpreter: interpreter.path, version: interpreter.version, creator: created.creator, seeded: created.seeded };
      if (values.json) printJson(summary);
      else print(`Created ${created.dir} with Python ${interpreter.version} (${created.creator} creator${created.seeded.map((s) => `, ${s.project} ${s.version} from ${s.source}`).join('')})`);
      // The venv is ready; make the next creation fast. A failure here costs only speed.
      try {
        created.stageNext();
      } catch {
        // The cache is not writable: every creation lays its seeds itself.
      }
    },
  },
  freeze: {
    options: { all: { type: 'boolean' }, output: { type: 'string', short: 'o' } },
    run: async (positionals, values, signal) => {
      const dest = path.resolve(one(positionals, 'DEST'));
      if (!readPyvenvCfg(dest)) throw new UserError(`${dest} is not a virtual environment (no pyvenv.cfg)`);
      const text = await freezeVenv(dest, { all: values.all === true, signal });
      if (typeof values.output === 'string') await writeFileAtomic(path.resolve(values.output), text);
      else process.stdout.write(text);
    },
  },
  sync: {
    options: { requirement: { type: 'string', short: 'r', multiple: true }, exact: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, offline: { type: 'boolean' } },
    run: async (positionals, values, signal) => {
      const dest = path.resolve(one(positionals, 'DEST'));
      const requirements = (values.requirement as string[] | undefined) ?? [];
      if (requirements.length === 0) throw new UsageError('sync needs at least one -r FILE');
      const python = path.join(dest, 'bin', 'python');
      if (!readPyvenvCfg(dest)) throw new UserError(`${dest} is not a virtual environment (no pyvenv.cfg)`);
      const interpreter = await describeInterpreter(python, discoveryOptions(values, signal));
      const plan = await syncVenv(dest, {
        requirements,
        exact: values.exact === true,
        dryRun: values['dry-run'] === true,
        environment: interpreter.markerEnvironment ?? {},
        interpreterIdentity: `${interpreter.executable}|${interpreter.version}`,
        pip: { offline: values.offline === true },
        signal,
        onProgress: (message) => process.stderr.write(message + '\n'),
      });
      const summary = {
        install: plan.install.map((i) => ({ requirement: i.requirement.text, reason: i.reason, ...(i.installed ? { installed: i.installed } : {}) })),
        uninstall: plan.uninstall.map((d) => `${d.name}==${d.version}`),
        satisfied: plan.satisfied.length,
        skipped: plan.skipped.map((r) => r.text),
      };
      if (values.json) return void printJson(summary);
      const nothing = summary.install.length === 0 && summary.uninstall.length === 0;
      print(nothing ? `${dest} is in sync (${summary.satisfied} requirements satisfied)` : `${values['dry-run'] ? 'Would install' : 'Installed'}: ${summary.install.map((i) => i.requirement).join(', ') || 'nothing'}; ${values['dry-run'] ? 'would uninstall' : 'uninstalled'}: ${summary.uninstall.join(', ') || 'nothing'}`);
    },
  },
  lsp: {
    options: { stdio: { type: 'boolean' } },
    run: async (_positionals, values) => {
      if (!values.stdio) throw new UsageError('lsp needs --stdio (the only transport offered)');
      const { createConnection, ProposedFeatures } = await import('vscode-languageserver/node');
      const { startServer } = await import('./server/server');
      startServer(createConnection(ProposedFeatures.all, process.stdin, process.stdout));
      // The connection keeps the process alive until the client exits.
      await new Promise<never>(() => undefined);
    },
  },
  env: {
    options: {},
    run: async (positionals, values) => {
      const activated = activatedEnvironment(one(positionals, 'DEST'));
      if (values.json) return void printJson(activated);
      for (const m of activated.mutations) print(m.op === 'remove' ? `unset ${m.name}` : `${m.op} ${m.name}=${m.value}`);
    },
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write((name && name !== '--help' && name !== '-h' ? `Unknown command "${name}"\n` : '') + USAGE + '\n');
    return name === '--help' || name === '-h' ? 0 : 2;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  try {
    const { values, positionals } = parseArgs({ args: rest, options: { ...COMMON, ...command.options }, allowPositionals: true, strict: true });
    if (values.help) return print(USAGE), 0;
    await command.run(positionals, values, controller.signal);
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`venv-pilot: ${describeError(error)}\n${usage ? USAGE + '\n' : ''}`);
    return usage ? 2 : 1;
  }
}

// A closed pipe (`venv-pilot discover | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
