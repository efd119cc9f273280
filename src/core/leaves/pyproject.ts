/**
 * `pyproject.toml` as a source of dependencies: the PEP 621 `[project]` table's dependencies and
 * extras, PEP 735 `[dependency-groups]`, and whether the project can be installed (PEP 517/518
 * `[build-system]`). Parsed with toml-eslint-parser, which gives every value its place in the
 * text, so each dependency string carries the range of its characters: the language server
 * points at them and sync names them in errors.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseTOML } from 'toml-eslint-parser';
import type { AST } from 'toml-eslint-parser';
import type { SourceRange } from './requirements/parser';

/** One dependency string (a PEP 508 requirement) as written in the file. */
export interface DependencyString {
  /** The string's value. */
  readonly text: string;
  /**
   * Where its characters are: inside the quotes when the value is the text written there (no
   * escapes, one line), else the whole string token.
   */
  readonly range: SourceRange;
}

/** An entry of a dependency group: a requirement, or PEP 735's `{include-group = "NAME"}`. */
export type GroupEntry = { readonly kind: 'requirement'; readonly dependency: DependencyString } | { readonly kind: 'include'; readonly group: string; readonly range: SourceRange };

/** A problem with the file's shape, at its place: a key of the wrong type, a malformed table. */
export interface PyprojectProblem {
  readonly message: string;
  readonly range: SourceRange;
}

/** What a `pyproject.toml` declares about dependencies. */
export interface Pyproject {
  readonly file: string;
  /** `[project].name`, if a string. */
  readonly name?: string;
  /** `[project].requires-python`, if a string. */
  readonly requiresPython?: string;
  /** True with a `[build-system]` table, or a `setup.py` beside the file: pip can install the project. */
  readonly installable: boolean;
  /** `[project].dynamic`: fields a build backend fills in (`dependencies`, `optional-dependencies`). */
  readonly dynamic: readonly string[];
  /** True when there is a `[project]` table at all. */
  readonly hasProject: boolean;
  /** `[project].dependencies`, in order. */
  readonly dependencies: readonly DependencyString[];
  /** `[project.optional-dependencies]`: extra name (as written) to its dependencies, in file order. */
  readonly extras: ReadonlyMap<string, readonly DependencyString[]>;
  /** `[dependency-groups]`: group name (as written) to its entries, in file order. */
  readonly groups: ReadonlyMap<string, readonly GroupEntry[]>;
  /** Shape problems; the parts that make sense are still read. */
  readonly problems: readonly PyprojectProblem[];
}

/** A `pyproject.toml` that is not valid TOML. */
export class PyprojectSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly range: SourceRange,
    detail: string,
  ) {
    super(`${file}:${range.startLine + 1}:${range.startCharacter + 1}: ${detail}`);
    this.name = 'PyprojectSyntaxError';
  }
}

/** PEP 503's name normalisation, which PEP 735 applies to group names and PEP 685 to extras. */
export const normalizeGroupName = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

const rangeOf = (file: string, node: AST.TOMLNode): SourceRange => ({ file, startLine: node.loc.start.line - 1, startCharacter: node.loc.start.column, endLine: node.loc.end.line - 1, endCharacter: node.loc.end.column });

/**
 * TOML text parsed with every node's place, or the parser's complaint with its 0-based line and
 * column (UTF-16 units). Shared with scriptMetadata.ts, whose block is TOML too.
 */
export function parseToml(text: string): { readonly ast: AST.TOMLProgram } | { readonly error: { readonly message: string; readonly line: number; readonly character: number } } {
  try {
    return { ast: parseTOML(text) };
  } catch (error) {
    const e = error as { message: string; lineNumber?: number; column?: number };
    return { error: { message: e.message, line: Math.max((e.lineNumber ?? 1) - 1, 0), character: Math.max((e.column ?? 1) - 1, 0) } };
  }
}

/** The range of a string value's characters: inside its quotes when the source spells the value as is. */
function stringRange(file: string, text: string, node: AST.TOMLStringValue): SourceRange {
  const whole = rangeOf(file, node);
  const quote = node.multiline ? 3 : 1;
  const raw = text.slice(node.range[0] + quote, node.range[1] - quote);
  if (node.multiline || raw !== node.value) return whole;
  return { ...whole, startCharacter: whole.startCharacter + 1, endCharacter: whole.endCharacter - 1 };
}

