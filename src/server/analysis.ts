/**
 * What the language server says about a requirements document: diagnostics, hover, completion,
 * code actions and links, computed from core's parser and the active venv's installed set.
 * Plain data in, LSP types out; the connection lives in server.ts.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CodeActionKind, DiagnosticSeverity, type CodeAction, type CompletionItem, type Diagnostic, type DocumentLink, type Hover, type Range } from 'vscode-languageserver';
import { COMMAND_LINE_ONLY_OPTIONS, REQUIREMENTS_OPTIONS, type RequirementsOption } from '../core/leaves/requirements/options';
import { parseRequirementsFile, parseRequirementsText, type RequirementItem, type RequirementsErrorCode, type RequirementsItem } from '../core/leaves/requirements/parser';
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

const lineRange = (item: RequirementsItem, lines: readonly string[]): Range => {
  const first = lines[item.range.startLine] ?? '';
  const start = first.length - first.trimStart().length;
  const last = lines[item.range.endLine] ?? '';
  return { start: { line: item.range.startLine, character: start }, end: { line: item.range.endLine, character: last.replace(/\s+#.*$/, '').trimEnd().length } };
};

/** The range of `needle` on the item's first line, else the whole item. */
function rangeOf(item: RequirementsItem, lines: readonly string[], needle: string | undefined, from = 0): Range {
  const line = lines[item.range.startLine] ?? '';
  const at = needle ? line.indexOf(needle, from) : -1;
  return at >= 0 ? { start: { line: item.range.startLine, character: at }, end: { line: item.range.startLine, character: at + (needle?.length ?? 0) } } : lineRange(item, lines);
}

