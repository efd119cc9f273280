/**
 * `npm run bench`: medians of repeated runs, side by side with the peers measured in the same run.
 * Env: BENCH_RUNS (default 5), BENCH_PYTHON (default: pyenv 3.12, else /usr/bin/python3).
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { discoverInterpreters } from '../src/core/discovery/discover';
import { probeInterpreter } from '../src/core/discovery/probe';
import { run } from '../src/core/process/run';
import { createVenv } from '../src/core/venv/create';
import { pyenvPython, tempDir } from '../test/fixtures/machine';
import { useHermeticPip } from '../test/fixtures/pipEnv';

const RUNS = Number(process.env.BENCH_RUNS || 5);

/** Median wall time of `RUNS` runs of `task`, in ms; `prepare` runs untimed before each. */
async function median(task: () => Promise<unknown>, prepare: () => void = () => undefined): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    prepare();
    const started = performance.now();
    await task();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? NaN;
}

function report(title: string, rows: [string, number][]): void {
  const ours = rows[0]?.[1] ?? NaN;
  console.log(`\n${title} (median of ${RUNS} runs)`);
  for (const [name, ms] of rows) console.log(`  ${name.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms   ${name === rows[0]?.[0] ? '' : `${(ms / ours).toFixed(2)}x ours`}`);
}

async function main(): Promise<void> {
  useHermeticPip();
  const scratch = tempDir('venv-pilot-bench-');
  const cacheFile = path.join(scratch, 'interpreters.json');
  const cold = await median(() => discoverInterpreters({ cacheFile }), () => rmSync(cacheFile, { force: true }));
  const warm = await median(() => discoverInterpreters({ cacheFile }));
  const count = (await discoverInterpreters({ cacheFile })).interpreters.length;
  report(`Discovery of ${count} interpreters`, [['venv-pilot warm (cache)', warm], ['venv-pilot cold (every probe runs)', cold]]);

  const exe = process.env.BENCH_PYTHON || pyenvPython('3.12') || '/usr/bin/python3';
  const interpreter = { path: exe, ...(await probeInterpreter(exe, { timeoutMs: 10_000 })) };
  const dest = path.join(scratch, 'venv');
  const fresh = (): void => rmSync(dest, { recursive: true, force: true });
  const rows: [string, number][] = [
    ['venv-pilot create (pip seeded offline)', await median(() => createVenv({ interpreter, dest }), fresh)],
    ['python -m venv (pip via ensurepip)', await median(() => run([exe, '-m', 'venv', dest]), fresh)],
  ];
  const virtualenv = ['/usr/bin/virtualenv', path.join(path.dirname(exe), 'virtualenv')].find((p) => existsSync(p));
  if (virtualenv) rows.push([`virtualenv (${virtualenv})`, await median(() => run([virtualenv, '--python', exe, dest]), fresh)]);
  else console.log('\n(virtualenv is not installed: apt install python3-virtualenv to compare with it)');
  report(`Creating a venv with pip, Python ${interpreter.version}`, rows);
  rmSync(scratch, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
