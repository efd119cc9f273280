import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancelledError, UserError } from '../../src/core/leaves/errors';
import { ProcessError, run } from '../../src/core/leaves/process';
import { createVenv } from '../../src/core/orchestrations/create';
import { syncVenv, progressOf, type SyncOptions } from '../../src/core/orchestrations/sync';
import type { BaseInterpreter } from '../../src/core/parts/discovery/types';
import { installedDistributions } from '../../src/core/parts/pip/installed';
import { folderSources, readSources, selectSources } from '../../src/core/parts/sources';
import { stampIsCurrent } from '../../src/core/parts/syncPlan';
import { pipConfigUvIgnores, uvErrorLine, uvIndexArgs } from '../../src/core/parts/uv/commands';
import { findUv, resolveInstaller, uvCacheFile, uvInstallLocations } from '../../src/core/parts/uv/find';
import { cliRunner } from '../fixtures/cli';
import { silentIndex } from '../fixtures/index';
import { baseInterpreter, processesMentioning, pyenvPython, tempDir } from '../fixtures/machine';
import { useHermeticPip } from '../fixtures/pipEnv';
import { testUv, useHermeticUv } from '../fixtures/uv';
import { buildWheels, DEMO_PACKAGES } from '../fixtures/wheels';

useHermeticPip();
useHermeticUv();

const exe = pyenvPython('3.12') ?? '/usr/bin/python3';
const found = await testUv();
const skip = found.reason ? `no uv binary: ${found.reason}` : false;
const uvPath = found.uv ?? '';
let interpreter: BaseInterpreter;
let wheels: string;
const seedCache = path.join(tempDir(), 'seed');
/** A uv lookup that finds only the test's uv, through a cache of its own. */
const uvLookup = (): { path: string; cacheFile: string } => ({ path: uvPath, cacheFile: uvCacheFile(tempDir()) });
/** A lookup that finds no uv at all: empty PATH, a home without install folders. */
const noUv = (): { env: Record<string, string>; home: string } => ({ env: { PATH: '' }, home: tempDir() });

before(async () => {
  interpreter = await baseInterpreter(exe);
  wheels = path.join(tempDir(), 'wheels');
  buildWheels(wheels, [
    ...DEMO_PACKAGES,
    { name: 'pilotfish', version: '2.0.0', requires: ['remora>=0.3'] },
    { name: 'wrasse', version: '0.2.0' },
  ]);
});

const offline = (): { offline: true; findLinks: string[] } => ({ offline: true, findLinks: [wheels] });

/** A project folder with a requirements file, and a venv beside it. */
async function project(requirements: string, seedPip = true): Promise<{ dir: string; venv: string; python: string; file: string; commands: string[]; sync: (extra?: Partial<SyncOptions>) => ReturnType<typeof syncVenv> }> {
  const dir = tempDir();
  const file = path.join(dir, 'requirements.txt');
  writeFileSync(file, requirements);
  const created = await createVenv({ interpreter, dest: path.join(dir, '.venv'), cacheDir: seedCache, installer: 'uv', uv: uvLookup(), seedPip });
  const commands: string[] = [];
  const sync = (extra: Partial<SyncOptions> = {}): ReturnType<typeof syncVenv> =>
    syncVenv(created.dir, { requirements: [file], environment: interpreter.markerEnvironment ?? {}, interpreterIdentity: `${exe}|${interpreter.version}`, installer: 'uv', uv: uvLookup(), pip: offline(), log: (c) => commands.push(c), ...extra });
  return { dir, venv: created.dir, python: created.python, file, commands, sync };
}

const versions = (venv: string): Record<string, string> => Object.fromEntries(installedDistributions(venv).map((d) => [d.normalizedName, d.version]));