/** The value node at `keys` below `table`'s body (dotted keys and sub-tables alike), and the key-value's node. */
type Found = { readonly value: AST.TOMLValue | AST.TOMLArray | AST.TOMLInlineTable; readonly at: AST.TOMLNode };

/**
 * Every key-value of the document with its full key path, whichever way it was written:
 * `[project]` + `dependencies = [...]`, `project.dependencies = [...]` at the top, or
 * `[project.optional-dependencies]` + `dev = [...]`.
 */
function keyValues(ast: AST.TOMLProgram): { path: readonly string[]; found: Found }[] {
  const out: { path: readonly string[]; found: Found }[] = [];
  const visit = (prefix: readonly string[], body: readonly AST.TOMLKeyValue[]): void => {
    for (const kv of body) {
      const keys = [...prefix, ...kv.key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value))];
      out.push({ path: keys, found: { value: kv.value, at: kv } });
      if (kv.value.type === 'TOMLInlineTable') visit(keys, kv.value.body);
    }
  };
  for (const top of ast.body[0]?.body ?? []) {
    if (top.type === 'TOMLKeyValue') visit([], [top]);
    else visit(top.resolvedKey.map(String), top.body);
  }
  return out;
}

/** The table paths the document opens with `[...]` headers (array tables included). */
function tablePaths(ast: AST.TOMLProgram): string[][] {
  return (ast.body[0]?.body ?? []).flatMap((top) => (top.type === 'TOMLTable' ? [top.resolvedKey.map(String)] : []));
}

const samePath = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((k, i) => k === b[i]);

/**
 * Parses a `pyproject.toml`'s text. Shape problems (a `dependencies` that is not an array of
 * strings, an unknown key in an include) become {@link Pyproject.problems}; the rest is still read.
 *
 * @throws {PyprojectSyntaxError} when the text is not valid TOML 1.0, with the place it stopped.
 */
export function parsePyproject(text: string, file: string): Pyproject {
  const parsed = parseToml(text);
  if ('error' in parsed) {
    const { line, character, message } = parsed.error;
    throw new PyprojectSyntaxError(file, { file, startLine: line, startCharacter: character, endLine: line, endCharacter: character + 1 }, `not valid TOML: ${message}`);
  }
  const { ast } = parsed;
  const problems: PyprojectProblem[] = [];
  const entries = keyValues(ast);
  const at = (...keys: string[]): Found | undefined => entries.find((e) => samePath(e.path, keys))?.found;
  const under = (...keys: string[]): { key: string; found: Found }[] =>
    entries.filter((e) => e.path.length === keys.length + 1 && samePath(e.path.slice(0, keys.length), keys)).map((e) => ({ key: e.path[keys.length] as string, found: e.found }));
  const stringAt = (...keys: string[]): string | undefined => {
    const found = at(...keys);
    return found?.value.type === 'TOMLValue' && found.value.kind === 'string' ? found.value.value : undefined;
  };
  const strings = (found: Found | undefined, what: string): DependencyString[] => {
    if (!found) return [];
    if (found.value.type !== 'TOMLArray') {
      problems.push({ message: `${what} must be an array of strings (PEP 621)`, range: rangeOf(file, found.value) });
      return [];
    }
    const out: DependencyString[] = [];
    for (const element of found.value.elements) {
      if (element.type === 'TOMLValue' && element.kind === 'string') out.push({ text: element.value, range: stringRange(file, text, element) });
      else problems.push({ message: `${what} must hold strings only (PEP 508 requirements)`, range: rangeOf(file, element) });
    }
    return out;
  };

  const tables = tablePaths(ast);
  const hasTable = (...keys: string[]): boolean => tables.some((t) => samePath(t, keys)) || entries.some((e) => samePath(e.path.slice(0, keys.length), keys));
  const dynamicNode = at('project', 'dynamic');
  const dynamic = dynamicNode?.value.type === 'TOMLArray' ? dynamicNode.value.elements.flatMap((e) => (e.type === 'TOMLValue' && e.kind === 'string' ? [e.value] : [])) : [];
  const extras = new Map<string, DependencyString[]>();
  for (const { key, found } of under('project', 'optional-dependencies')) extras.set(key, strings(found, `[project.optional-dependencies] ${key}`));
  const groups = new Map<string, GroupEntry[]>();
  for (const { key, found } of under('dependency-groups')) {
    if (found.value.type !== 'TOMLArray') {
      problems.push({ message: `Dependency group ${key} must be an array (PEP 735)`, range: rangeOf(file, found.value) });
      continue;
    }
    const group: GroupEntry[] = [];
    for (const element of found.value.elements) {
      if (element.type === 'TOMLValue' && element.kind === 'string') group.push({ kind: 'requirement', dependency: { text: element.value, range: stringRange(file, text, element) } });
      else if (element.type === 'TOMLInlineTable' && element.body.length === 1 && element.body[0]?.key.keys.length === 1 && keyName(element.body[0].key.keys[0]) === 'include-group' && element.body[0].value.type === 'TOMLValue' && element.body[0].value.kind === 'string') {
        group.push({ kind: 'include', group: element.body[0].value.value, range: rangeOf(file, element) });
      } else problems.push({ message: `Dependency group ${key} may hold only requirement strings and {include-group = "NAME"} tables (PEP 735)`, range: rangeOf(file, element) });
    }
    groups.set(key, group);
  }
  const seen = new Map<string, string>();
  for (const name of groups.keys()) {
    const normalized = normalizeGroupName(name);
    const first = seen.get(normalized);
    if (first !== undefined) problems.push({ message: `Dependency groups ${first} and ${name} have the same normalized name, ${normalized} (PEP 735)`, range: rangeOf(file, at('dependency-groups', name)?.at ?? ast) });
    else seen.set(normalized, name);
  }
  const name = stringAt('project', 'name');
  const requiresPython = stringAt('project', 'requires-python');
  return {
    file,
    ...(name !== undefined ? { name } : {}),
    ...(requiresPython !== undefined ? { requiresPython } : {}),
    installable: hasTable('build-system') || isFile(path.join(path.dirname(file), 'setup.py')),
    dynamic,
    hasProject: hasTable('project'),
    dependencies: strings(at('project', 'dependencies'), '[project] dependencies'),
    extras,
    groups,
    problems,
  };
}

