/**
 * Each CLI command's bundle holds only what the command needs (read from the sources esbuild
 * recorded for each bundle in out/cli-bundles.json, written by `node esbuild.mjs`).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const root = path.resolve(import.meta.dirname, '..', '..');
const bundles = JSON.parse(readFileSync(path.join(root, 'out', 'cli-bundles.json'), 'utf8')) as Record<string, string[]>;
const sources = (command: string): string[] => {
  const inputs = bundles[`dist/cli/${command}.js`];
  assert.ok(inputs, `no bundle for ${command}`);
  return inputs;
};
const LANGUAGE_SERVER = /^src\/server\/|vscode-languageserver|vscode-jsonrpc/;
const LOCATORS_AND_SCAN = /^src\/core\/parts\/discovery\/(discover\.ts|locators\/(?!context\.ts))/;
const EXECA = /node_modules\/execa\//;

describe('CLI bundles: a command loads only what it needs', () => {
  it('create, freeze and env hold no language server or LSP protocol code', () => {
    for (const command of ['create', 'freeze', 'env']) assert.deepEqual(sources(command).filter((s) => LANGUAGE_SERVER.test(s)), [], command);
  });

  it('create (for --python PATH), freeze, env and sync hold no locator and no discovery scan; create leaves specs to the find bundle', () => {
    for (const command of ['create', 'freeze', 'env', 'sync']) assert.deepEqual(sources(command).filter((s) => LOCATORS_AND_SCAN.test(s)), [], command);
    assert.ok(sources('find').some((s) => LOCATORS_AND_SCAN.test(s)), 'the find bundle does hold discovery');
    assert.match(readFileSync(path.join(root, 'dist', 'cli', 'create.js'), 'utf8'), /require\("\.\/find\.js"\)/);
  });

  it('freeze and env hold no discovery at all', () => {
    for (const command of ['freeze', 'env']) assert.deepEqual(sources(command).filter((s) => s.startsWith('src/core/parts/discovery/')), [], command);
  });

  it('no command bundle holds execa: it is dist/execa.js, required on the first spawn', () => {
    for (const file of Object.keys(bundles).filter((f) => f.endsWith('.js'))) assert.deepEqual(bundles[file]?.filter((s) => EXECA.test(s)), [], file);
  });

  it('the language server lives in the lsp bundle only', () => {
    assert.ok(sources('lsp').some((s) => s.startsWith('src/server/')));
  });
});