describe('finding uv', { skip }, () => {
  it('probes a binary once, then answers from the cache keyed on its file', async () => {
    const cacheFile = uvCacheFile(tempDir());
    const first: string[] = [];
    const uv = await findUv({ path: uvPath, cacheFile, log: (c) => first.push(c) });
    assert.equal(uv?.source, 'setting');
    assert.match(uv?.version ?? '', /^\d+\.\d+\.\d+/);
    assert.deepEqual(first, [`${uvPath} --version`]);
    const second: string[] = [];
    assert.deepEqual(await findUv({ path: uvPath, cacheFile, log: (c) => second.push(c) }), uv);
    assert.deepEqual(second, [], 'the cached answer is used: nothing runs');
  });

  it('searches PATH, then the install folders ($UV_INSTALL_DIR, $XDG_BIN_HOME, ~/.local/bin, ~/.cargo/bin)', async () => {
    const home = tempDir();
    const onPathDir = path.join(tempDir(), 'tools');
    mkdirSync(onPathDir);
    copyFileSync(uvPath, path.join(onPathDir, 'uv'));
    chmodSync(path.join(onPathDir, 'uv'), 0o755);
    assert.equal((await findUv({ env: { PATH: onPathDir }, home }))?.source, 'path');
    const local = path.join(home, '.local', 'bin', 'uv');
    mkdirSync(path.dirname(local), { recursive: true });
    copyFileSync(uvPath, local);
    chmodSync(local, 0o755);
    const viaHome = await findUv({ env: { PATH: '' }, home });
    assert.deepEqual([viaHome?.path, viaHome?.source], [local, 'install-location']);
    assert.deepEqual(uvInstallLocations({ UV_INSTALL_DIR: '/opt/uv', XDG_BIN_HOME: '/x/bin' }, '/home/u', 'linux'), ['/opt/uv/uv', '/x/bin/uv', '/home/u/.local/bin/uv', '/home/u/.cargo/bin/uv']);
  });

  it('never runs a uv inside an untrusted folder', async () => {
    const workspace = tempDir();
    const inside = path.join(workspace, 'tools', 'uv');
    mkdirSync(path.dirname(inside), { recursive: true });
    copyFileSync(uvPath, inside);
    chmodSync(inside, 0o755);
    const ran: string[] = [];
    const warnings: string[] = [];
    assert.equal(await findUv({ env: { PATH: path.dirname(inside) }, home: tempDir(), untrustedFolders: [workspace], log: (c) => ran.push(c), onWarning: (w) => warnings.push(w) }), undefined);
    assert.deepEqual(ran, []);
    assert.match(warnings.join('\n'), /untrusted workspace folder and was not run/);
    const ranForSetting: string[] = [];
    await assert.rejects(findUv({ path: inside, untrustedFolders: [workspace], log: (c) => ranForSetting.push(c) }), (e: unknown) => e instanceof UserError && /untrusted/.test(e.message));
    assert.deepEqual(ranForSetting, []);
  });

  it('auto is pip without uv; uv without uv is an error naming where it looked', async () => {
    assert.deepEqual(await resolveInstaller('auto', noUv()), { kind: 'pip' });
    await assert.rejects(resolveInstaller('uv', noUv()), (e: unknown) => e instanceof UserError && /uv was not found \(looked on PATH and in .*\.local\/bin\/uv/.test(e.message));
    await assert.rejects(resolveInstaller('auto', { path: '/nonexistent/uv' }), /does not exist/);
  });
});

describe('index settings and output through uv', () => {
  it('passes pip settings as uv flags', () => {
    assert.deepEqual(uvIndexArgs({ indexUrl: 'https://i/simple', extraIndexUrls: ['https://e/simple'], findLinks: ['/w'], trustedHosts: ['i'], offline: true, proxy: 'http://p:3128' }), {
      args: ['--index-url', 'https://i/simple', '--extra-index-url', 'https://e/simple', '--find-links', '/w', '--allow-insecure-host', 'i', '--no-index'],
      env: { HTTPS_PROXY: 'http://p:3128', HTTP_PROXY: 'http://p:3128' },
    });
  });

  it("reports pip's configuration that uv does not read, unless a setting replaces it", () => {
    const home = tempDir();
    mkdirSync(path.join(home, '.config', 'pip'), { recursive: true });
    writeFileSync(path.join(home, '.config', 'pip', 'pip.conf'), '[global]\nindex-url = https://corp/simple\ncert = /x.pem\n');
    const notice = pipConfigUvIgnores({}, { PIP_FIND_LINKS: '/opt/wheels', XDG_CONFIG_DIRS: tempDir() }, home);
    assert.match(notice ?? '', /PIP_FIND_LINKS; index-url in .*pip\.conf do not apply/);
    assert.equal(pipConfigUvIgnores({ findLinks: ['/w'], indexUrl: 'https://i' }, { PIP_FIND_LINKS: '/opt/wheels', XDG_CONFIG_DIRS: tempDir() }, home), undefined);
    assert.equal(pipConfigUvIgnores({}, { PIP_CONFIG_FILE: '/dev/null' }, home), undefined, 'pip reads no file then');
  });

  it("reads uv's error with its cause, and its per-package lines as progress", () => {
    assert.equal(uvErrorLine('Using Python 3.12.1 environment at: v\nerror: No solution found when resolving dependencies\n  cause: Because x was not found in the provided package locations, we can conclude that your requirements are unsatisfiable.\n'), 'error: No solution found when resolving dependencies: Because x was not found in the provided package locations, we can conclude that your requirements are unsatisfiable.');
    assert.equal(uvErrorLine('  × No solution found when resolving dependencies:\n  ╰─▶ Because x was not found'), 'error: No solution found when resolving dependencies: Because x was not found');
    assert.deepEqual(progressOf(' + remora==0.3.0', 2), { message: '[3] + remora==0.3.0', collected: true });
    assert.deepEqual(progressOf('Resolved 2 packages in 3ms', 0), { message: 'Resolved 2 packages in 3ms', collected: false });
    assert.equal(progressOf('Using Python 3.12.1 environment at: .venv', 0), undefined);
  });
});

describe('installing with the real uv', { skip }, () => {
  it('creates a venv without pip and installs its requirements with uv pip install --python', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'requirements.txt');
    writeFileSync(file, 'pilotfish==1.0.0\n');
    const commands: string[] = [];
    const progress: string[] = [];
    const created = await createVenv({ interpreter, dest: path.join(dir, '.venv'), cacheDir: seedCache, requirements: [file], installer: 'uv', uv: uvLookup(), seedPip: false, pip: offline(), log: (c) => commands.push(c), onProgress: (_s, m) => progress.push(m) });
    assert.equal(created.installer?.kind, 'uv');
    assert.deepEqual(created.seeded, [], 'seedPip: false seeds nothing when uv installs');
    const install = commands.find((c) => c.includes(' pip install '));
    assert.ok(install?.startsWith(`${uvPath} pip install --python ${created.python} -r ${file}`), install);
    assert.ok(install?.endsWith(`--find-links ${wheels} --no-index`), install);
    assert.deepEqual(versions(created.dir), { pilotfish: '1.0.0', remora: '0.3.0' });
    assert.ok(progress.some((m) => / \+ pilotfish==1\.0\.0/.test(m)), progress.join('\n'));
    assert.equal((await run([created.python, '-c', 'import pilotfish; print(pilotfish.__version__)'])).stdout, '1.0.0');
  });

  it('sync adds, upgrades and (exact) removes through uv, then runs nothing when in step', async () => {
    const { venv, file, sync, commands } = await project('pilotfish==1.0.0\nbarnacle\n');
    const progress: string[] = [];
    await sync({ onProgress: (m) => progress.push(m) });
    assert.deepEqual(versions(venv), { barnacle: '0.1.0', pilotfish: '1.0.0', pip: versions(venv).pip, remora: '0.3.0' });
    assert.ok(progress.some((m) => /^\[\d\] \+ pilotfish==1\.0\.0$/.test(m)), progress.join('\n'));
    writeFileSync(file, 'pilotfish==2.0.0\nwrasse\n');
    const plan = await sync({ exact: true });
    assert.deepEqual(plan.uninstall.map((d) => d.name), ['barnacle']);
    assert.equal(plan.installer?.kind, 'uv');
    assert.ok(commands.some((c) => c.startsWith(`${uvPath} pip uninstall --python`) && c.endsWith(' barnacle')), commands.join('\n'));
    const { pip, ...rest } = versions(venv);
    assert.ok(pip, 'pip stays: exact never removes the tooling');
    assert.deepEqual(rest, { pilotfish: '2.0.0', remora: '0.3.0', wrasse: '0.2.0' });
    assert.equal(stampIsCurrent(venv, [file]), true);
    const ran = commands.length;
    await sync({ exact: true });
    assert.equal(commands.length, ran, 'nothing to do runs no uv');
  });

  it("a failing install throws uv's own error line", async () => {
    const { sync } = await project('no-such-fish==1.0\n');
    await assert.rejects(sync(), (e: unknown) => e instanceof ProcessError && /uv pip install .* exited with code 1: error: No solution found when resolving dependencies: Because no-such-fish was not found/.test(e.message));
  });

  describe('cancellation', () => {
    const index = silentIndex();
    before(() => index.listen());
    after(() => index.close());

    it('kills uv and leaves the venv usable', async () => {
      const { venv, python, sync } = await project('pilotfish\n');
      const controller = new AbortController();
      const syncing = sync({ pip: { indexUrl: index.url() }, signal: controller.signal });
      // uv waits on the silent index until it is killed.
      setTimeout(() => controller.abort(), 1000);
      await assert.rejects(syncing, CancelledError);
      assert.deepEqual(processesMentioning(venv), []);
      await run([python, '-c', 'import sys']);
    });
  });

  it('falls back to pip when no uv is found (auto)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'requirements.txt');
    writeFileSync(file, 'remora\n');
    const commands: string[] = [];
    const created = await createVenv({ interpreter, dest: path.join(dir, '.venv'), cacheDir: seedCache, requirements: [file], installer: 'auto', uv: noUv(), seedPip: false, pip: offline(), log: (c) => commands.push(c) });
    assert.deepEqual(created.installer, { kind: 'pip' });
    assert.deepEqual(created.seeded.map((s) => s.project), ['pip'], 'pip is seeded anyway: it installs');
    assert.ok(commands.some((c) => / -m pip install|pip install --disable-pip-version-check/.test(c)) && !commands.some((c) => c.includes(uvPath)), commands.join('\n'));
    assert.equal(versions(created.dir).remora, '0.3.0');
  });
});

