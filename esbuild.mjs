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

const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  // The CLI is an ES module build split into chunks, so each command loads only its own code.
  {
    ...common,
    entryPoints: { cli: 'src/cli.ts' },
    outdir: 'dist',
    format: 'esm',
    splitting: true,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'cli/[name]-[hash]',
    // CommonJS dependencies bundled into ES modules still call require() for Node's built-ins and
    // read __filename (write-file-atomic names its temporary files after it).
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; import { fileURLToPath as __fileURLToPath } from 'node:url'; const require = __createRequire(import.meta.url); const __filename = __fileURLToPath(import.meta.url); const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
    },
  },
  { ...common, entryPoints: ['src/server/main.ts'], outfile: 'dist/server.js' },
  {
    ...common,
    entryPoints: readdirSync('test/integration').filter((f) => f === 'index.ts' || /\.(test|untrusted|multiroot)\.ts$/.test(f)).map((f) => `test/integration/${f}`),
    outdir: 'out/test/integration',
    external: ['vscode', 'mocha'],
  },
];

// The repository is "type": "module"; the bundles are CommonJS, as VS Code's extension host expects.
// A build never leaves chunks of an older one behind.
rmSync('dist/cli', { recursive: true, force: true });
for (const dir of ['dist', 'out']) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/package.json`, '{ "type": "commonjs" }\n');
}

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
