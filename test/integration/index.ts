/**
 * Entry point the extension host loads (extensionTestsPath): runs every `*.test.js` beside it
 * (or every `*.untrusted.js` / `*.multiroot.js` / `*.projects.js` when VENV_PILOT_SUITE is
 * `untrusted` / `multiroot` / `projects`)
 * with mocha's TDD UI (`VENV_PILOT_GREP` narrows it to matching titles). Resolving means pass, rejecting means fail. A JSON summary also goes to
 * $VENV_PILOT_TEST_RESULTS, the harness's fallback when the workbench exit hook never fires.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

export function run(): Promise<void> {
  // The extension host forwards console.log arguments separately, so mocha's "%s" would stay raw.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(format(...args));
  // VENV_PILOT_GREP narrows a run to the tests whose full title matches, to iterate on one.
  const grep = process.env.VENV_PILOT_GREP;
  const mocha = new Mocha({ ui: 'tdd', timeout: 120_000, color: false, reporter: 'spec', ...(grep ? { grep } : {}) });
  const suite = process.env.VENV_PILOT_SUITE;
  const suffix = suite === 'untrusted' || suite === 'multiroot' || suite === 'projects' ? `.${suite}.js` : '.test.js';
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith(suffix)).sort()) mocha.addFile(path.join(__dirname, file));
  return new Promise((resolve, reject) => {
    const tests: { title: string; state: string; error?: string }[] = [];
    const runner = mocha.run((failures) => {
      const file = process.env.VENV_PILOT_TEST_RESULTS;
      if (file) writeFileSync(file, JSON.stringify({ failures, passes: tests.filter((t) => t.state === 'passed').length, tests }, null, 2));
      if (failures > 0) reject(new Error(`${failures} integration tests failed`));
      else resolve();
    });
    runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed' }));
    runner.on('fail', (t, err: unknown) => tests.push({ title: t.fullTitle(), state: 'failed', error: String(err) }));
  });
}