describe('a uv project (uv.lock)', { skip }, () => {
  let folder: string;

  before(async () => {
    folder = tempDir();
    writeFileSync(path.join(folder, 'pyproject.toml'), '[project]\nname = "reef"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = ["pilotfish==1.0.0"]\n\n[dependency-groups]\ndev = ["barnacle"]\n');
    // The lock made by the real uv, offline, from the fixture wheels.
    await run([uvPath, 'lock', '--no-index', '--find-links', wheels, '--python', exe], { cwd: folder });
  });

  it('is offered (and ticked) by the folder; its files are what the stamp covers', () => {
    const offered = folderSources(folder).sources;
    assert.deepEqual(offered.map((s) => [s.id, s.picked]), [['uv-lock', true], ['project', false], ['group:dev', false]]);
    assert.equal(offered[0]?.label, 'uv project (uv.lock)');
    const tracked = selectSources(folder, ['uv-lock'], 'locked');
    assert.deepEqual(tracked, { requirements: [], uvLock: { folder, mode: 'locked', extras: [], groups: [] } });
    assert.deepEqual(readSources(tracked).parsed.files, [path.join(folder, 'uv.lock'), path.join(folder, 'pyproject.toml')]);
  });

  it('syncs with uv sync --frozen into our venv, through UV_PROJECT_ENVIRONMENT', async () => {
    const created = await createVenv({ interpreter, dest: path.join(folder, 'env'), cacheDir: seedCache });
    const commands: string[] = [];
    const options: SyncOptions = { uvLock: { folder, mode: 'frozen' }, environment: interpreter.markerEnvironment ?? {}, interpreterIdentity: `${exe}|${interpreter.version}`, uv: uvLookup(), pip: offline(), log: (c) => commands.push(c) };
    const result = await syncVenv(created.dir, options);
    assert.deepEqual(result.locked?.changes, ['+ barnacle==0.1.0', '+ pilotfish==1.0.0', '+ remora==0.3.0']);
    assert.ok(commands.some((c) => c.startsWith(`${uvPath} sync --frozen --project ${folder} --python ${created.python}`)), commands.join('\n'));
    const { pip, ...rest } = versions(created.dir);
    assert.ok(pip, "our venv is used as it is (uv did not recreate it): its pip is still there");
    assert.deepEqual(rest, { barnacle: '0.1.0', pilotfish: '1.0.0', remora: '0.3.0' });
    assert.ok(existsSync(path.join(created.dir, '.venv-pilot-sync.json')));
    assert.equal(stampIsCurrent(created.dir, { requirements: [], uvLock: { folder, mode: 'frozen' } }), true);
    assert.deepEqual((await syncVenv(created.dir, options)).locked?.changes, [], 'a second sync changes nothing');
    // --locked refuses a lock that no longer matches pyproject.toml; uv's own words say so.
    writeFileSync(path.join(folder, 'pyproject.toml'), '[project]\nname = "reef"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = ["pilotfish==1.0.0", "wrasse"]\n');
    assert.equal(stampIsCurrent(created.dir, { requirements: [], uvLock: { folder, mode: 'frozen' } }), false, 'pyproject.toml is covered by the stamp');
    await assert.rejects(syncVenv(created.dir, { ...options, uvLock: { folder, mode: 'locked' } }), (e: unknown) => e instanceof ProcessError && /uv sync --locked .* exited with code \d+: error: The lockfile at `uv\.lock` needs to be updated/.test(e.message));
  });

  it('needs uv: without one, it says so', async () => {
    const created = await createVenv({ interpreter, dest: path.join(tempDir(), 'env'), cacheDir: seedCache });
    await assert.rejects(syncVenv(created.dir, { uvLock: { folder, mode: 'frozen' }, environment: {}, interpreterIdentity: 'x', uv: noUv() }), (e: unknown) => e instanceof UserError && /^uv\.lock is installed by `uv sync`, and uv was not found/.test(e.message));
  });
});

