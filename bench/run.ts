/**
 * `npm run bench [-- SUITE...]`: medians of repeated runs, side by side with the peers measured in
 * the same run. Suites: `discovery`, `create` (default: all).
 * Env: BENCH_RUNS (default 10), BENCH_PYTHON (default: pyenv 3.12, else /usr/bin/python3).
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { discoverInterpreters } from '../src/core/discovery/discover';
import { probeInterpreter } from '../src/core/discovery/probe';
import { run } from '../src/core/process/run';
import { createVenv } from '../src/core/venv/create';
import { pyenvPython, tempDir } from '../test/fixtures/machine';
import { useHermeticPip } from '../test/fixtures/pipEnv';

const RUNS = Number(process.env.BENCH_RUNS || 10);

/** Median of `RUNS` samples; `sample` returns one measurement in ms (or times `task` when it returns nothing). */
async function median(task: () => Promise<number | unknown>, prepare: () => void = () => undefined): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    prepare();
    const started = performance.now();
    const measured = await task();
    times.push(typeof measured === 'number' ? measured : performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? NaN;
}

function report(title: string, rows: [string, number][]): void {
  const ours = rows[0]?.[1] ?? NaN;
  console.log(`\n${title} (median of ${RUNS} runs)`);
  for (const [name, ms] of rows) console.log(`  ${name.padEnd(58)} ${ms.toFixed(1).padStart(9)} ms   ${name === rows[0]?.[0] ? '' : `${(ms / ours).toFixed(1)}x ours`}`);
}

async function discoveryBench(scratch: string): Promise<void> {
  const cacheFile = path.join(scratch, 'interpreters.json');
  const warm = await median(() => discoverInterpreters({ cacheFile }));
  const cold = await median(() => discoverInterpreters({ cacheFile }), () => rmSync(cacheFile, { force: true }));
  const { interpreters, problems } = await discoverInterpreters({ cacheFile });
  const rows: [string, number][] = [['venv-pilot discovery, warm (cache), in-process', warm], ['venv-pilot discovery, cold (every probe runs), in-process', cold]];
  // virtualenv's own discovery (its builtin get_interpreter), timed inside its Python process.
  const virtualenvPython = '/usr/bin/python3';
  const script = 'import sys, time\nfrom virtualenv.discovery.builtin import get_interpreter\nt = time.perf_counter()\ni = get_interpreter("3.9", [])\nprint((time.perf_counter() - t) * 1000, i.executable if i else "not found")';
  const hasVirtualenv = await run([virtualenvPython, '-c', 'import virtualenv']).then(() => true, () => false);
  let found = '';
  if (hasVirtualenv) {
    rows.push(['virtualenv get_interpreter("3.9"), in-process', await median(async () => {
      const out = (await run([virtualenvPython, '-c', script])).stdout;
      found = out.slice(out.indexOf(' ') + 1);
      return Number(out.slice(0, out.indexOf(' ')));
    })]);
  }
  report(`Discovery: ${interpreters.length} interpreters, ${problems.length} problems`, rows);
 console.log(hasVirtualenv ? `  (virtualenv's answer for 3.9: ${found}; venv-pilot's: ${interpreters.find((i) => i.version.startsWith('3.9.') && !i.isVenv)?.path ?? 'not found'})` : '  (virtualenv is not installed: apt install python3-virtualenv to compare with it)');
  console.log(`  targets: cold <= 400 ms, warm <= 15 ms -> cold ${cold <= 400 ? 'met' : 'MISSED'}, warm ${warm <= 15 ? 'met' : 'MISSED'}`);
}

async function createBench(scratch: string): Promise<void> {
  const exe = process.env.BENCH_PYTHON || pyenvPython('3.12') || '/usr/bin/python3';
  const interpreter = { path: exe, ...(await probeInterpreter(exe, { timeoutMs: 10_000 })) };
  const dest = path.join(scratch, 'venv');
  const fresh = (): void => rmSync(dest, { recursive: true, force: true });
  const rows: [string, number][] = [
    ['venv-pilot create (pip seeded offline)', await median(() => createVenv({ interpreter, dest }), fresh)],
    ['python -m venv (pip via ensurepip)', await median(() => run([exe, '-m', 'venv', dest]), fresh)],
  ];
  if (existsSync('/usr/bin/virtualenv')) rows.push(['virtualenv (app-data seeder)', await median(() => run(['/usr/bin/virtualenv', '--python', exe, dest]), fresh)]);
  report(`Creating a venv with pip, Python ${interpreter.version}`, rows);
}

const SUITES: Record<string, (scratch: string) => Promise<void>> = { discovery: discoveryBench, create: createBench };

async function main(): Promise<void> {
  useHermeticPip();
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SUITES);
  const unknown = names.filter((n) => !SUITES[n]);
  if (unknown.length) throw new Error(`Unknown bench suite ${unknown.join(', ')}; choose from ${Object.keys(SUITES).join(', ')}`);
  const scratch = tempDir('venv-pilot-bench-');
  for (const name of names) await SUITES[name]?.(scratch);
  rmSync(scratch, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
