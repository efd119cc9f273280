/**
 * Runs before the unit tests: checks that this machine has every Debian package and pyenv
 * version the suite relies on, and fails with the command that installs what is missing, instead
 * of letting a deep test fail on a missing wheel (as `python3-wheel-whl` once did on a fresh machine).
 * The Debian list lives in scripts/system-deps.sh; the pyenv versions are the machine image's.
 */
import path from 'node:path';
import { ProcessError, run } from '../src/core/leaves/process';
import { pyenvPython, PYENV_VERSIONS } from './fixtures/machine';

/** The pyenv versions the suite's version matrix uses (freeze identity per pip, probe on 2.7, equivalence...). */
export const PYENV_REQUIRED = ['2.7', '3.6', '3.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13'];

const root = path.resolve(import.meta.dirname, '..');
const problems: string[] = [];
await run(['bash', path.join(root, 'scripts', 'system-deps.sh'), '--check', 'test']).catch((error: unknown) => {
  problems.push(error instanceof ProcessError ? error.stderr : String(error));
});
const missingPythons = PYENV_REQUIRED.filter((v) => !pyenvPython(v));
if (missingPythons.length) {
  problems.push(`The tests need these pyenv versions under ${PYENV_VERSIONS}, which are missing: ${missingPythons.join(', ')}\nInstall them with: ${missingPythons.map((v) => `pyenv install ${v}`).join(' && ')}`);
}
if (problems.length) {
  console.error(`Preflight failed: this machine lacks what the tests need.\n\n${problems.join('\n\n')}`);
  process.exit(1);
}
console.log(`Preflight: every Debian package in scripts/system-deps.sh (test) and pyenv ${PYENV_REQUIRED.join(', ')} are present`);