describe('the CLI with uv', { skip }, () => {
  it('create --installer uv --uv PATH --no-seed-pip, then sync --uv-lock', async () => {
    const cli = cliRunner();
    const dir = tempDir();
    const file = path.join(dir, 'requirements.txt');
    writeFileSync(file, 'remora\n');
    const created = await cli(['create', path.join(dir, '.venv'), '--python', exe, '-r', file, '--installer', 'uv', '--uv', uvPath, '--no-seed-pip', '--offline', '--find-links', wheels, '--json']);
    assert.equal(created.code, 0, created.stderr);
    const summary = JSON.parse(created.stdout) as { seeded: unknown[]; installer: { kind: string; path: string } };
    assert.deepEqual([summary.seeded, summary.installer.kind, summary.installer.path], [[], 'uv', uvPath]);
    assert.match(created.stderr, /Installing requirements\.txt with uv \d/);
    assert.equal(versions(path.join(dir, '.venv')).remora, '0.3.0');
    const bad = await cli(['sync', path.join(dir, '.venv'), '-r', file, '--installer', 'fast']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--installer takes auto, pip or uv/);

    writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "reef"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = ["pilotfish==1.0.0"]\n');
    await run([uvPath, 'lock', '--no-index', '--find-links', wheels, '--python', exe], { cwd: dir });
    const synced = await cli(['sync', path.join(dir, '.venv'), '--uv-lock', '--uv', uvPath, '--offline', '--find-links', wheels]);
    assert.equal(synced.code, 0, synced.stderr);
    assert.match(synced.stdout, /uv\.lock: \+ pilotfish==1\.0\.0/);
    assert.equal(versions(path.join(dir, '.venv')).pilotfish, '1.0.0');
  });
});