/** Where the specifier is written on the line: from the first operator after the name to `;` or a comment. */
function specifierRange(item: RequirementItem, lines: readonly string[]): Range {
  const line = lines[item.range.startLine] ?? '';
  const nameAt = item.name ? line.indexOf(item.name) : 0;
  const match = /(===|==|!=|~=|>=|<=|>|<)[^;#]*/.exec(line.slice(Math.max(nameAt, 0)));
  if (!match) return rangeOf(item, lines, item.name);
  const start = Math.max(nameAt, 0) + match.index;
  return { start: { line: item.range.startLine, character: start }, end: { line: item.range.startLine, character: start + match[0].replace(/\s*(--.*)?$/, '').length } };
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


/** The diagnostics for a document. */
export function diagnose(context: AnalysisContext): Diagnostic[] {
  const lines = context.text.split(/\r\n|\r|\n/);
  const items = parseRequirementsText(context.text, context.file, { env: context.env, lineCache: context.lineCache });
  const diagnostics: Diagnostic[] = [];
  const push = (range: Range, message: string, code: string, severity: DiagnosticSeverity = DiagnosticSeverity.Error, data?: unknown): void => {
    diagnostics.push({ range, message, code, severity, source: 'venv-pilot', ...(data !== undefined ? { data } : {}) });
  };
  // Names defined by includes count for duplicates.
  const seen = new Map<string, { file: string; line: number }>();
  for (const item of items) {
    if (item.kind !== 'include' || item.constraint || !existsSync(item.resolved)) continue;
    for (const included of parseRequirementsFile(item.resolved, { env: context.env }).items) {
      if (included.kind === 'requirement' && included.normalizedName && !included.constraint && !seen.has(included.normalizedName)) seen.set(included.normalizedName, { file: included.range.file, line: included.range.startLine });
    }
  }
  // Thousands of lines repeat a few (version, specifier) pairs: check each pair once.
  const checked = new Map<string, boolean>();
  const fits = (version: string, specifier: string): boolean => {
    const key = `${version} ${specifier}`;
    let answer = checked.get(key);
    if (answer === undefined) checked.set(key, (answer = satisfies(version, specifier, { prereleases: true })));
    return answer;
  };
  // Requirements in effect for this interpreter: markers that exclude it are skipped, never flagged.
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
    known ??= knownProjects(context.environment, items, context.file);
    // A wheel of that very name in a find-links folder: a real project, just not installed yet.
    const suggestion = known.has(name) ? undefined : suggestProject(name, known);
    suggestions.set(name, suggestion);
    return suggestion;
  };
  const cwd = path.dirname(context.file);
  const requireHashes = items.some((i) => i.kind === 'option' && i.name === '--require-hashes');
  const requirements = items.filter((i): i is RequirementItem => i.kind === 'requirement');
  const hashed = requirements.filter((r) => r.hashes.length > 0);
  for (const item of items) {
    if (item.kind === 'error') {
      if (item.code === 'unknown-option' && item.option !== undefined) {
        const suggestion = suggestOption(item.option);
        push(rangeOf(item, lines, item.option), `Unknown option ${clip(item.option, 80)}${suggestion ? `; did you mean ${suggestion}?` : ''}`, CODES.unknownOption, DiagnosticSeverity.Error, suggestion ? { replacement: suggestion, original: item.option } : undefined);
      } else {
        push(lineRange(item, lines), item.message.replace(/ \(line \d+\)$/, ''), diagnosticCode(item.code));
      }
      continue;
    }
    if (item.kind === 'include') {
      if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(item.target) && !existsSync(item.resolved)) push(rangeOf(item, lines, item.target), `${item.constraint ? 'Constraints' : 'Requirements'} file ${item.target} does not exist`, CODES.missingInclude);
      continue;
    }
    if (item.kind !== 'requirement' || item.constraint) continue;
    const nameRange = rangeOf(item, lines, item.name ?? item.text);
    if (item.normalizedName) {
      const first = seen.get(item.normalizedName);
      if (first) push(nameRange, `${item.name} is already required${first.file === context.file ? ` on line ${first.line + 1}` : ` in ${path.basename(first.file)} (line ${first.line + 1})`}`, CODES.duplicate, DiagnosticSeverity.Warning, { line: item.range.startLine, endLine: item.range.endLine });
      else seen.set(item.normalizedName, { file: context.file, line: item.range.startLine });
    }
    if ((requireHashes || hashed.length > 0) && item.hashes.length === 0 && !item.editable) {
      push(nameRange, `${item.name ?? item.text} has no --hash, but ${requireHashes ? '--require-hashes is set' : 'other requirements are hashed'}: pip will refuse to install`, CODES.missingHash);
    }
    if (!context.environment || item.url || !applies(item)) continue;
    const venv = path.basename(context.environment.venv);
    if (!item.normalizedName) {
      // A local project (`-e .`, `./pkg`) has no name to look up: PEP 610 says which distribution came from its folder.
      const folder = projectFolder(item, cwd);
      if (item.path && folder && isDirectory(folder) && !installedFor(item, context.environment.installed, cwd)) {
        push(rangeOf(item, lines, item.path), `The project at ${item.path} is not installed in ${venv}`, CODES.notInstalled, DiagnosticSeverity.Warning, { path: item.path });
      }
      continue;
    }
    if (item.editable || item.path) continue;
    const installed = context.environment.installed.get(item.normalizedName);
    if (!installed) {
      const suggestion = suggestionFor(item.normalizedName);
      push(nameRange, `${item.name} is not installed in ${venv}${suggestion ? `; did you mean ${suggestion}?` : ''}`, CODES.notInstalled, DiagnosticSeverity.Warning, { name: item.name, ...(suggestion ? { replacement: suggestion } : {}) });
    } else if (item.specifier && !fits(installed.version, item.specifier)) {
      push(specifierRange(item, lines), `installed ${installed.version}, required ${item.specifier}`, CODES.versionMismatch, DiagnosticSeverity.Warning, { installed: installed.version });
    }
  }
  return diagnostics;
}

