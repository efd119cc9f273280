/**
 * The project options `create` and `sync` share: which parts of a `pyproject.toml` project to
 * install (`--project DIR`, `--extra`, `--group`, `--all-extras`, `--all-groups`,
 * `--no-install-project`), read into a {@link ProjectSelection}, or with `--uv-lock` into a
 * {@link UvLockSelection} for `uv sync`. Loaded only when one is given:
 * the TOML parser is a large share of a bundle.
 */
import path from 'node:path';
import { UserError } from '../core/leaves/errors';
import { folderSources, UV_LOCK, type ProjectSelection, type UvLockSelection } from '../core/parts/sources';
import { UsageError, type Values } from './command';

/**
 * The project parts the options ask for, in `folder` (`--project`, else `fallback`): the project
 * itself when the folder offers one (an installable project, or a `[project]` with
 * dependencies) unless `--no-install-project`, plus the extras and groups named or all of them.
 *
 * @throws {UserError} for invalid TOML, or an extra or group the project does not have.
 * @throws {UsageError} for `--extra` with `--all-extras` (or groups alike).
 */
export function projectFrom(values: Values, fallback: string): ProjectSelection | undefined {
  const folder = path.resolve((values.project as string | undefined) ?? fallback);
  const named = (name: string): string[] => (values[name] as string[] | undefined) ?? [];
  if (values['all-extras'] && named('extra').length) throw new UsageError('--extra and --all-extras exclude each other');
  if (values['all-groups'] && named('group').length) throw new UsageError('--group and --all-groups exclude each other');
  const offered = folderSources(folder);
  const [problem] = offered.problems;
  if (problem) throw new UserError(problem);
  const ids = new Set(offered.sources.map((s) => s.id));
  const pick = (kind: 'extra' | 'group', wanted: readonly string[], all: boolean): string[] => {
    const known = offered.sources.filter((s) => s.kind === kind).map((s) => s.label);
    if (all) return known;
    for (const name of wanted) {
      if (!ids.has(`${kind}:${name}`)) throw new UserError(`${path.join(folder, 'pyproject.toml')} has no ${kind === 'extra' ? 'extra' : 'dependency group'} ${name}${known.length ? ` (it has ${known.join(', ')})` : ''}`);
    }
    return [...wanted];
  };
  const extras = pick('extra', named('extra'), values['all-extras'] === true);
  const groups = pick('group', named('group'), values['all-groups'] === true);
  const self = values['no-install-project'] !== true && ids.has('project');
  return self || extras.length || groups.length ? { folder, self, extras, groups } : undefined;
}

/**
 * The uv lock `--uv-lock` asks for, in `folder` (`--project`, else `fallback`): `uv sync --frozen`
 * (`--locked` with `--locked`) with the extras and groups named (or all of them), which the
 * project must declare. The project itself is installed by the lock (`--no-install-project` is
 * refused: uv's own `uv sync --no-install-project` is not passed on).
 *
 * @throws {UserError} when the folder has no `uv.lock`, or an extra or group the project does not have; invalid TOML.
 * @throws {UsageError} for `--no-install-project`, `--extra` with `--all-extras` (or groups alike).
 */
export function lockFrom(values: Values, fallback: string): UvLockSelection {
  const folder = path.resolve((values.project as string | undefined) ?? fallback);
  if (values['no-install-project']) throw new UsageError('--uv-lock installs the project from the lock; --no-install-project does not go with it');
  const offered = folderSources(folder);
  if (!offered.sources.some((s) => s.id === 'uv-lock')) throw new UserError(`${folder} has no ${UV_LOCK}: create it with \`uv lock\`, or leave out --uv-lock`);
  const parts = projectFrom(values, folder);
  return { folder, mode: values.locked ? 'locked' : 'frozen', extras: parts?.extras ?? [], groups: parts?.groups ?? [] };
}

