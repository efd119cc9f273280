/**
 * What the language server says about a requirements document or a `pyproject.toml`:
 * diagnostics, hover, completion, code actions and links, computed from core's parsers and the
 * active venv's installed set. Plain data in, LSP types out; the connection lives in server.ts.
 *
 * Both kinds of document come down to the same items (core's `parseDependencyString` gives a
 * pyproject dependency string the shape a requirements line has), each placed at an
 * {@link Entry}'s span, so one per-item path checks, hovers and fixes them all. What only one
 * kind has (options, includes and hashes; TOML syntax, dependency groups) is checked around it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CodeActionKind, DiagnosticSeverity, type CodeAction, type CompletionItem, type Diagnostic, type DocumentLink, type Hover, type Range } from 'vscode-languageserver';
import { COMMAND_LINE_ONLY_OPTIONS, REQUIREMENTS_OPTIONS, type RequirementsOption } from '../core/leaves/requirements/options';
import { DependencyGroupError, expandDependencyGroup, normalizeGroupName, parsePyproject, PyprojectSyntaxError, type DependencyString, type Pyproject } from '../core/leaves/pyproject';
import { parseScriptMetadata, type ScriptMetadata } from '../core/leaves/scriptMetadata';
import { parseDependencyString, parseRequirementsFile, parseRequirementsText, type RequirementItem, type RequirementsErrorCode, type RequirementsItem, type SourceRange } from '../core/leaves/requirements/parser';
import { satisfies } from '../core/leaves/requirements/pep440';
import { evaluateMarker, normalizeProjectName } from '../core/leaves/requirements/pep508';
import { installedFor, projectFolder } from '../core/parts/syncPlan';
import { parseWheelFileName } from '../core/parts/seed/wheels';
import type { ActiveEnvironment } from './environment';

/** Diagnostic codes, stable for clients and tests. */
export const CODES = {
  syntax: 'syntax',
  invalidSpecifier: 'invalid-specifier',
  invalidMarker: 'invalid-marker',
  unknownOption: 'unknown-option',
  duplicate: 'duplicate',
  missingInclude: 'missing-include',
  missingHash: 'missing-hash',
  notInstalled: 'not-installed',
  versionMismatch: 'version-mismatch',
  /** pyproject.toml: a table or value of the wrong shape (PEP 621, PEP 735). */
  invalidPyproject: 'invalid-pyproject',
  /** pyproject.toml: `{include-group = "NAME"}` naming no group. */
  unknownGroup: 'unknown-group',
  /** pyproject.toml: dependency groups that include each other (PEP 735 says tools must report it). */
  includeCycle: 'include-cycle',
} as const;

/** Every option a hover or completion knows: the requirements format's, then the command-line-only ones it flags. */
const KNOWN_OPTIONS: readonly RequirementsOption[] = [...REQUIREMENTS_OPTIONS, ...COMMAND_LINE_ONLY_OPTIONS];

/** A parse error's diagnostic code: the parser says what is wrong; a requirement or include problem the server has no finer code for is `syntax`. */
function diagnosticCode(code: RequirementsErrorCode): string {
  return code === 'invalid-specifier' ? CODES.invalidSpecifier : code === 'invalid-marker' ? CODES.invalidMarker : code === 'unknown-option' ? CODES.unknownOption : CODES.syntax;
}

/** Hover shows metadata, not whole documents: a value's first line, cut to `max` characters with an ellipsis. */
function clip(value: string, max: number): string {
  const trimmed = value.trim();
  const first = trimmed.split(/\r?\n/, 1)[0] ?? '';
  if (first.length <= max && first.length === trimmed.length) return first;
  // Whole code points: a cut between surrogates would leave a broken character.
  return `${Array.from(first.slice(0, max + 1)).slice(0, max).join('').trimEnd()}…`;
}

/** Longest License shown in a hover: an SPDX expression fits, a license text does not. */
const LICENSE_CHARS = 100;
/** Longest Summary, name, version or home page shown in a hover. */
const FIELD_CHARS = 300;

/** Everything analysis needs: the document, and optionally the venv and find-links folders. */
export interface AnalysisContext {
  readonly file: string;
  readonly text: string;
  readonly environment?: ActiveEnvironment;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Parsed lines of this document from earlier passes (see ParseOptions.lineCache). */
  readonly lineCache?: Map<string, readonly RequirementsItem[]>;
}

/**
 * A parsed item and where it is written. `span` is what ranges fall back to and names are looked
 * for in: a requirements line without its indentation and comment, or a dependency string's
 * characters. `token` is a dependency string's whole token, quotes included, when its characters
 * are inside the quotes as written; without it, a dependency string's span is its whole token
 * (escapes, several lines), and a requirements line has none.
 */
