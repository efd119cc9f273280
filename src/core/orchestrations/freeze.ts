import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { compareVersions, isValidVersion, normalizeVersion } from '../leaves/requirements/pep440';
import { run, type CommandLogger } from '../leaves/process';
import { readPyvenvCfg } from '../leaves/layout';
import { readInstalled, type DirectUrl, type InstalledDistribution } from '../parts/pip/installed';

/** Options for {@link freezeVenv}. */
export interface FreezeOptions {
  /** `--all`: also list pip (and setuptools, distribute, wheel where that pip hides them). */
  readonly all?: boolean;
  /** Used only for the git queries an editable VCS checkout needs. */
  readonly log?: CommandLogger;
  readonly signal?: AbortSignal;
  /** Told about each folder skipped as not a distribution, in pip's words (pip prints them as warnings). */
  readonly onWarning?: (message: string) => void;
}

/** Names pip freeze never lists (pip's `stdlib_pkgs`). */
const STDLIB_PACKAGES = new Set(['python', 'wsgiref', 'argparse']);

/**
 * The names `pip freeze` omits without `--all` for a given pip and Python: pip, plus setuptools,
 * distribute and wheel, except with pip 23.2+ on Python 3.12+ (pip's changelog, 23.2).
 */
export function hiddenByFreeze(pipVersion: string | undefined, pythonVersion: string | undefined): Set<string> {
  const modernPip = pipVersion !== undefined && isValidVersion(pipVersion) && compareVersions(pipVersion, '23.2') >= 0;
  const [major = 0, minor = 0] = (pythonVersion ?? '').split('.').map(Number);
  const showsBuildBackends = modernPip && (major > 3 || (major === 3 && minor >= 12));
  return new Set(['pip', ...(showsBuildBackends ? [] : ['setuptools', 'distribute', 'wheel'])]);
}

/** `name==version`, or `name===version` for a version that is not PEP 440 (pip's `_format_as_name_version`). */
function nameVersion(dist: InstalledDistribution): string {
  const normal = normalizeVersion(dist.version);
  return normal ? `${dist.name}==${normal}` : `${dist.name}===${dist.version}`;
}

/** A PEP 610 direct URL as pip freeze writes it (`direct_url_as_pep440_direct_reference`). */
export function directReference(name: string, direct: DirectUrl): string {
  const fragments: string[] = [];
  let reference = `${name} @ `;
  if (direct.vcs_info) reference += `${direct.vcs_info.vcs}+${direct.url}@${direct.vcs_info.commit_id}`;
  else {
    reference += direct.url;
    const hash = direct.archive_info?.hash ?? (direct.archive_info?.hashes ? Object.entries(direct.archive_info.hashes).map(([k, v]) => `${k}=${v}`)[0] : undefined);
    if (direct.archive_info && hash) fragments.push(hash);
  }
  if (direct.subdirectory) fragments.push(`subdirectory=${direct.subdirectory}`);
  return fragments.length ? `${reference}#${fragments.join('&')}` : reference;
}

