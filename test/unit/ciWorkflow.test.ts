/**
 * The CI workflow for real Linux, Windows and macOS runners (.github/workflows/ci.yml). It cannot
 * run here, so it is checked here: valid against GitHub's workflow schema (action-validator, a
 * WebAssembly build that needs no network), and running what the README's "Platforms" says it runs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';

const file = path.resolve(import.meta.dirname, '..', '..', '.github', 'workflows', 'ci.yml');
const text = readFileSync(file, 'utf8');

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly jobs: Record<string, { 'runs-on': string; strategy: { 'fail-fast': boolean; matrix: { os: string[] } }; defaults: { run: { shell: string } }; env: Record<string, string>; steps: Step[] }>;
}

describe('the CI workflow (runs on GitHub-hosted runners, validated here offline)', () => {
  it('is a valid GitHub Actions workflow (action-validator, the workflow JSON schema)', () => {
    const result = validateWorkflow(text);
    assert.deepEqual(result.errors, [], JSON.stringify(result.errors, null, 2));
  });

  it('runs the unit and integration suites on Linux, Windows and macOS, Node 20, Pythons from setup-python', () => {
    const workflow = parse(text) as Workflow;
    assert.ok('push' in workflow.on && 'pull_request' in workflow.on);
    const job = workflow.jobs.test;
    assert.ok(job);
    assert.equal(job['runs-on'], '${{ matrix.os }}');
    assert.deepEqual(job.strategy.matrix.os, ['ubuntu-latest', 'windows-latest', 'macos-latest']);
    assert.equal(job.strategy['fail-fast'], false);
    assert.equal(job.defaults.run.shell, 'bash');
    assert.equal(job.env.VENV_PILOT_VSCODE, 'desktop');
    const uses = (action: string): Step | undefined => job.steps.find((s) => s.uses?.startsWith(`${action}@`));
    assert.ok(uses('actions/checkout'));
    assert.equal(String(uses('actions/setup-node')?.with?.['node-version']), '20');
    const pythons = String(uses('actions/setup-python')?.with?.['python-version']).trim().split(/\s+/);
    assert.ok(pythons.length >= 2 && pythons.every((v) => /^3\.\d+$/.test(v)), pythons.join(' '));
    const runs = job.steps.map((s) => s.run ?? '');
    assert.ok(runs.includes('npm ci'));
    assert.ok(runs.some((r) => r.includes('node --import tsx --test') && r.includes('test/unit/*.test.ts')), 'the unit suite');
    const integration = job.steps.filter((s) => s.run?.includes('npm run test:integration'));
    assert.deepEqual(
      integration.map((s) => [s.if, s.run]),
      [
        ["runner.os == 'Linux'", 'xvfb-run -a npm run test:integration'],
        ["runner.os != 'Linux'", 'npm run test:integration'],
      ],
    );
  });
});
