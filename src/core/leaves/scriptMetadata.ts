/**
 * PEP 723 inline script metadata: the `# /// script` comment block a Python script states its
 * `dependencies` and `requires-python` in. Found exactly as the PEP's reference implementation
 * finds it (its regular expression, with Python's meaning of `^`, `$`, `.` and `\s`), its
 * content unprefixed as the reference does, and read as TOML with toml-eslint-parser, so each
 * dependency string carries its range in the script.
 */
import type { AST } from 'toml-eslint-parser';
import { parseToml, type DependencyString } from './pyproject';
import type { SourceRange } from './requirements/parser';
import { PYTHON_WHITESPACE } from './requirements/pep440';

/** A problem with a script's metadata block, at its place in the script. */
export interface ScriptMetadataProblem {
  readonly message: string;
  readonly range: SourceRange;
}

/** What a script's `# /// script` block says. */
export interface ScriptMetadata {
  readonly file: string;
  /** The block's lines: the `# /// script` line and the closing `# ///` line (0-based). */
  readonly block: { readonly startLine: number; readonly endLine: number };
  /** `dependencies`: PEP 508 strings with their ranges in the script. */
  readonly dependencies: readonly DependencyString[];
  /** `requires-python`, if given as a string. */
  readonly requiresPython?: string;
  /** Problems: invalid TOML, a key of the wrong type, a second `script` block. */
  readonly problems: readonly ScriptMetadataProblem[];
}

/*
 * The PEP's REGEX, `(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$`,
 * spelt for JavaScript with Python's semantics: in multi-line mode `^` is the start or just after
 * `\n`, `$` the end or just before `\n`, `.` anything but `\n`, and `\s` Python's whitespace.
 */
const START = '(?<=^|\\n)';
const END = '(?=\\n|$)';
const WS = `[${PYTHON_WHITESPACE}]`;
const BLOCK = new RegExp(`${START}# /// (?<type>[a-zA-Z0-9-]+)${END}${WS}(?<content>(?:${START}#(?:| [^\\n]*)${END}${WS})+)${START}# ///${END}`, 'g');

/** The 0-based line and column of `offset` in `text` (columns in UTF-16 units, as LSP counts). */
function positionOf(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

/**
 * The script's metadata block, or `undefined` when it has none. Like the reference `read()`:
 * only blocks of type `script` count; two of them are an error (reported at the second, with
 * the first one read); each content line loses its `# ` (or lone `#`) before TOML reads it.
 */
export function parseScriptMetadata(text: string, file: string): ScriptMetadata | undefined {
  const blocks = [...text.matchAll(BLOCK)].filter((m) => m.groups?.type === 'script');
  const [first, second] = blocks;
  if (!first) return undefined;
  const problems: ScriptMetadataProblem[] = [];
  const rangeAt = (start: number, end: number): SourceRange => {
    const a = positionOf(text, start);
    const b = positionOf(text, end);
    return { file, startLine: a.line, startCharacter: a.character, endLine: b.line, endCharacter: b.character };
  };
  if (second) problems.push({ message: 'Multiple script blocks found (PEP 723 allows one)', range: rangeAt(second.index, second.index + second[0].length) });
  const blockStart = positionOf(text, first.index).line;
  const content = first.groups?.content ?? '';
  // Content line i is script line blockStart + 1 + i; it lost 2 characters (`# `) or 1 (`#`).
  const lines = content.split(/(?<=\n)/);
  const cut = lines.map((line) => (line.startsWith('# ') ? 2 : 1));
  const toml = lines.map((line, i) => line.slice(cut[i])).join('');
  const scriptRange = (node: { loc: AST.SourceLocation }, inner = 0): SourceRange => {
    const startLine = node.loc.start.line - 1;
    const endLine = node.loc.end.line - 1;
    return {
      file,
      startLine: blockStart + 1 + startLine,
      startCharacter: node.loc.start.column + (cut[startLine] ?? 0) + inner,
      endLine: blockStart + 1 + endLine,
      endCharacter: node.loc.end.column + (cut[endLine] ?? 0) - inner,
    };
  };
  const block = { startLine: blockStart, endLine: positionOf(text, first.index + first[0].length).line };
  const parsed = parseToml(toml);
  if ('error' in parsed) {
    const { line, message } = parsed.error;
    const character = parsed.error.character + (cut[line] ?? 0);
    problems.push({ message: `The script block is not valid TOML: ${message}`, range: { file, startLine: blockStart + 1 + line, startCharacter: character, endLine: blockStart + 1 + line, endCharacter: character + 1 } });
    return { file, block, dependencies: [], problems };
  }
  const { ast } = parsed;
  const dependencies: DependencyString[] = [];
  let requiresPython: string | undefined;
  for (const top of ast.body[0]?.body ?? []) {
    if (top.type !== 'TOMLKeyValue' || top.key.keys.length !== 1) continue;
    const key = top.key.keys[0];
    const name = key?.type === 'TOMLBare' ? key.name : key?.value;
    if (name === 'dependencies') {
      if (top.value.type !== 'TOMLArray') {
        problems.push({ message: 'dependencies must be an array of strings (PEP 723)', range: scriptRange(top.value) });
        continue;
      }
      for (const element of top.value.elements) {
        if (element.type !== 'TOMLValue' || element.kind !== 'string') {
          problems.push({ message: 'dependencies must hold strings only (PEP 508 requirements)', range: scriptRange(element) });
          continue;
        }
        const quote = element.multiline ? 3 : 1;
        const raw = toml.slice(element.range[0] + quote, element.range[1] - quote);
        dependencies.push({ text: element.value, range: !element.multiline && raw === element.value ? scriptRange(element, 1) : scriptRange(element) });
      }
    } else if (name === 'requires-python') {
      if (top.value.type === 'TOMLValue' && top.value.kind === 'string') requiresPython = top.value.value;
      else problems.push({ message: 'requires-python must be a string (PEP 723)', range: scriptRange(top.value) });
    }
  }
  return { file, block, dependencies, ...(requiresPython !== undefined ? { requiresPython } : {}), problems };
}