/** The item at a position. */
function itemAt(items: readonly RequirementsItem[], line: number): RequirementsItem | undefined {
  return items.find((i) => i.range.startLine <= line && line <= i.range.endLine);
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
 * requirement, the installed distribution's METADATA facts, each cut to a line.
 */
export function hover(context: AnalysisContext, line: number, character: number): Hover | undefined {
  const lines = context.text.split(/\r\n|\r|\n/);
  const item = itemAt(parseRequirementsText(context.text, context.file, { env: context.env, lineCache: context.lineCache }), line);
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
  if (item?.kind !== 'requirement' || (!item.normalizedName && !item.path)) return undefined;
  const environment = context.environment;
  const installed = !environment ? undefined : item.normalizedName ? environment.installed.get(item.normalizedName) : installedFor(item, environment.installed, path.dirname(context.file));
  const range = rangeOf(item, lines, item.name ?? item.path);
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

/** Completion: option names after `-`, versions from find-links after `name==`, else distribution names. */
export function complete(context: AnalysisContext, line: number, character: number): CompletionItem[] {
  const lines = context.text.split(/\r\n|\r|\n/);
  const before = (lines[line] ?? '').slice(0, character);
  const items = parseRequirementsText(context.text, context.file, { env: context.env, lineCache: context.lineCache });
  const wheels = findLinkWheels(items, context.file);
  if (/(^|\s)--?[\w-]*$/.test(before)) return REQUIREMENTS_OPTIONS.map((o) => ({ label: o.name, kind: 14, documentation: o.help }));
  const versioned = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*===?\s*[\w.*+!-]*$/.exec(before);
  if (versioned?.[1]) {
    const project = versioned[1].toLowerCase().replace(/[-_.]+/g, '-');
    return [...new Set(wheels.filter((w) => w.project === project).map((w) => w.version))].map((label, i) => ({ label, kind: 12, sortText: String(i).padStart(4, '0') }));
  }
  if (!/^\s*[\w.-]*$/.test(before)) return [];
  const names = new Map<string, string>();
  for (const dist of context.environment?.installed.values() ?? []) names.set(dist.normalizedName, `${dist.version} installed`);
  for (const w of wheels) if (!names.has(w.project)) names.set(w.project, `${w.version} in find-links`);
  return [...names].map(([label, detail]) => ({ label, detail, kind: 9 }));
}

/** Code actions for the diagnostics in range: pin to the installed version, sync now, remove a duplicate, fix a misspelt option or project name. */
export function codeActions(context: AnalysisContext, uri: string, diagnostics: readonly Diagnostic[]): CodeAction[] {
  const lines = context.text.split(/\r\n|\r|\n/);
  const items = parseRequirementsText(context.text, context.file, { env: context.env, lineCache: context.lineCache });
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    const item = itemAt(items, diagnostic.range.start.line);
    if (diagnostic.code === CODES.notInstalled || diagnostic.code === CODES.versionMismatch) {
      actions.push({ title: 'Sync environment now', kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], command: { title: 'Sync environment now', command: 'venvPilot.syncEnvironment' } });
    }
    if (diagnostic.code === CODES.versionMismatch && item?.kind === 'requirement') {
      const installed = (diagnostic.data as { installed?: string } | undefined)?.installed;
      if (installed) actions.push({ title: `Pin to installed version (==${installed})`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [uri]: [{ range: specifierRange(item, lines), newText: `==${installed}` }] } } });
    }
    if (diagnostic.code === CODES.duplicate && item) {
      const end = item.range.endLine + 1;
      actions.push({ title: 'Remove duplicate', kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [uri]: [{ range: { start: { line: item.range.startLine, character: 0 }, end: { line: end, character: 0 } }, newText: '' }] } } });
    }
    const replacement = (diagnostic.data as { replacement?: string } | undefined)?.replacement;
    if ((diagnostic.code === CODES.unknownOption || diagnostic.code === CODES.notInstalled) && replacement) {
      actions.push({ title: `Change to ${replacement}`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [uri]: [{ range: diagnostic.range, newText: replacement }] } } });
    }
  }
  return actions;
}

/** Links for `-r`/`-c` targets (files) and URLs. */
export function documentLinks(context: AnalysisContext): DocumentLink[] {
  const lines = context.text.split(/\r\n|\r|\n/);
  const links: DocumentLink[] = [];
  for (const item of parseRequirementsText(context.text, context.file, { env: context.env, lineCache: context.lineCache })) {
    if (item.kind === 'include') {
      const target = /^[a-z][a-z0-9+.-]*:\/\//i.test(item.resolved) ? item.resolved : `file://${item.resolved}`;
      links.push({ range: rangeOf(item, lines, item.target), target });
    } else if (item.kind === 'requirement' && item.url && /^https?:/.test(item.url)) {
      links.push({ range: rangeOf(item, lines, item.url), target: item.url });
    } else if (item.kind === 'option' && item.value && /^https?:\/\//.test(item.value)) {
      links.push({ range: rangeOf(item, lines, item.value), target: item.value });
    }
  }
  return links;
}
