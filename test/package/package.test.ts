/**
 * What users install: the .vsix `npm run package` built, and the CLI tarball `npm pack` builds.
 * Each ships exactly its include list, and nothing the running code needs is missing.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { run } from '../../src/core/leaves/process';
import { pyenvPython, tempDir } from '../fixtures/machine';

const root = path.resolve(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  version: string;
  main: string;
  icon: string;
  contributes: {
    languages: { configuration: string }[];
    grammars: { path: string }[];
    viewsContainers: { activitybar: { icon: string }[] };
    walkthroughs: { steps: { media: { markdown?: string; image?: string; svg?: string } }[] }[];
  };
};
const vsix = path.join(root, `venv-pilot-${manifest.version}.vsix`);

/** The files an ignore file lists back in with `!`, relative to the repository root. */
function includeList(file: string): string[] {
  return readFileSync(path.join(root, file), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/^\//, ''));
}

/** vsce renames these two as the Marketplace expects. */
const VSCE_NAMES: Record<string, string> = { 'README.md': 'readme.md', LICENSE: 'LICENSE.txt' };

describe('the .vsix (npm run package)', () => {
  // The filter sees every entry's name; refusing them all lists the archive without inflating it.
  const entries: string[] = [];
  unzipSync(readFileSync(vsix), { filter: (file) => (entries.push(file.name), false) });
  const listed = new Set(['[Content_Types].xml', 'extension.vsixmanifest', 'extension/package.json', ...includeList('.vscodeignore').map((f) => `extension/${VSCE_NAMES[f] ?? f}`)]);

  it('holds exactly the files .vscodeignore lists: no source maps, tests, sources or CLI chunks', () => {
    assert.deepEqual(entries.filter((e) => !listed.has(e)), [], 'files outside the include list');
    assert.deepEqual([...listed].filter((e) => !entries.includes(e)), [], 'listed files missing from the .vsix');
  });

  it('holds every file package.json points at: the extension, the grammar, the language configuration, the icons, the walkthrough media', () => {
    const { grammars, languages, viewsContainers, walkthroughs } = manifest.contributes;
    const media = walkthroughs.flatMap((w) => w.steps.flatMap((s) => [s.media.markdown, s.media.image, s.media.svg].filter((f): f is string => f !== undefined)));
    const referenced = [manifest.main, manifest.icon, ...grammars.map((g) => g.path), ...languages.map((l) => l.configuration), ...viewsContainers.activitybar.map((c) => c.icon), ...media];
    for (const file of referenced) assert.ok(entries.includes(`extension/${path.posix.normalize(file)}`), `${file} is referenced by package.json but not packaged`);
  });

  it('holds what the extension loads at run time: the server, the lazily loaded client library, execa and the TOML parser, the probe', () => {
    for (const file of ['dist/server.js', 'dist/languageclient.js', 'dist/execa.js', 'dist/toml.js', 'python/probe.py']) assert.ok(entries.includes(`extension/${file}`), `${file} is missing`);
  });

  it('is at most 1 MiB', () => {
    assert.ok(statSync(vsix).size <= 1024 * 1024, `${statSync(vsix).size} bytes`);
  });
});

describe('the CLI package (npm pack)', () => {
  it('ships the CLI bundle and the probe only, and its bin runs through npx offline', { skip: !pyenvPython('3.12') && 'Python 3.12 is not installed here' }, async () => {
    const scratch = tempDir('venv-pilot-pack-');
    const { stdout } = await run(['npm', 'pack', '--ignore-scripts', '--json', '--pack-destination', scratch], { cwd: root });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    assert.ok(packed);
    const files = packed.files.map((f) => f.path).sort();
    assert.deepEqual(files.filter((f) => !/^(dist\/cli\.js|dist\/(execa|toml)\.js|dist\/package\.json|dist\/cli\/[\w-]+\.js|python\/probe\.py|package\.json|README\.md|LICENSE)$/.test(f)), []);
    for (const file of ['dist/cli.js', 'dist/execa.js', 'dist/toml.js', 'python/probe.py']) assert.ok(files.includes(file), `${file} is missing`);
    // A fresh npm cache and --offline: the package has no dependencies to fetch.
    const env = { npm_config_cache: path.join(scratch, 'npm-cache'), XDG_CACHE_HOME: path.join(scratch, 'cache') };
    const found = await run(['npx', '--yes', '--offline', '--package', path.join(scratch, packed.filename), 'venv-pilot', 'find', '3.12'], { cwd: scratch, env });
    assert.equal(found.stdout, pyenvPython('3.12'));
    // The TOML parser is a bundle of its own, loaded the first time a pyproject.toml is read.
    writeFileSync(path.join(scratch, 'pyproject.toml'), '[project]\nname = "app"\ndependencies = ["remora"]\n');
    const sources = await run(['npx', '--yes', '--offline', '--package', path.join(scratch, packed.filename), 'venv-pilot', 'sources', scratch], { cwd: scratch, env });
    assert.match(sources.stdout, /^\* project +1 requirement from \[project\]/);
  });
});
