/**
 * What the language server says about a requirements document: diagnostics, hover, completion,
 * code actions and links, computed from core's parser and the active venv's installed set.
 * Plain data in, LSP types out; the connection lives in server.ts.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { satisfies, valid } from '@renovatebot/pep440';
import { CodeActionKind, DiagnosticSeverity, type CodeAction, type CompletionItem, type Diagnostic, type DocumentLink, type Hover, type Range } from 'vscode-languageserver';
import { parseRequirementsFile, parseRequirementsText, type RequirementItem, type RequirementsItem } from '../core/requirements/parser';
import { evaluateMarker } from '../core/requirements/pep508';
import { parseWheelFileName } from '../core/seed/wheels';
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

/** The long options of pip's requirements format, with their documentation (pip docs, "Requirements File Format"). */
export const OPTION_DOCS: Readonly<Record<string, string>> = {
  '--index-url': 'Base URL of the Python Package Index (default https://pypi.org/simple). `-i` for short.',
  '--extra-index-url': 'Extra URLs of package indexes to use in addition to --index-url.',
  '--no-index': 'Ignore package index (only look at --find-links URLs instead).',
  '--constraint': 'Constrain versions using the given constraints file. `-c` for short.',
  '--requirement': 'Install from the given requirements file. `-r` for short.',
  '--editable': 'Install a project in editable mode from a local path or a VCS URL. `-e` for short.',
  '--find-links': 'A URL or path to an HTML file or folder to look for archives in. `-f` for short.',
  '--no-binary': 'Do not use binary packages for these projects (`:all:` or `:none:` or names).',
  '--only-binary': 'Do not use source packages for these projects (`:all:` or `:none:` or names).',
  '--prefer-binary': 'Prefer binary packages over source packages, even if the source packages are newer.',
  '--require-hashes': 'Require a hash for each requirement (implied by the presence of any --hash).',
  '--pre': 'Include pre-release and development versions.',
  '--trusted-host': 'Mark this host or host:port pair as trusted, even without valid HTTPS.',
  '--use-feature': 'Enable new functionality that may be backward incompatible.',
  '--hash': 'A hash the requirement\'s archive must match, as `algorithm:hexdigest` (per requirement).',
  '--config-settings': 'Configuration settings passed to the build backend, `key=value` (per requirement).',
  '--global-option': 'Extra global options passed to setup.py (per requirement; deprecated).',
};

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

/** Edit distance, for "did you mean" on options. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/** The closest known option to a misspelt one, if close enough. */
export function suggestOption(given: string): string | undefined {
  const [best] = Object.keys(OPTION_DOCS)
    .map((o) => [o, distance(given, o)] as const)
    .sort((a, b) => a[1] - b[1]);
  return best && best[1] <= 3 ? best[0] : undefined;
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
    if (answer === undefined) checked.set(key, (answer = !!valid(version) && satisfies(version, specifier)));
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
  const requireHashes = items.some((i) => i.kind === 'option' && i.name === '--require-hashes');
  const requirements = items.filter((i): i is RequirementItem => i.kind === 'requirement');
  const hashed = requirements.filter((r) => r.hashes.length > 0);
  for (const item of items) {
    if (item.kind === 'error') {
      const unknown = /^no such option: (\S+)/.exec(item.message);
      if (unknown?.[1]) {
        const suggestion = suggestOption(unknown[1]);
        push(rangeOf(item, lines, unknown[1]), `Unknown option ${unknown[1]}${suggestion ? `; did you mean ${suggestion}?` : ''}`, CODES.unknownOption, DiagnosticSeverity.Error, suggestion ? { replacement: suggestion, original: unknown[1] } : undefined);
      } else {
        const code = /Invalid version specifier/.test(item.message) ? CODES.invalidSpecifier : /[Mm]arker/.test(item.message) ? CODES.invalidMarker : CODES.syntax;
        push(lineRange(item, lines), item.message.replace(/ \(line \d+\)$/, ''), code);
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
    if (!context.environment || !item.normalizedName || item.editable || item.url || item.path || !applies(item)) continue;
    const installed = context.environment.installed.get(item.normalizedName);
    if (!installed) {
      push(nameRange, `${item.name} is not installed in ${path.basename(context.environment.venv)}`, CODES.notInstalled, DiagnosticSeverity.Warning, { name: item.name });
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

/** Hover: an installed requirement's METADATA facts, or an option's documentation. */
export function hover(context: AnalysisContext, line: number, character: number): Hover | undefined {
  const lines = context.text.split(/\r\n|\r|\n/);
  const item = itemAt(parseRequirementsText(context.text, context.file, { env: context.env, lineCache: context.lineCache }), line);
  const word = /--?[\w-]+/g;
  for (const m of (lines[line] ?? '').matchAll(word)) {
    if (m.index !== undefined && m.index <= character && character <= m.index + m[0].length) {
      const long = ({ '-i': '--index-url', '-c': '--constraint', '-r': '--requirement', '-e': '--editable', '-f': '--find-links' } as Record<string, string>)[m[0]] ?? m[0];
      const doc = OPTION_DOCS[long];
      if (doc) return { contents: { kind: 'markdown', value: `**${long}**\n\n${doc}` } };
    }
  }
  if (item?.kind !== 'requirement' || !item.normalizedName) return undefined;
  const installed = context.environment?.installed.get(item.normalizedName);
  if (!installed) return { contents: { kind: 'markdown', value: `**${item.name}**: not installed${context.environment ? ` in ${path.basename(context.environment.venv)}` : ''}` } };
  const fits = !item.specifier || (valid(installed.version) && satisfies(installed.version, item.specifier));
  const facts = [
    `**${installed.name} ${installed.version}** installed${item.specifier ? (fits ? `, satisfies ${item.specifier}` : `, does not satisfy ${item.specifier}`) : ''}`,
    installed.summary,
    installed.license ? `License: ${installed.license}` : undefined,
    installed.homePage ? `Home page: ${installed.homePage}` : undefined,
  ].filter(Boolean);
  return { contents: { kind: 'markdown', value: facts.join('\n\n') }, range: rangeOf(item, lines, item.name) };
}

/** `--find-links` folders of the document (relative to it), for completion. */
function findLinkFolders(items: readonly RequirementsItem[], file: string): string[] {
  return items.flatMap((i) => (i.kind === 'option' && i.name === '--find-links' && i.value && !/^[a-z]+:\/\//i.test(i.value) ? [path.resolve(path.dirname(file), i.value)] : []));
}

/** Completion: option names after `-`, versions from find-links after `name==`, else distribution names. */
export function complete(context: AnalysisContext, line: number, character: number): CompletionItem[] {
  const lines = context.text.split(/\r\n|\r|\n/);
  const before = (lines[line] ?? '').slice(0, character);
  const items = parseRequirementsText(context.text, context.file, { env: context.env, lineCache: context.lineCache });
  const wheels = findLinkFolders(items, context.file).flatMap((dir) => {
    try {
      return readdirSync(dir).flatMap((f) => {
        const w = parseWheelFileName(f);
        return w ? [w] : [];
      });
    } catch {
      return [];
    }
  });
  if (/(^|\s)--?[\w-]*$/.test(before)) return Object.entries(OPTION_DOCS).map(([label, documentation]) => ({ label, kind: 14, documentation }));
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

/** Code actions for the diagnostics in range: pin to the installed version, sync now, remove a duplicate, fix a misspelt option. */
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
    if (diagnostic.code === CODES.unknownOption && replacement) {
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