interface Entry {
  readonly item: RequirementsItem;
  readonly span: Range;
  readonly token?: Range;
}

/** A requirements line's extent: from its first non-blank character to the end of its code, before any comment. */
const lineRange = (item: RequirementsItem, lines: readonly string[]): Range => {
  const first = lines[item.range.startLine] ?? '';
  const start = first.length - first.trimStart().length;
  const last = lines[item.range.endLine] ?? '';
  return { start: { line: item.range.startLine, character: start }, end: { line: item.range.endLine, character: last.replace(/\s+#.*$/, '').trimEnd().length } };
};

const toRange = (range: SourceRange): Range => ({ start: { line: range.startLine, character: range.startCharacter }, end: { line: range.endLine, character: range.endCharacter } });

/** The text of the span's first line that belongs to it: up to the span's end when that is on the same line. */
function spanText(span: Range, lines: readonly string[]): string {
  const line = lines[span.start.line] ?? '';
  return span.end.line === span.start.line ? line.slice(0, span.end.character) : line;
}

/**
 * The range of `needle` within the entry's span on its first line, else the whole span. Searching
 * the span, not the line, matters in pyproject.toml, where one line may hold several strings
 * (`["remora-extras", "remora"]`).
 */
function rangeOf({ span }: Entry, lines: readonly string[], needle: string | undefined): Range {
  const at = needle ? spanText(span, lines).indexOf(needle, span.start.character) : -1;
  return at >= 0 && needle ? { start: { line: span.start.line, character: at }, end: { line: span.start.line, character: at + needle.length } } : span;
}

/**
 * Where the specifier is written: from the first operator after the name to a marker's `;`, a
 * comment, a closing parenthesis (`name (>=2)`) or the span's end. Without an operator, the empty
 * range after the name and its extras, where one would go; `undefined` when the name cannot be
 * found in the text (a requirement spelt through a `${VAR}` or a string escape).
 */
function specifierRange(entry: Entry, lines: readonly string[]): Range | undefined {
  const { item, span } = entry;
  if (item.kind !== 'requirement' || !item.name) return undefined;
  const text = spanText(span, lines);
  const nameAt = text.indexOf(item.name, span.start.character);
  if (nameAt < 0) return undefined;
  const from = nameAt + item.name.length;
  const line = span.start.line;
  const match = /(===|==|!=|~=|>=|<=|>|<)[^;#)]*/.exec(text.slice(from));
  if (!match) {
    const at = from + (/^\s*\[[^\]]*\]/.exec(text.slice(from))?.[0].length ?? 0);
    return { start: { line, character: at }, end: { line, character: at } };
  }
  const start = from + match.index;
  return { start: { line, character: start }, end: { line, character: start + match[0].replace(/\s*(--.*)?$/, '').length } };
}

/**
 * Optimal-string-alignment distance (Damerau-Levenshtein without moving a letter twice), for "did
 * you mean": a swapped pair of letters, the commonest typo, costs 1 rather than 2.
 */
function distance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (before[j - 2] ?? 0) + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The closest known option to a misspelt one, if close enough. */
export function suggestOption(given: string): string | undefined {
  const [best] = REQUIREMENTS_OPTIONS.map((o) => o.name)
    .map((o) => [o, distance(given, o)] as const)
    .sort((a, b) => a[1] - b[1]);
  return best && best[1] <= 3 ? best[0] : undefined;
}

/**
 * The known project a requirement name that is not installed was probably meant to be: within
 * Damerau-Levenshtein distance 1 of a name of four or five characters, 2 of a longer one, and
 * never for shorter names (`pi` is not a typo of `pip`). Names compare PEP 503-normalised;
 * `known` maps normalised names to how they are spelt. Ties go to the first known name.
 */
export function suggestProject(given: string, known: ReadonlyMap<string, string>): string | undefined {
  const normalized = normalizeProjectName(given);
  const limit = normalized.length <= 3 ? 0 : normalized.length <= 5 ? 1 : 2;
  let best: { name: string; cost: number } | undefined;
  for (const [candidate, spelt] of known) {
    if (candidate === normalized || Math.abs(candidate.length - normalized.length) > limit) continue;
    const cost = distance(normalized, candidate);
    if (cost <= limit && (!best || cost < best.cost)) best = { name: spelt, cost };
  }
  return best?.name;
}


/** Adds one diagnostic. */
type Push = (range: Range, message: string, code: string, severity?: DiagnosticSeverity, data?: unknown) => void;

/** Where a name was first required, for a duplicate's message. */
interface Place {
  readonly file: string;
  readonly line: number;
}

/** What the per-item checks need beyond the document: the requirements format's rules that items of other sources lack. */
interface CheckOptions {
  /** Why an item without `--hash` will be refused (`--require-hashes is set`), when it will be. */
  readonly missingHash?: string;
  /** Project names a misspelt requirement may have meant, read on the first name not installed. */
  readonly knownProjects: () => Map<string, string>;
}

/**
 * The checks every parsed item gets, wherever it was written (a requirements line, a pyproject
 * dependency string): its parse error; a requirement already in `seen` (the list it belongs
 * to); a missing hash; and, with an active venv, whether it is installed at a version that fits.
 * Requirements whose marker excludes the venv's interpreter are never flagged. Answers that
 * repeat across items (specifier fits, marker values, suggestions) are computed once per checker,
 * that is once per document.
 */
function itemChecker(context: AnalysisContext, lines: readonly string[], push: Push, options: CheckOptions): (entry: Entry, seen: Map<string, Place>) => void {
  // Thousands of lines repeat a few (version, specifier) pairs: check each pair once.
  const checked = new Map<string, boolean>();
  const fits = (version: string, specifier: string): boolean => {
    const key = `${version} ${specifier}`;
    let answer = checked.get(key);
    if (answer === undefined) checked.set(key, (answer = satisfies(version, specifier, { prereleases: true })));
    return answer;
  };
  // Requirements in effect for this interpreter: markers that exclude it are skipped, never flagged.
  // `extra` is empty as for a plain install; an extra's or a group's requirements are judged the
  // same way, as what the user might install.
  const markers = new Map<string, boolean>();
  const applies = (item: RequirementItem): boolean => {
    if (item.marker === undefined || !context.environment) return true;
    let answer = markers.get(item.marker);
    if (answer === undefined) markers.set(item.marker, (answer = evaluateMarker(item.marker, { ...context.environment.markers, extra: '' }) !== false));
    return answer;
  };
  // "Did you mean" candidates, read only once a name turns out not to be installed.
  let known: Map<string, string> | undefined;
  const suggestions = new Map<string, string | undefined>();
  const suggestionFor = (name: string): string | undefined => {
    if (suggestions.has(name)) return suggestions.get(name);
    known ??= options.knownProjects();
    // A wheel of that very name in a find-links folder: a real project, just not installed yet.
    const suggestion = known.has(name) ? undefined : suggestProject(name, known);
    suggestions.set(name, suggestion);
    return suggestion;
  };
  const cwd = path.dirname(context.file);
  return (entry, seen) => {
    const { item } = entry;
    if (item.kind === 'error') {
      if (item.code === 'unknown-option' && item.option !== undefined) {
        const suggestion = suggestOption(item.option);
        push(rangeOf(entry, lines, item.option), `Unknown option ${clip(item.option, 80)}${suggestion ? `; did you mean ${suggestion}?` : ''}`, CODES.unknownOption, DiagnosticSeverity.Error, suggestion ? { replacement: suggestion, original: item.option } : undefined);
      } else {
        push(entry.span, item.message.replace(/ \(line \d+\)$/, ''), diagnosticCode(item.code));
      }
      return;
    }
    if (item.kind !== 'requirement' || item.constraint) return;
    const nameRange = rangeOf(entry, lines, item.name ?? item.text);
    if (item.normalizedName) {
      const first = seen.get(item.normalizedName);
      if (first) push(nameRange, `${item.name} is already required${first.file === context.file ? ` on line ${first.line + 1}` : ` in ${path.basename(first.file)} (line ${first.line + 1})`}`, CODES.duplicate, DiagnosticSeverity.Warning, { line: item.range.startLine, endLine: item.range.endLine });
      else seen.set(item.normalizedName, { file: context.file, line: item.range.startLine });
    }
    if (options.missingHash && item.hashes.length === 0 && !item.editable) {
      push(nameRange, `${item.name ?? item.text} has no --hash, but ${options.missingHash}: pip will refuse to install`, CODES.missingHash);
    }
    if (!context.environment || item.url || !applies(item)) return;
    const venv = path.basename(context.environment.venv);
    if (!item.normalizedName) {
      // A local project (`-e .`, `./pkg`) has no name to look up: PEP 610 says which distribution came from its folder.
      const folder = projectFolder(item, cwd);
      if (item.path && folder && isDirectory(folder) && !installedFor(item, context.environment.installed, cwd)) {
        push(rangeOf(entry, lines, item.path), `The project at ${item.path} is not installed in ${venv}`, CODES.notInstalled, DiagnosticSeverity.Warning, { path: item.path });
      }
      return;
    }
    if (item.editable || item.path) return;
    const installed = context.environment.installed.get(item.normalizedName);
    if (!installed) {
      const suggestion = suggestionFor(item.normalizedName);
      push(nameRange, `${item.name} is not installed in ${venv}${suggestion ? `; did you mean ${suggestion}?` : ''}`, CODES.notInstalled, DiagnosticSeverity.Warning, { name: item.name, ...(suggestion ? { replacement: suggestion } : {}) });
    } else if (item.specifier && !fits(installed.version, item.specifier)) {
      push(specifierRange(entry, lines) ?? nameRange, `installed ${installed.version}, required ${item.specifier}`, CODES.versionMismatch, DiagnosticSeverity.Warning, { installed: installed.version });
    }
  };
}

/** A diagnostics list and the function that adds to it. */
function collector(): { diagnostics: Diagnostic[]; push: Push } {
  const diagnostics: Diagnostic[] = [];
  const push: Push = (range, message, code, severity = DiagnosticSeverity.Error, data) => {
    diagnostics.push({ range, message, code, severity, source: 'venv-pilot', ...(data !== undefined ? { data } : {}) });
  };
  return { diagnostics, push };
}

/** True for a document the server reads as a `pyproject.toml` rather than a requirements file: decided by its name, whatever the client calls its language. */
export function isPyproject(file: string): boolean {
  return path.basename(file) === 'pyproject.toml';
}

/** True for a Python script, whose PEP 723 `# /// script` block (if any) holds dependency strings. */
export function isScript(file: string): boolean {
  return /\.pyw?$/i.test(file);
}

/** True for a document of dependency strings (a `pyproject.toml` or a script's block) rather than a requirements file. */
const isDependencyDocument = (file: string): boolean => isPyproject(file) || isScript(file);

/** A requirements document's items, each spanning its line. */
function requirementsEntries(context: AnalysisContext, lines: readonly string[]): Entry[] {
  return parseRequirementsText(context.text, context.file, { env: context.env, lineCache: context.lineCache }).map((item) => ({ item, span: lineRange(item, lines) }));
}

/**
 * The diagnostics for a document: a requirements file's, or for a `pyproject.toml` (see
 * {@link isPyproject}) those of its dependency strings, TOML syntax, shape and dependency groups.
 */
export function diagnose(context: AnalysisContext): Diagnostic[] {
  return isDependencyDocument(context.file) ? diagnosePyproject(context) : diagnoseRequirements(context);
}

/** A requirements file's diagnostics: its items, plus its includes, and duplicates counted across them. */
function diagnoseRequirements(context: AnalysisContext): Diagnostic[] {
  const lines = context.text.split(/\r\n|\r|\n/);
  const entries = requirementsEntries(context, lines);
  const items = entries.map((e) => e.item);
  const { diagnostics, push } = collector();
  // Names defined by includes count for duplicates.
  const seen = new Map<string, Place>();
  for (const item of items) {
    if (item.kind !== 'include' || item.constraint || !existsSync(item.resolved)) continue;
    for (const included of parseRequirementsFile(item.resolved, { env: context.env }).items) {
      if (included.kind === 'requirement' && included.normalizedName && !included.constraint && !seen.has(included.normalizedName)) seen.set(included.normalizedName, { file: included.range.file, line: included.range.startLine });
    }
  }
  const requireHashes = items.some((i) => i.kind === 'option' && i.name === '--require-hashes');
  const hashed = items.some((i) => i.kind === 'requirement' && i.hashes.length > 0);
  const check = itemChecker(context, lines, push, {
    ...(requireHashes || hashed ? { missingHash: requireHashes ? '--require-hashes is set' : 'other requirements are hashed' } : {}),
    knownProjects: () => knownProjects(context.environment, items, context.file),
  });
  for (const entry of entries) {
    const { item } = entry;
    if (item.kind === 'include') {
      if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(item.target) && !existsSync(item.resolved)) push(rangeOf(entry, lines, item.target), `${item.constraint ? 'Constraints' : 'Requirements'} file ${item.target} does not exist`, CODES.missingInclude);
      continue;
    }
    check(entry, seen);
  }
  return diagnostics;
}

/** A `pyproject.toml` as analysis sees it: parsed, or the syntax error that stopped the parse. */
type PyprojectDocument = { readonly lines: readonly string[] } & (
  | { readonly pyproject: Pyproject; readonly lists: readonly (readonly Entry[])[] }
  | { readonly script: ScriptMetadata | undefined; readonly lists: readonly (readonly Entry[])[] }
  | { readonly syntaxError: PyprojectSyntaxError }
);

/** A dependency string's entry: its item placed at its characters, with its whole token when those are inside quotes. */
function dependencyEntry(dependency: DependencyString, lines: readonly string[]): Entry {
  const span = toRange(dependency.range);
  const line = lines[span.start.line] ?? '';
  // Spelt as is (one line, no escapes), the range is inside the quotes: the token is one character wider each side.
  const inside = span.start.line === span.end.line && span.start.character > 0 && line.slice(span.start.character, span.end.character) === dependency.text && /^["']$/.test(line[span.start.character - 1] ?? '');
  const item = parseDependencyString(dependency.text, dependency.range);
  return inside ? { item, span, token: { start: { line: span.start.line, character: span.start.character - 1 }, end: { line: span.end.line, character: span.end.character + 1 } } } : { item, span };
}

/**
 * Parses a `pyproject.toml` for analysis. Its dependency lists each stand alone, duplicates being
 * judged within one: `[project].dependencies`, each extra, and each dependency group's own
 * requirements (an include is a reference, not a repeat).
 */
function readPyprojectDocument(context: AnalysisContext): PyprojectDocument {
  const lines = context.text.split(/\r\n|\r|\n/);
  if (isScript(context.file)) {
    // A script's block is one list; its text is the script's own, so ranges are the script's lines.
    const script = parseScriptMetadata(context.text, context.file);
    return { lines, script, lists: [(script?.dependencies ?? []).map((d) => dependencyEntry(d, lines))] };
  }
  let pyproject: Pyproject;
  try {
    // A byte-order mark is the file's, not TOML (readPyproject drops it); a space in its place keeps the columns.
    pyproject = parsePyproject(context.text.replace(/^\uFEFF/, ' '), context.file);
  } catch (error) {
    if (error instanceof PyprojectSyntaxError) return { lines, syntaxError: error };
    throw error;
  }
  const entries = (list: readonly DependencyString[]): Entry[] => list.map((d) => dependencyEntry(d, lines));
  const lists = [entries(pyproject.dependencies), ...[...pyproject.extras.values()].map(entries), ...[...pyproject.groups.values()].map((group) => entries(group.flatMap((e) => (e.kind === 'requirement' ? [e.dependency] : []))))];
  return { lines, pyproject, lists };
}

/** Every dependency string's entry of a parsed `pyproject.toml`, in list order. */
const allEntries = (document: PyprojectDocument): Entry[] => ('lists' in document ? document.lists.flat() : []);

const comparePositions = (a: Range['start'], b: Range['start']): number => a.line - b.line || a.character - b.character;

/**
 * A `pyproject.toml`'s diagnostics: invalid TOML (nothing else can be said then), shape problems,
 * each dependency string as its items are checked in a requirements file, and dependency-group
 * includes that name no group or go round in a cycle. In document order.
 */
function diagnosePyproject(context: AnalysisContext): Diagnostic[] {
  const document = readPyprojectDocument(context);
  const { diagnostics, push } = collector();
  if ('syntaxError' in document) {
    const { syntaxError: error } = document;
    const at = `${error.file}:${error.range.startLine + 1}:${error.range.startCharacter + 1}: `;
    push(toRange(error.range), error.message.startsWith(at) ? error.message.slice(at.length) : error.message, CODES.syntax);
    return diagnostics;
  }
  if ('script' in document) {
    for (const problem of document.script?.problems ?? []) push(toRange(problem.range), problem.message, CODES.syntax);
    const check = itemChecker(context, document.lines, push, { knownProjects: () => knownProjects(context.environment, [], context.file) });
    for (const list of document.lists) {
      const seen = new Map<string, Place>();
      for (const entry of list) check(entry, seen);
    }
    return diagnostics.sort((a, b) => comparePositions(a.range.start, b.range.start));
  }
  const { pyproject, lists, lines } = document;
  for (const problem of pyproject.problems) push(toRange(problem.range), problem.message, CODES.invalidPyproject);
  const check = itemChecker(context, lines, push, { knownProjects: () => knownProjects(context.environment, [], context.file) });
  for (const list of lists) {
    const seen = new Map<string, Place>();
    for (const entry of list) check(entry, seen);
  }
  // Expanding each group finds every bad include; one reached from several groups is reported once, at the include.
  const includes = [...pyproject.groups.values()].flat().filter((e) => e.kind === 'include');
  const groupNames = new Set([...pyproject.groups.keys()].map(normalizeGroupName));
  const reported = new Set<string>();
  for (const name of pyproject.groups.keys()) {
    try {
      expandDependencyGroup(pyproject, name);
    } catch (error) {
      if (!(error instanceof DependencyGroupError) || !error.range) throw error;
      const key = JSON.stringify(error.range);
      if (reported.has(key)) continue;
      reported.add(key);
      const include = includes.find((e) => JSON.stringify(e.range) === key);
      const unknown = include !== undefined && !groupNames.has(normalizeGroupName(include.group));
      // The file is the one open: its name says enough.
      push(toRange(error.range), error.message.split(context.file).join(path.basename(context.file)), unknown ? CODES.unknownGroup : CODES.includeCycle);
    }
  }
  return diagnostics.sort((a, b) => comparePositions(a.range.start, b.range.start));
}

/** The requirements entry on a line: a logical line may span several, with continuations. */
function entryOnLine(entries: readonly Entry[], line: number): Entry | undefined {
  return entries.find((e) => e.item.range.startLine <= line && line <= e.item.range.endLine);
}

/** Whether `position` is within `span`, its ends included (a cursor after a string's last character is in it). */
const contains = (span: Range, position: Range['start']): boolean => comparePositions(span.start, position) <= 0 && comparePositions(position, span.end) <= 0;

/** The dependency string at a position of a `pyproject.toml`. */
function entryAt(document: PyprojectDocument, position: Range['start']): Entry | undefined {
  return allEntries(document).find((e) => contains(e.span, position));
}

/**
 * The long option a word on a line stands for: a short form (its value attached or not), a long
 * form (with `=value` or not), or an unambiguous prefix of one, as pip's optparse accepts.
 */
function longOption(word: string): RequirementsOption | undefined {
  if (!word.startsWith('--')) return KNOWN_OPTIONS.find((o) => o.short === word.slice(0, 2));
  const given = word.split('=', 1)[0] ?? word;
  const exact = KNOWN_OPTIONS.find((o) => o.name === given || o.aliases?.includes(given));
  if (exact) return exact;
  const matches = REQUIREMENTS_OPTIONS.filter((o) => [o.name, ...(o.aliases ?? [])].some((s) => s.startsWith(given)));
  return matches.length === 1 ? matches[0] : undefined;
}

/** Hover for an option: pip's help text, and for a command-line-only option why pip rejects the line. */
function optionHover(option: RequirementsOption | undefined): Hover | undefined {
  if (option === undefined) return undefined;
  const heading = `**${option.name}**${option.short ? ` (${option.short})` : ''}`;
  if (REQUIREMENTS_OPTIONS.includes(option)) return { contents: { kind: 'markdown', value: `${heading}\n\n${option.help}` } };
  return { contents: { kind: 'markdown', value: `${heading}\n\n${option.help}\n\npip accepts it on the command line only, not in a requirements file.` } };
}

/**
 * Hover: on an option (or anywhere on an option or include line), pip's help for it; on a
 * requirement or a pyproject dependency string, the installed distribution's METADATA facts, each
 * cut to a line.
 */
export function hover(context: AnalysisContext, line: number, character: number): Hover | undefined {
  if (isDependencyDocument(context.file)) {
    const document = readPyprojectDocument(context);
    const entry = entryAt(document, { line, character });
    return entry && requirementHover(context, document.lines, entry);
  }
  const lines = context.text.split(/\r\n|\r|\n/);
  const entry = entryOnLine(requirementsEntries(context, lines), line);
  const item = entry?.item;
  // Only what comes before a comment can be an option.
  const code = (lines[line] ?? '').replace(/(^|\s)#.*$/, '');
  for (const word of code.matchAll(/\S+/g)) {
    if (word[0].startsWith('-') && word.index <= character && character <= word.index + word[0].length) {
      const answer = optionHover(longOption(word[0]));
      if (answer) return answer;
    }
  }
  if (item?.kind === 'option') return optionHover(longOption(item.name));
  if (item?.kind === 'include') return optionHover(longOption(item.constraint ? '--constraint' : '--requirement'));
  return entry && requirementHover(context, lines, entry);
}

/** A requirement's hover: the installed distribution's version against the specifier, summary, license and home page; or that it is not installed. */
function requirementHover(context: AnalysisContext, lines: readonly string[], entry: Entry): Hover | undefined {
  const { item } = entry;
  if (item.kind !== 'requirement' || (!item.normalizedName && !item.path)) return undefined;
  const environment = context.environment;
  const installed = !environment ? undefined : item.normalizedName ? environment.installed.get(item.normalizedName) : installedFor(item, environment.installed, path.dirname(context.file));
  const range = rangeOf(entry, lines, item.name ?? item.path);
  if (!installed) return { contents: { kind: 'markdown', value: `**${clip(item.name ?? item.path ?? item.text, FIELD_CHARS)}**: not installed${environment ? ` in ${path.basename(environment.venv)}` : ''}` }, range };
  const specifier = item.specifier ? clip(item.specifier, FIELD_CHARS) : '';
  const fits = !item.specifier || satisfies(installed.version, item.specifier, { prereleases: true });
  const facts = [
    `**${clip(installed.name, FIELD_CHARS)} ${clip(installed.version, FIELD_CHARS)}** installed${specifier ? (fits ? `, satisfies ${specifier}` : `, does not satisfy ${specifier}`) : ''}`,
    installed.summary ? clip(installed.summary, FIELD_CHARS) : undefined,
    // License-Expression when given; else a License field, which is often the whole license text.
    installed.license ? `License: ${clip(installed.license, LICENSE_CHARS)}` : undefined,
    installed.homePage ? `Home page: ${clip(installed.homePage, FIELD_CHARS)}` : undefined,
  ].filter(Boolean);
  return { contents: { kind: 'markdown', value: facts.join('\n\n') }, range };
}

/** `--find-links` folders of the document (relative to it). */
function findLinkFolders(items: readonly RequirementsItem[], file: string): string[] {
  return items.flatMap((i) => (i.kind === 'option' && i.name === '--find-links' && i.value && !/^[a-z]+:\/\//i.test(i.value) ? [path.resolve(path.dirname(file), i.value)] : []));
}

/** The wheels in the document's `--find-links` folders; an unreadable folder has none. */
function findLinkWheels(items: readonly RequirementsItem[], file: string): { project: string; version: string }[] {
  return findLinkFolders(items, file).flatMap((dir) => {
    try {
      return readdirSync(dir).flatMap((f) => {
        const w = parseWheelFileName(f);
        return w ? [w] : [];
      });
    } catch {
      return [];
    }
  });
}

/** Project names a requirement may have meant: installed ones as their METADATA spells them, then find-links wheels; keyed by normalised name. */
function knownProjects(environment: ActiveEnvironment | undefined, items: readonly RequirementsItem[], file: string): Map<string, string> {
  const known = new Map<string, string>();
  for (const dist of environment?.installed.values() ?? []) known.set(dist.normalizedName, dist.name);
  for (const wheel of findLinkWheels(items, file)) if (!known.has(wheel.project)) known.set(wheel.project, wheel.project);
  return known;
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Completion: in a requirements file, option names after `-`, versions after `name==`, else
 * distribution names; in a `pyproject.toml`, versions or names inside a dependency string only
 * (options mean nothing there). Versions come from find-links wheels and the installed one; names
 * from the venv and find-links.
 */
export function complete(context: AnalysisContext, line: number, character: number): CompletionItem[] {
  if (isDependencyDocument(context.file)) {
    const document = readPyprojectDocument(context);
    // Only a string spelt as is: in one with escapes, characters and columns part ways.
    const entry = allEntries(document).find((e) => e.token && e.span.start.line === line && contains(e.span, { line, character }));
    if (!entry) return [];
    return projectCompletions((document.lines[line] ?? '').slice(entry.span.start.character, character), context.environment, []);
  }
  const lines = context.text.split(/\r\n|\r|\n/);
  const before = (lines[line] ?? '').slice(0, character);
  if (/(^|\s)--?[\w-]*$/.test(before)) return REQUIREMENTS_OPTIONS.map((o) => ({ label: o.name, kind: 14, documentation: o.help }));
  const items = parseRequirementsText(context.text, context.file, { env: context.env, lineCache: context.lineCache });
  return projectCompletions(before, context.environment, findLinkWheels(items, context.file));
}

/** Versions after `name==` (`before` is the requirement's text up to the cursor), names at its start, else nothing. */
function projectCompletions(before: string, environment: ActiveEnvironment | undefined, wheels: readonly { project: string; version: string }[]): CompletionItem[] {
  const versioned = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*===?\s*[\w.*+!-]*$/.exec(before);
  if (versioned?.[1]) {
    const project = normalizeProjectName(versioned[1]);
    const installed = environment?.installed.get(project)?.version;
    const versions = [...wheels.filter((w) => w.project === project).map((w) => w.version), ...(installed ? [installed] : [])];
    return [...new Set(versions)].map((label, i) => ({ label, kind: 12, sortText: String(i).padStart(4, '0') }));
  }
  if (!/^\s*[\w.-]*$/.test(before)) return [];
  const names = new Map<string, string>();
  for (const dist of environment?.installed.values() ?? []) names.set(dist.normalizedName, `${dist.version} installed`);
  for (const w of wheels) if (!names.has(w.project)) names.set(w.project, `${w.version} in find-links`);
  return [...names].map(([label, detail]) => ({ label, detail, kind: 9 }));
}

/**
 * The edit that removes a dependency string from its array, leaving valid TOML: its line when
 * nothing else is on it, else the string with the comma after it, or before it when it is last.
 * `undefined` for a string over several lines.
 */
function elementRemoval(entry: Entry, lines: readonly string[]): Range | undefined {
  const token = entry.token ?? entry.span;
  if (token.start.line !== token.end.line) return undefined;
  const line = lines[token.start.line] ?? '';
  const at = token.start.line;
  const after = /^\s*,[ \t]*/.exec(line.slice(token.end.character))?.[0].length ?? 0;
  const rest = line.slice(0, token.start.character) + line.slice(token.end.character + after);
  if (rest.replace(/#.*$/, '').trim() === '') return { start: { line: at, character: 0 }, end: { line: at + 1, character: 0 } };
  if (after > 0) return { start: token.start, end: { line: at, character: token.end.character + after } };
  const comma = /,\s*$/.exec(line.slice(0, token.start.character))?.[0].length ?? 0;
  return { start: { line: at, character: token.start.character - comma }, end: token.end };
}

/**
 * Code actions for the diagnostics in range: pin to the installed version, sync now, remove a
 * duplicate, fix a misspelt option or project name. In a `pyproject.toml` every edit stays inside
 * its TOML string, or removes the whole string from its array.
 */
export function codeActions(context: AnalysisContext, uri: string, diagnostics: readonly Diagnostic[]): CodeAction[] {
  const document = isDependencyDocument(context.file) ? readPyprojectDocument(context) : undefined;
  const lines = document?.lines ?? context.text.split(/\r\n|\r|\n/);
  const entries = document ? undefined : requirementsEntries(context, lines);
  // A script's environment is its own, made by running it: the workspace's sync does not reach it.
  const canSync = !isScript(context.file);
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    const entry = document ? entryAt(document, diagnostic.range.start) : entryOnLine(entries ?? [], diagnostic.range.start.line);
    if (canSync && (diagnostic.code === CODES.notInstalled || diagnostic.code === CODES.versionMismatch)) {
      actions.push({ title: 'Sync environment now', kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], command: { title: 'Sync environment now', command: 'venvPilot.syncEnvironment' } });
    }
    if (diagnostic.code === CODES.versionMismatch && entry?.item.kind === 'requirement') {
      const installed = (diagnostic.data as { installed?: string } | undefined)?.installed;
      const range = specifierRange(entry, lines);
      if (installed && range) actions.push({ title: `Pin to installed version (==${installed})`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [uri]: [{ range, newText: `==${installed}` }] } } });
    }
    if (diagnostic.code === CODES.duplicate && entry) {
      const { item } = entry;
      const range = document ? elementRemoval(entry, lines) : { start: { line: item.range.startLine, character: 0 }, end: { line: item.range.endLine + 1, character: 0 } };
      if (range) actions.push({ title: 'Remove duplicate', kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [uri]: [{ range, newText: '' }] } } });
    }
    const replacement = (diagnostic.data as { replacement?: string } | undefined)?.replacement;
    if ((diagnostic.code === CODES.unknownOption || diagnostic.code === CODES.notInstalled) && replacement) {
      actions.push({ title: `Change to ${replacement}`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [uri]: [{ range: diagnostic.range, newText: replacement }] } } });
    }
  }
  return actions;
}

/** Links for `-r`/`-c` targets (files) and URLs; in a `pyproject.toml`, a requirement's `@ URL`. */
export function documentLinks(context: AnalysisContext): DocumentLink[] {
  const document = isDependencyDocument(context.file) ? readPyprojectDocument(context) : undefined;
  const lines = document?.lines ?? context.text.split(/\r\n|\r|\n/);
  const links: DocumentLink[] = [];
  for (const entry of document ? allEntries(document) : requirementsEntries(context, lines)) {
    const { item } = entry;
    if (item.kind === 'include') {
      const target = /^[a-z][a-z0-9+.-]*:\/\//i.test(item.resolved) ? item.resolved : `file://${item.resolved}`;
      links.push({ range: rangeOf(entry, lines, item.target), target });
    } else if (item.kind === 'requirement' && item.url && /^https?:/.test(item.url)) {
      links.push({ range: rangeOf(entry, lines, item.url), target: item.url });
    } else if (item.kind === 'option' && item.value && /^https?:\/\//.test(item.value)) {
      links.push({ range: rangeOf(entry, lines, item.value), target: item.value });
    }
  }
  return links;
}
