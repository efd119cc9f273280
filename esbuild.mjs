// Bundles the extension and the CLI (and the integration tests) with esbuild. Type checking is `tsc --noEmit`.
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // Sources are ES modules that fall back to import.meta.url only where __dirname is missing.
  logOverride: { 'empty-import-meta': 'silent' },
};

/** The CLI's commands: each `src/cli/NAME.ts` becomes `dist/cli/NAME.js`. */
const CLI_COMMANDS = ['discover', 'find', 'create', 'sync', 'sources', 'run', 'scripts', 'freeze', 'env', 'lsp', 'stageSpare'];

/**
 * Leaves an import of a command from the CLI's own sources (the dispatcher's `import('./cli/NAME')`,
 * `create`'s `import('./find')`) as a require of that command's bundle.
 */
const commandsExternal = {
  name: 'cli-commands-external',
  setup(build) {
    build.onResolve({ filter: /^\.\/(cli\/)?[\w-]+$/ }, (args) => {
      const fromCli = /[\\/]src[\\/]cli(\.ts$|[\\/])/.test(args.importer);
      return fromCli && CLI_COMMANDS.includes(args.path.split('/').pop()) ? { path: `${args.path}.js`, external: true } : undefined;
    });
  },
};

/**
 * Libraries loaded with `import()` on first use become bundles of their own, required from
 * `dist/` when that happens: execa (core's process runner, src/core/leaves/process.ts), the
 * language client (src/extension/languageClient.ts), and the TOML parser (src/core/leaves/pyproject.ts,
 * reached only when a project is involved). `prefix` is the way from the importing bundle to `dist/`.
 */
const LAZY_BUNDLES = { execa: 'execa', 'vscode-languageclient/node': 'languageclient', 'toml-eslint-parser': 'toml' };
const lazyBundles = (prefix) => ({
  name: 'lazy-bundles',
  setup(build) {
    build.onResolve({ filter: /^(execa|vscode-languageclient\/node|toml-eslint-parser)$/ }, (args) => ({ path: `${prefix}${LAZY_BUNDLES[args.path]}.js`, external: true }));
  },
});

const builds = [
  // The extension: activation loads only this; the language client and execa wait for their first use.
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], plugins: [lazyBundles('./')], supported: { 'dynamic-import': false } },
  { ...common, entryPoints: { languageclient: 'vscode-languageclient/node', execa: 'execa', toml: 'toml-eslint-parser' }, outdir: 'dist', external: ['vscode'] },
  // The CLI: a small dispatcher, and one bundle per command that it requires on demand, so each
  // command loads only its own code (CommonJS, and require() rather than import(): Node starts
  // CommonJS faster than an ES module, and import() of CommonJS would run its export scanner).
  { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', plugins: [commandsExternal], supported: { 'dynamic-import': false } },
  // execa and its dependencies are most of a command's code, yet `create --python PATH`, `freeze`
  // and `find` spawn nothing on a warm cache: they get execa from dist/execa.js, on first use.
  {
    ...common,
    entryPoints: CLI_COMMANDS.map((name) => `src/cli/${name}.ts`),
    outdir: 'dist/cli',
    plugins: [lazyBundles('../'), commandsExternal],
    supported: { 'dynamic-import': false },
    // Which sources each command's bundle holds: test/unit/cliBundles.test.ts reads it.
    metafile: true,
  },
  { ...common, entryPoints: ['src/server/main.ts'], outfile: 'dist/server.js' },
  {
    ...common,
    entryPoints: readdirSync('test/integration').filter((f) => f === 'index.ts' || /\.(test|untrusted|multiroot|projects)\.ts$/.test(f)).map((f) => `test/integration/${f}`),
    outdir: 'out/test/integration',
    external: ['vscode', 'mocha'],
  },
];

// The repository is "type": "module"; the bundles are CommonJS, as VS Code's extension host expects.
// A build never leaves bundles of an older one behind.
rmSync('dist/cli', { recursive: true, force: true });
for (const dir of ['dist', 'out']) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/package.json`, '{ "type": "commonjs" }\n');
}

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  const results = await Promise.all(builds.map((options) => esbuild.build(options)));
  for (const { metafile } of results) {
    if (!metafile) continue;
    const inputs = Object.fromEntries(Object.entries(metafile.outputs).map(([file, output]) => [file, Object.keys(output.inputs)]));
    writeFileSync('out/cli-bundles.json', JSON.stringify(inputs, null, 1) + '\n');
  }
}
