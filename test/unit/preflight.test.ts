import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ProcessError, run } from '../../src/core/leaves/process';

const script = path.resolve(import.meta.dirname, '..', '..', 'scripts', 'system-deps.sh');

describe('system-deps.sh --check (the preflight before the tests)', () => {
  it('names a missing Debian package and the apt-get line that installs it, installing nothing', async () => {
    const error = await run(['bash', script, '--check', 'test'], { env: { VENV_PILOT_EXTRA_PACKAGES: 'venv-pilot-no-such-package' } }).then(
      () => assert.fail('the check passed although a package is missing'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ProcessError);
    assert.equal(error.exitCode, 1);
    assert.match(error.stderr, /missing: (.* )?venv-pilot-no-such-package/);
    assert.match(error.stderr, /apt-get install -y (.* )?venv-pilot-no-such-package/);
  });

  it('passes when every package of a mode is installed', async () => {
    await run(['bash', script, '--check', 'test']);
  });

  it('refuses an unknown mode as a usage error', async () => {
    const error = await run(['bash', script, '--check', 'tests']).catch((e: unknown) => e);
    assert.ok(error instanceof ProcessError);
    assert.equal(error.exitCode, 2);
  });
});
