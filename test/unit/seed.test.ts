import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, utimesSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { compareVersions } from '../../src/core/leaves/requirements/pep440';
import { after, before, describe, it } from 'node:test';
import type { BaseInterpreter } from '../../src/core/parts/discovery/types';
import { ProcessError, run } from '../../src/core/leaves/process';
import { isPlainFileName, parseConsoleScripts, scriptsForPython, staysInside } from '../../src/core/parts/seed/image';
import { UserError } from '../../src/core/leaves/errors';
import { parseSimplePage } from '../../src/core/parts/seed/index';
import { consoleScript, scriptShebang, SPARES_KEPT } from '../../src/core/parts/seed/install';
import { findSeedWheel, offlineWheelSources, parseSeedRequest, wheelsIn } from '../../src/core/parts/seed/wheels';
import { createVenv } from '../../src/core/orchestrations/create';
import { baseInterpreter, PYENV_VERSIONS, pyenvPython, pyenvVersions, tempDir } from '../fixtures/machine';
import { serveIndex, type FixtureIndex } from '../fixtures/index';
import { useHermeticPip } from '../fixtures/pipEnv';
import { buildWheel, buildWheels, DEMO_PACKAGES } from '../fixtures/wheels';

useHermeticPip();

const exe = pyenvPython('3.12') ?? '/usr/bin/python3';
const debianWheels = '/usr/share/python-wheels';
const debianPip = wheelsIn(debianWheels, 'pip')[0];
let interpreter: BaseInterpreter;
before(async () => {
  interpreter = await baseInterpreter(exe);
});

/** Every file of every image in a cache, with its content hash: proof that nothing changed them. */
function imageFingerprint(cacheDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.isFile()) out[path.relative(cacheDir, file)] = createHash('sha256').update(readFileSync(file)).digest('hex');
    }
  };
  visit(cacheDir);
  return out;
}