const keyName = (key: AST.TOMLBare | AST.TOMLQuoted | undefined): string | undefined => (key === undefined ? undefined : key.type === 'TOMLBare' ? key.name : key.value);

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Reads and parses the `pyproject.toml` at `file`.
 *
 * @throws {PyprojectSyntaxError} for invalid TOML.
 * @throws the read's own error (ENOENT, EACCES) when the file cannot be read.
 */
export function readPyproject(file: string): Pyproject {
  return parsePyproject(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''), file);
}

/** A dependency group that cannot be expanded: unknown, or including itself (PEP 735 says tools must report cycles). */
export class DependencyGroupError extends Error {
  constructor(
    message: string,
    readonly range?: SourceRange,
  ) {
    super(message);
    this.name = 'DependencyGroupError';
  }
}

/**
 * The requirements of dependency group `name` with its includes expanded, as PEP 735's reference
 * `resolve` does: names compare normalized, includes expand in place, a group included twice
 * contributes twice (duplicates are harmless to an installer).
 *
 * @throws {DependencyGroupError} for an unknown group (naming the known ones) or an include cycle (naming it: `dev -> test -> dev`).
 */
export function expandDependencyGroup(pyproject: Pyproject, name: string): DependencyString[] {
  const byNormalized = new Map([...pyproject.groups].map(([key, entries]) => [normalizeGroupName(key), { key, entries }]));
  const visit = (wanted: string, stack: readonly string[], range?: SourceRange): DependencyString[] => {
    const group = byNormalized.get(normalizeGroupName(wanted));
    if (!group) {
      const known = [...pyproject.groups.keys()];
      throw new DependencyGroupError(`${pyproject.file} has no dependency group ${wanted}${known.length ? ` (it has ${known.join(', ')})` : ' (it has no [dependency-groups] table)'}`, range);
    }
    if (stack.includes(group.key)) throw new DependencyGroupError(`Dependency group include cycle in ${pyproject.file}: ${[...stack, group.key].join(' -> ')}`, range);
    return group.entries.flatMap((entry) => (entry.kind === 'requirement' ? [entry.dependency] : visit(entry.group, [...stack, group.key], entry.range)));
  };
  return visit(name, []);
}
