// Bundles the extension and the CLI (and the integration tests) with esbuild. Type checking is `tsc --noEmit`.
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';

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
  { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js' },
  { ...common, entryPoints: ['src/server/main.ts'], outfile: 'dist/server.js' },
  {
    ...common,
    entryPoints: readdirSync('test/integration').filter((f) => f === 'index.ts' || /\.(test|untrusted|multiroot)\.ts$/.test(f)).map((f) => `test/integration/${f}`),
    outdir: 'out/test/integration',
    external: ['vscode', 'mocha'],
  },
];

// The repository is "type": "module"; the bundles are CommonJS, as VS Code's extension host expects.
for (const dir of ['dist', 'out']) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/package.json`, '{ "type": "commonjs" }\n');
}

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