describe('seed wheels: sources in order, Requires-Python, pins', () => {
  it('parses seed requests and rejects nonsense', () => {
    assert.deepEqual(parseSeedRequest('pip'), { project: 'pip' });
    assert.deepEqual(parseSeedRequest('pip==23.2.1'), { project: 'pip', specifier: '==23.2.1' });
    assert.deepEqual(parseSeedRequest('Setup_Tools >= 68'), { project: 'setup-tools', specifier: '>= 68' });
    assert.throws(() => parseSeedRequest('pip@@1'), /Cannot understand seed "pip@@1"/);
  });

  it('find-links comes first, a wheel whose Requires-Python excludes the interpreter is skipped, then ensurepip', { skip: !debianPip && 'no /usr/share/python-wheels' }, async () => {
    const links = tempDir();
    buildWheel(links, { name: 'pip', version: '99.0', requiresPython: '>=3.99' });
    const sources = offlineWheelSources(interpreter, [links]);
    assert.deepEqual(sources.map((s) => s.kind), ['find-links', 'ensurepip', 'python-wheels']);
    const fromBundled = await findSeedWheel(sources, { project: 'pip' }, interpreter.version);
    assert.equal(fromBundled?.source, 'ensurepip', 'pip 99.0 needs Python 3.99, so the bundled pip is used');
    copyFileSync(debianPip?.path ?? '', path.join(links, path.basename(debianPip?.path ?? '')));
    const fromLinks = await findSeedWheel(sources, { project: 'pip' }, interpreter.version);
    assert.equal(fromLinks?.source, 'find-links');
    assert.equal(fromLinks?.version, debianPip?.version);
  });

  it('a pin selects an exact version from a later source', { skip: !debianPip && 'no /usr/share/python-wheels' }, async () => {
    const pinned = await findSeedWheel(offlineWheelSources(interpreter), { project: 'pip', specifier: `==${debianPip?.version}` }, interpreter.version);
    assert.equal(pinned?.source, 'python-wheels');
    assert.equal(pinned?.version, debianPip?.version);
  });

  it('generates versioned console scripts for the target Python, as pip does', () => {
    const scripts = parseConsoleScripts('[console_scripts]\npip = pip._internal.cli.main:main\npip3 = pip._internal.cli.main:main\npip3.10 = pip._internal.cli.main:main\n\n[other]\nx = y:z\n');
    assert.deepEqual(scriptsForPython(scripts, 3, 12).map((s) => s.name), ['pip', 'pip3', 'pip3.12']);
    assert.deepEqual(scriptsForPython([{ name: 'easy_install-3.8', module: 'setuptools.command.easy_install', attr: 'main' }], 3, 12).map((s) => s.name), ['easy_install-3.12', 'easy_install-3']);
  });

  it('writes a shebang that works for any path, quotes included', async () => {
    assert.equal(scriptShebang('/venv/bin/python'), '#!/venv/bin/python\n');
    const dir = path.join(tempDir(), `it's a "quoted" dir`);
    const created = await createVenv({ interpreter, dest: dir, cacheDir: path.join(tempDir(), 'cache') });
    assert.match(readFileSync(path.join(created.dir, 'bin', 'pip'), 'utf8'), /^#!\/bin\/sh\n'''exec'/);
    assert.match((await run([path.join(created.dir, 'bin', 'pip'), '--version'])).stdout, /^pip [\d.]+ from /);
    assert.match(consoleScript({ name: 'x', module: 'a.b', attr: 'c.d' }, '/v/bin/python'), /from a\.b import c\n[\s\S]*sys\.exit\(c\.d\(\)\)/);
  });
});

describe('seeded venvs and the shared install images', () => {
  // Debian's python3 seeded with Debian's older pip, upgraded to a newer pip from a pyenv ensurepip bundle.
  const newerPip = pyenvVersions()
    .flatMap((v) => wheelsIn(path.join(PYENV_VERSIONS, v, 'lib', `python${v.split('.').slice(0, 2).join('.')}`, 'ensurepip', '_bundled'), 'pip'))
    .find((w) => debianPip && compareVersions(w.version, debianPip.version) > 0);
  for (const mode of ['hardlink', 'symlink'] as const) {
    it(`pip install -U pip and pip uninstall pip never change the image (${mode})`, { skip: (!debianPip || !newerPip || !existsSync('/usr/bin/python3')) && 'needs Debian python3, its pip wheel, and a newer pip wheel' }, async () => {
      const debian = await baseInterpreter('/usr/bin/python3');
      const cacheDir = path.join(tempDir(), 'cache');
      const dest = path.join(tempDir(), '.venv');
      const created = await createVenv({ interpreter: debian, dest, cacheDir, appData: mode, seed: [{ project: 'pip', specifier: `==${debianPip?.version}` }] });
      assert.deepEqual(created.seeded.map((s) => [s.version, s.source]), [[debianPip?.version, 'python-wheels']]);
      const before = imageFingerprint(cacheDir);
      await run([path.join(dest, 'bin', 'python'), '-m', 'pip', 'install', '--disable-pip-version-check', '--no-index', '--find-links', path.dirname(newerPip?.path ?? ''), '-U', 'pip']);
      const { stdout } = await run([path.join(dest, 'bin', 'pip'), '--version']);
      assert.doesNotMatch(stdout, new RegExp(`^pip ${debianPip?.version?.replace(/\./g, '\\.')} `), 'pip was upgraded in the venv');
      assert.deepEqual(imageFingerprint(cacheDir), before, 'the image is untouched by the upgrade');
      await run([path.join(dest, 'bin', 'python'), '-m', 'pip', 'uninstall', '-y', 'pip']);
      assert.deepEqual(imageFingerprint(cacheDir), before, 'the image is untouched by the uninstall');
      const again = path.join(tempDir(), '.venv');
      await createVenv({ interpreter: debian, dest: again, cacheDir, appData: mode, seed: [{ project: 'pip', specifier: `==${debianPip?.version}` }] });
      assert.match((await run([path.join(again, 'bin', 'pip'), '--version'])).stdout, new RegExp(`^pip ${debianPip?.version?.replace(/\./g, '\\.')} `), 'the image still seeds working venvs');
    });
  }

  it('hard-links image files into the venv, so a second venv costs no copies', async () => {
    const cacheDir = path.join(tempDir(), 'cache');
    const dest = path.join(tempDir(), '.venv');
    await createVenv({ interpreter, dest, cacheDir });
    const init = path.join(dest, interpreter.venvPaths?.purelib ?? '', 'pip', '__init__.py');
    assert.ok(statSync(init).nlink >= 2, 'pip/__init__.py is a hard link to the image');
    const pyc = readdirSync(path.join(path.dirname(init), '__pycache__'));
    assert.ok(pyc.some((f) => f.startsWith('__init__.') && f.endsWith('.pyc')), 'the image was precompiled by the target interpreter');
    const record = readFileSync(path.join(dest, interpreter.venvPaths?.purelib ?? '', readdirSync(path.join(dest, interpreter.venvPaths?.purelib ?? '')).find((d) => d.endsWith('.dist-info')) ?? '', 'RECORD'), 'utf8');
    assert.match(record, /^\.\.\/\.\.\/\.\.\/bin\/pip3\.\d+,,$/m, 'RECORD lists the console scripts, so pip can uninstall them');
    assert.match(record, /^pip\/__init__\.py,sha256=[\w-]+,\d+$/m);
  });

  it('staged spares make the next creations a rename, and the venv is the same', async () => {
    const cacheDir = path.join(tempDir(), 'cache');
    const first = await createVenv({ interpreter, dest: path.join(tempDir(), '.venv'), cacheDir });
    assert.ok(first.spare, 'no spare waits, so the creation asks for staging');
    first.stageNext();
    const spares = path.join(cacheDir, 'spares');
    const [key] = readdirSync(spares);
    const waiting = (): number => readdirSync(path.join(spares, key ?? '')).filter((n) => n.startsWith('spare-')).length;
    assert.equal(waiting(), SPARES_KEPT, 'spares are staged');
    first.stageNext();
    assert.equal(waiting(), SPARES_KEPT, 'staging again while they wait adds none');
    const second = await createVenv({ interpreter, dest: path.join(tempDir(), '.venv'), cacheDir });
    assert.equal(waiting(), SPARES_KEPT - 1, 'a spare was moved into the new venv');
    assert.equal(second.spare, undefined, 'spares still wait, so nothing asks for restaging');
    assert.deepEqual(readdirSync(path.join(spares, key ?? '')).filter((n) => !n.startsWith('spare-')), [], 'no half-built spare is left');
    const list = (dir: string): string[] => readdirSync(path.join(dir, interpreter.venvPaths?.purelib ?? ''), { recursive: true }).map(String).sort();
    assert.deepEqual(list(second.dir), list(first.dir), 'same site-packages as a venv seeded without a spare');
    assert.match((await run([path.join(second.dir, 'bin', 'pip'), '--version'])).stdout, new RegExp(`from ${second.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`));
  });

  it('restaging removes half-built spares a killed stager left behind long ago, and no others', async () => {
    const cacheDir = path.join(tempDir(), 'cache');
    const first = await createVenv({ interpreter, dest: path.join(tempDir(), '.venv'), cacheDir });
    first.stageNext();
    const [key] = readdirSync(path.join(cacheDir, 'spares'));
    const dir = path.join(cacheDir, 'spares', key ?? '');
    for (const name of ['.building-killed', '.building-running']) mkdirSync(path.join(dir, name));
    const anHourAgo = new Date(Date.now() - 3600_000);
    utimesSync(path.join(dir, '.building-killed'), anHourAgo, anHourAgo);
    for (const name of readdirSync(dir).filter((n) => n.startsWith('spare-'))) renameSync(path.join(dir, name), path.join(tempDir(), name));
    first.stageNext();
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.building-')), ['.building-running']);
  });

  it('the CLI returns before restaging: a detached process stages the spares after it', async () => {
    const cacheHome = tempDir();
    const cli = path.resolve(import.meta.dirname, '..', '..', 'dist', 'cli.js');
    await run([process.execPath, cli, 'create', path.join(tempDir(), 'venv'), '--python', exe], { env: { XDG_CACHE_HOME: cacheHome } });
    const spares = path.join(cacheHome, 'venv-pilot', 'seed', 'spares');
    const waiting = (): number => (existsSync(spares) ? readdirSync(spares).flatMap((key) => readdirSync(path.join(spares, key))).filter((n) => n.startsWith('spare-')).length : 0);
    for (const started = Date.now(); waiting() < SPARES_KEPT; ) {
      if (Date.now() - started > 30_000) assert.fail(`only ${waiting()} spares were staged within 30 s of create`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const next = path.join(tempDir(), 'venv');
    await run([process.execPath, cli, 'create', next, '--python', exe], { env: { XDG_CACHE_HOME: cacheHome } });
    assert.ok(waiting() >= SPARES_KEPT - 1, 'the next creation took a spare');
    await run([path.join(next, 'bin', 'pip'), '--version']);
  });

  it('refuses a venv interpreter as the base, naming its base', async () => {
    const venv = await createVenv({ interpreter, dest: path.join(tempDir(), '.venv'), cacheDir: path.join(tempDir(), 'cache'), seed: [] });
    const cli = path.resolve(import.meta.dirname, '..', '..', 'dist', 'cli.js');
    const error = await run([process.execPath, cli, 'create', path.join(tempDir(), 'x'), '--python', venv.python], { env: { XDG_CACHE_HOME: tempDir() } }).catch((e: unknown) => e);
    assert.ok(error instanceof ProcessError);
    assert.equal(error.exitCode, 1);
    assert.match(error.stderr, /belongs to the virtual environment .*; give a base interpreter/);
  });

  it('setuptools and wheel are opt-in seeds', { skip: !existsSync(path.join(debianWheels)) && 'no /usr/share/python-wheels' }, async () => {
    const debian = await baseInterpreter('/usr/bin/python3');
    const dest = path.join(tempDir(), '.venv');
    const created = await createVenv({ interpreter: debian, dest, cacheDir: path.join(tempDir(), 'cache'), seed: ['pip', 'setuptools', 'wheel'].map((project) => ({ project })) });
    assert.deepEqual(created.seeded.map((s) => s.project), ['pip', 'setuptools', 'wheel']);
    await run([path.join(dest, 'bin', 'python'), '-c', 'import setuptools, wheel, pip']);
    const none = await createVenv({ interpreter: debian, dest: path.join(tempDir(), '.venv'), cacheDir: path.join(tempDir(), 'cache'), seed: [] });
    assert.deepEqual(none.seeded, []);
  });

  it("Debian's python3 gets a working pip from /usr/share/python-wheels, without the venv module or ensurepip", { skip: !existsSync('/usr/bin/python3') && 'no /usr/bin/python3' }, async () => {
    const debian = await baseInterpreter('/usr/bin/python3');
    const created = await createVenv({ interpreter: debian, dest: path.join(tempDir(), '.venv'), cacheDir: path.join(tempDir(), 'cache') });
    assert.equal(created.creator, 'builtin', 'no python -m venv ran');
    assert.equal(created.seeded[0]?.source, 'python-wheels', 'the seed did not come from ensurepip');
    await run([created.python, '-m', 'pip', '--version']);
  });

  it('two processes building the same image at once both succeed and leave one image', async () => {
    const cacheHome = tempDir();
    const cli = path.resolve(import.meta.dirname, '..', '..', 'dist', 'cli.js');
    const dests = [1, 2].map((n) => path.join(tempDir(), `venv-${n}`));
    await Promise.all(dests.map((dest) => run([process.execPath, cli, 'create', dest, '--python', exe], { env: { XDG_CACHE_HOME: cacheHome } })));
    for (const dest of dests) await run([path.join(dest, 'bin', 'pip'), '--version']);
    const images = path.join(cacheHome, 'venv-pilot', 'seed', 'images');
    const [wheelDir, ...others] = readdirSync(images);
    assert.equal(others.length, 0);
    assert.equal(readdirSync(path.join(images, wheelDir ?? '')).length, 1, 'one image, no temporary folders left');
  });
});

describe('pip index settings, against a PEP 503 index on 127.0.0.1', () => {
  let index: FixtureIndex;
  let requirements: string;
  before(async () => {
    const root = tempDir();
    const wheels = buildWheels(path.join(root, 'wheels'), DEMO_PACKAGES);
    index = await serveIndex(path.join(root, 'www'), wheels);
    requirements = path.join(root, 'requirements.txt');
    mkdirSync(path.dirname(requirements), { recursive: true });
    await import('node:fs').then((fs) => fs.writeFileSync(requirements, 'pilotfish==1.0.0\n'));
  });
  after(() => index.server.stop());

  it('indexUrl points pip at the index for the requirements', async () => {
    const created = await createVenv({ interpreter, dest: path.join(tempDir(), '.venv'), cacheDir: path.join(tempDir(), 'cache'), requirements: [requirements], pip: { indexUrl: index.url } });
    assert.equal((await run([created.python, '-c', 'import pilotfish; print(pilotfish.__version__)'])).stdout, '1.0.0');
    assert.ok(index.requests.some((r) => r.startsWith('/simple/pilotfish/')), 'pip asked the fixture index');
  });

  it('a seed found in no local source comes from the index, hash-checked; offline, it is an error naming where it looked', async () => {
    const cacheDir = path.join(tempDir(), 'cache');
    const created = await createVenv({ interpreter, dest: path.join(tempDir(), '.venv'), cacheDir, seed: [{ project: 'pip' }, { project: 'remora' }], pip: { indexUrl: index.url } });
    assert.deepEqual(created.seeded.map((s) => [s.project, s.source]), [['pip', 'ensurepip'], ['remora', 'index']]);
    assert.equal((await run([created.python, '-c', 'import remora; print(remora.__version__)'])).stdout, '0.3.0');
    const asked = index.requests.length;
    const dest = path.join(tempDir(), '.venv');
    await assert.rejects(
      createVenv({ interpreter, dest, cacheDir: path.join(tempDir(), 'cache'), seed: [{ project: 'remora' }], pip: { indexUrl: index.url, offline: true } }),
      /No wheel of remora fits Python [\d.]+: looked in .*ensurepip.*, or allow the index \(not offline\)/,
    );
    assert.equal(index.requests.length, asked, 'offline seeding sent nothing to the index');
    assert.equal(existsSync(dest), false);
  });

  it('parses PEP 503 pages: relative links, sha256 fragments, escaped data-requires-python', () => {
    const html = '<a href="../../files/pip-24.0-py3-none-any.whl#sha256=' + 'a'.repeat(64) + '" data-requires-python="&gt;=3.7">pip-24.0-py3-none-any.whl</a>\n<a href="https://cdn.example/pip-1.0.tar.gz">pip-1.0.tar.gz</a>';
    assert.deepEqual(parseSimplePage(html, 'http://127.0.0.1:9/simple/pip/'), [
      { filename: 'pip-24.0-py3-none-any.whl', url: 'http://127.0.0.1:9/files/pip-24.0-py3-none-any.whl', sha256: 'a'.repeat(64), requiresPython: '>=3.7' },
      { filename: 'pip-1.0.tar.gz', url: 'https://cdn.example/pip-1.0.tar.gz' },
    ]);
  });

  it('offline never touches the index: pip fails with its own message instead', async () => {
    const asked = index.requests.length;
    const error = await createVenv({ interpreter, dest: path.join(tempDir(), '.venv'), cacheDir: path.join(tempDir(), 'cache'), requirements: [requirements], pip: { indexUrl: index.url, offline: true } }).catch((e: unknown) => e);
    assert.ok(error instanceof ProcessError);
    assert.match(error.message, /No matching distribution found for pilotfish==1\.0\.0/);
    assert.equal(index.requests.length, asked, 'no request reached the index');
  });
});

describe('a hostile seed wheel (zip-slip)', () => {
  for (const [what, pkg] of [
    ['an archive member climbing out with ../', { name: 'evil', version: '1.0', files: { '../../../../escaped.txt': 'owned\n' } }],
    ['an absolute archive member', { name: 'evil', version: '1.0', files: { '/tmp/venv-pilot-zip-slip-absolute.txt': 'owned\n' } }],
    ['a console script named ../../x', { name: 'evil', version: '1.0', consoleScripts: { '../../../escaped-script': 'evil:main' } }],
  ] as const) {
    it(`${what}: creation fails as pip would, and nothing is written outside the venv`, async () => {
      const root = tempDir();
      const links = path.join(root, 'deep', 'a', 'b', 'links');
      buildWheel(links, pkg);
      const dest = path.join(root, 'deep', 'a', 'b', 'venv');
      await assert.rejects(
        createVenv({ interpreter, dest, seed: [{ project: 'evil' }], findLinks: [links], cacheDir: path.join(root, 'cache') }),
        (e: unknown) => e instanceof UserError && /trying to install outside the target directory|not a plain file name/.test(e.message),
      );
      assert.equal(existsSync(dest), false, 'the half-made venv is gone');
      const escaped = ['escaped.txt', 'deep/escaped.txt', 'deep/a/escaped.txt', 'escaped-script', 'deep/escaped-script', 'deep/a/escaped-script', 'deep/a/b/escaped-script'].filter((f) => existsSync(path.join(root, f)));
      assert.deepEqual(escaped, []);
      assert.equal(existsSync('/tmp/venv-pilot-zip-slip-absolute.txt'), false);
    });
  }

  it('member names are checked the way pip checks them', () => {
    assert.equal(staysInside('/v/site', 'pkg/mod.py'), true);
    assert.equal(staysInside('/v/site', '..pkg/mod.py'), true, 'a name starting with two dots is still inside');
    for (const bad of ['../x', 'pkg/../../x', '/etc/passwd', 'C:/x', 'pkg\\..\\..\\x', '']) assert.equal(staysInside('/v/site', bad), false, bad);
    for (const bad of ['../x', 'a/b', '..', '.', 'a\nb']) assert.equal(isPlainFileName(bad), false, JSON.stringify(bad));
    assert.equal(isPlainFileName('pip3.12'), true);
  });
});