/** pip's `_git_remote_to_pip_url`: URLs stay, local paths become file URLs, scp-like addresses become ssh URLs. */
function gitRemoteToPipUrl(remote: string): string | undefined {
  if (/^\w+:\/\//.test(remote)) return remote;
  if (existsSync(remote)) return pathToFileURL(remote).toString();
  const scp = /^(\w+@)?([^/:]+):(\w[^:]*)$/.exec(remote);
  return scp ? `ssh://${scp[1] ?? ''}${scp[2]}/${scp[3]}` : undefined;
}

/** The folder between the repository root and the project (pip's `find_path_to_project_root_from_repo_root`). */
function projectSubdirectory(location: string, repoRoot: string): string | undefined {
  let dir = location;
  while (!existsSync(path.join(dir, 'setup.py')) && !existsSync(path.join(dir, 'pyproject.toml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  const relative = path.relative(repoRoot, dir);
  return relative && !relative.startsWith('..') ? relative : undefined;
}

/** The lines pip freeze writes for an editable install (pip's `_get_editable_info`). */
async function editableLines(dist: InstalledDistribution, location: string, options: FreezeOptions): Promise<string[]> {
  const display = nameVersion(dist);
  const git = (args: string[]): Promise<string | undefined> =>
    run(['git', ...args], { cwd: location, log: options.log, signal: options.signal, env: { GIT_TERMINAL_PROMPT: '0' } }).then((r) => r.stdout.trim(), () => undefined);
  const repoRoot = existsSync(location) ? await git(['rev-parse', '--show-toplevel']) : undefined;
  if (!repoRoot) return [`# Editable install with no version control (${display})`, `-e ${location}`];
  const remotes = ((await git(['config', '--get-regexp', 'remote\\..*\\.url'])) ?? '').split('\n').filter(Boolean).map((l) => l.split(' ', 2) as [string, string]);
  const remote = (remotes.find(([key]) => key === 'remote.origin.url') ?? remotes[0])?.[1];
  if (!remote) return [`# Editable Git install with no remote (${display})`, `-e ${location}`];
  const url = gitRemoteToPipUrl(remote);
  if (!url) return [`# Editable Git install (${display}) with either a deleted local remote or invalid URI:`, `# '${remote}'`, `-e ${location}`];
  const commit = await git(['rev-parse', 'HEAD']);
  const subdirectory = projectSubdirectory(location, repoRoot);
  const repoUrl = url.toLowerCase().startsWith('git:') ? url : `git+${url}`;
  return [`-e ${repoUrl}@${commit}#egg=${dist.name.replace(/-/g, '_')}${subdirectory ? `&subdirectory=${subdirectory}` : ''}`];
}

/**
 * What `DEST/bin/python -m pip freeze [--all]` prints for the venv, byte for byte, read from the
 * installed metadata without starting Python or pip: ordering and case, the names that venv's pip
 * version hides, editable installs (with or without git), PEP 610 direct URLs and archives.
 * Only an editable git checkout runs `git` (as pip does).
 */
export async function freezeVenv(venvDir: string, options: FreezeOptions = {}): Promise<string> {
  const { distributions, problems } = readInstalled(venvDir);
  for (const problem of problems) options.onWarning?.(problem.message);
  const pip = distributions.find((d) => d.normalizedName === 'pip');
  const hidden = options.all ? new Set<string>() : hiddenByFreeze(pip?.version, readPyvenvCfg(venvDir)?.version);
  // pip 20.1 introduced PEP 610 in freeze; older pips print name==version for direct URLs.
  const pep610 = !pip || compareVersions(normalizeVersion(pip.version) ?? '0', '20.1') >= 0;
  const entries = await Promise.all(
    distributions
      .filter((d) => !STDLIB_PACKAGES.has(d.normalizedName) && !hidden.has(d.normalizedName))
      .map(async (dist) => {
        const lines = dist.editableLocation ? await editableLines(dist, path.resolve(dist.editableLocation), options) : [pep610 && dist.directUrl ? directReference(dist.name, dist.directUrl) : nameVersion(dist)];
        return { key: dist.name.toLowerCase(), text: lines.join('\n') };
      }),
  );
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return entries.map((e) => `${e.text}\n`).join('');
}

/**
 * True for a file only a freeze could have written: `name==version`, `name @ url`, `-e ...` and
 * freeze's own comments. Anything else (ranges, options, comments of one's own) is hand-written.
 */
export function looksFrozen(text: string): boolean {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim())
    .every((line) => /^[A-Za-z0-9][A-Za-z0-9._-]*(==|===)\S+$/.test(line) || /^[A-Za-z0-9][A-Za-z0-9._-]* @ \S+$/.test(line) || /^-e \S+$/.test(line) || /^# Editable (Git )?install/.test(line) || /^# '.*'$/.test(line));
}
