/**
 * pip's requirements-file format (pip docs, "Requirements File Format"; pip's req_file.py):
 * `\` continuations, `#` comments, `${VAR}` expansion, option lines, includes, editables and
 * requirement lines with per-requirement options. Every item carries its file and range; errors
 * are items too. Nothing here throws on user content.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { normalizeProjectName, parsePep508 } from './pep508';
import { MAX_REQUIREMENTS_FILE_BYTES, readRequirementsFile, type EncodingSource, type ReadFailure, type ReadResult } from './read';

/** A span of a file, 0-based lines and UTF-16 columns, end exclusive (as LSP ranges). */
export interface SourceRange {
  readonly file: string;
  readonly startLine: number;
  readonly startCharacter: number;
  readonly endLine: number;
  readonly endCharacter: number;
}

/** A requirement line, or an `-e` editable. */
export interface RequirementItem {
  readonly kind: 'requirement';
  readonly range: SourceRange;
  /** The requirement as written (after continuation joining and variable expansion). */
  readonly text: string;
  /** From a `-c` constraints file. */
  readonly constraint: boolean;
  readonly editable: boolean;
  /** Project name when known (PEP 508 name, `#egg=`, or a wheel file name). */
  readonly name?: string;
  readonly normalizedName?: string;
  readonly extras: readonly string[];
  readonly specifier: string;
  /** The specifier is a pre-PEP 440 "legacy" version: pip 23 accepts it, pip 24.1+ does not. */
  readonly legacySpecifier?: boolean;
  readonly marker?: string;
  /** A URL (`name @ url`, a bare URL, or a VCS URL). */
  readonly url?: string;
  /** A local path or archive, as written. */
  readonly path?: string;
  readonly hashes: readonly string[];
  readonly configSettings: readonly string[];
  readonly globalOptions: readonly string[];
}

/** A global option line, e.g. `--index-url URL` or `--pre`. `name` is the long form. */
export interface OptionItem {
  readonly kind: 'option';
  readonly range: SourceRange;
  readonly name: string;
  readonly value?: string;
}

/** `-r FILE` or `-c FILE`; `resolved` is the absolute path (relative to the including file), or the URL. */
export interface IncludeItem {
  readonly kind: 'include';
  readonly range: SourceRange;
  readonly constraint: boolean;
  readonly target: string;
  readonly resolved: string;
}

/** Something pip would reject, with pip's kind of message. */
export interface ErrorItem {
  readonly kind: 'error';
  readonly range: SourceRange;
  readonly message: string;
}

export type RequirementsItem = RequirementItem | OptionItem | IncludeItem | ErrorItem;

/** Options for parsing. */
export interface ParseOptions {
  /**
   * For `${VAR}` expansion and, being the environment pip runs in, for its locale: the encoding of
   * a file read with neither a byte-order mark nor a coding line. Default `process.env`.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Folder that relative requirement paths (not includes) resolve against, as pip's working directory; default the file's folder. */
  readonly cwd?: string;
  /** Whether the file is a constraints file (`-c`). */
  readonly constraint?: boolean;
  /**
   * Items by logical-line text, filled and reused across calls on the same document (the
   * language server re-parses on every keystroke, and most lines did not change).
   */
  readonly lineCache?: Map<string, readonly RequirementsItem[]>;
}

/** The long options pip accepts in requirements files (pip 23): name -> takes a value. */
const OPTIONS: Readonly<Record<string, boolean>> = {
  '--index-url': true,
  '--extra-index-url': true,
  '--no-index': false,
  '--constraint': true,
  '--requirement': true,
  '--editable': true,
  '--find-links': true,
  '--no-binary': true,
  '--only-binary': true,
  '--prefer-binary': false,
  '--require-hashes': false,
  '--pre': false,
  '--trusted-host': true,
  '--use-feature': true,
  // Per-requirement options.
  '--global-option': true,
  '--config-settings': true,
  '--hash': true,
};
const SHORT: Readonly<Record<string, string>> = { '-i': '--index-url', '-c': '--constraint', '-r': '--requirement', '-e': '--editable', '-f': '--find-links' };
/** Options that only make sense after a requirement on the same line. */
const PER_REQUIREMENT = new Set(['--global-option', '--config-settings', '--hash']);
const VCS_SCHEMES = ['git', 'hg', 'svn', 'bzr'];
const ARCHIVE = /\.(whl|zip|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar\.lz|tlz|tar)$/i;

/**
 * The most distinct files one {@link parseRequirementsFile} call reads, the root included. pip has
 * no limit; with each file parsed once and at most {@link MAX_REQUIREMENTS_FILE_BYTES} bytes, this
 * bounds the work a crafted tree of includes can demand.
 */
export const MAX_REQUIREMENTS_FILES = 1_000;

/** How many characters of input a message quotes: enough to recognise it, never megabytes of a line. */
const MAX_QUOTED_CHARACTERS = 200;

/** Input for a message: `text`, or its first {@link MAX_QUOTED_CHARACTERS} UTF-16 units and how many more there are. */
export function clipForMessage(text: string): string {
  if (text.length <= MAX_QUOTED_CHARACTERS) return text;
  // Cutting between the halves of a surrogate pair would leave half a character.
  const cut = /[\uD800-\uDBFF]/.test(text[MAX_QUOTED_CHARACTERS - 1] ?? '') ? MAX_QUOTED_CHARACTERS - 1 : MAX_QUOTED_CHARACTERS;
  return `${text.slice(0, cut)}…(${text.length - cut} more characters)`;
}

/** One logical line: its text after joining, comment removal and expansion, and the physical lines it spans. */
interface LogicalLine {
  readonly text: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly endCharacter: number;
}

/**
 * `text` up to its comment: the first `#` at the start or after whitespace, as pip's COMMENT_RE
 * `(^|\s+)#.*$` finds it (the whitespace before it goes too once trimmed). Not that regular
 * expression itself: its backtracking takes time quadratic in a run of whitespace, minutes for
 * one long line.
 */
function withoutComment(text: string): string {
  const hash = /(?:^|\s)#/.exec(text);
  return hash ? text.slice(0, hash.index) : text;
}

/** Splits text into logical lines the way pip's preprocess() does (join_lines, ignore_comments, expand_env_variables). */
export function logicalLines(text: string, env: Readonly<Record<string, string | undefined>>): LogicalLine[] {
  const physical = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (physical.length > 0 && physical[physical.length - 1] === '') physical.pop();
  const out: LogicalLine[] = [];
  let parts: string[] = [];
  let start = 0;
  const emit = (joined: string, first: number, last: number): void => {
    const stripped = withoutComment(joined).trim();
    if (!stripped) return;
    const expanded = stripped.replace(/\$\{([A-Z0-9_]+)\}/g, (whole, name: string) => env[name] ?? whole);
    out.push({ text: expanded, startLine: first, endLine: last, endCharacter: physical[last]?.length ?? 0 });
  };
  physical.forEach((line, index) => {
    const isComment = /^\s*#/.test(line) || /\s#/.test(line);
    if (!line.endsWith('\\') || isComment) {
      const piece = isComment && /^\s*#/.test(line) ? ` ${line}` : line;
      if (parts.length) {
        emit(parts.join('') + piece, start, index);
        parts = [];
      } else emit(piece, index, index);
    } else {
      if (!parts.length) start = index;
      parts.push(line.replace(/^\\+|\\+$/g, ''));
    }
  });
  if (parts.length) emit(parts.join(''), start, physical.length - 1);
  return out;
}

/** POSIX shell-like splitting (Python's shlex.split), used by pip for option strings. Returns a message for unbalanced quotes. */
export function shellSplit(text: string): string[] | string {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && (text[i + 1] === '"' || text[i + 1] === '\\')) word = (word ?? '') + text[++i];
      else word = (word ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\') word = (word ?? '') + (text[++i] ?? '');
    else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (quote) return 'No closing quotation';
  if (word !== undefined) words.push(word);
  return words;
}

/** Parsed options of one line: each as [long name, value?], or an error message (optparse's wording). */
function parseOptions(words: readonly string[]): { options: [string, string | undefined][] } | { error: string } {
  const options: [string, string | undefined][] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (!word.startsWith('-') || word === '-') continue; // Leftover arguments are ignored, as pip does.
    let name: string;
    let value: string | undefined;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const given = eq >= 0 ? word.slice(0, eq) : word;
      // optparse accepts any unambiguous prefix of a long option.
      const matches = Object.keys(OPTIONS).filter((o) => o === given || o.startsWith(given));
      const exact = matches.find((o) => o === given);
      if (!exact && matches.length !== 1) return { error: matches.length > 1 ? `ambiguous option: ${clipForMessage(given)} (${matches.join(', ')}?)` : `no such option: ${clipForMessage(given)}` };
      name = exact ?? (matches[0] as string);
      if (eq >= 0) {
        if (!OPTIONS[name]) return { error: `${name} option does not take a value` };
        value = word.slice(eq + 1);
      }
    } else {
      const short = word.slice(0, 2);
      const long = SHORT[short];
      if (!long) return { error: `no such option: ${short}` };
      name = long;
      if (word.length > 2) value = word.slice(2);
    }
    if (OPTIONS[name] && value === undefined) {
      const next = words[i + 1];
      if (next === undefined) return { error: `${name} option requires 1 argument` };
      value = next;
      i++;
    }
    options.push([name, value]);
  }
  return { options };
}

/** The range of a whole logical line. */
function lineRange(file: string, line: LogicalLine): SourceRange {
  return { file, startLine: line.startLine, startCharacter: 0, endLine: line.endLine, endCharacter: line.endCharacter };
}

/** What an `#egg=` fragment names: a PEP 508 name, optionally with extras and a specifier (pip 23 accepts `#egg=name==1.0`). */
function eggRequirement(url: string): { name?: string; specifier?: string; error?: string } {
  const egg = /[#&]egg=([^&]*)/.exec(url)?.[1];
  if (egg === undefined) return {};
  const parsed = parsePep508(egg);
  if (!parsed.ok || parsed.requirement.url || parsed.requirement.marker !== undefined) return { error: `Invalid egg fragment "${clipForMessage(egg)}": it must be a project name` };
  return { name: parsed.requirement.name, specifier: parsed.requirement.specifier };
}

/** Is `text` a URL pip treats as a link (a scheme pip knows, VCS included)? */
function isUrl(text: string): boolean {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (!scheme) return false;
  return ['http', 'https', 'file', 'ftp'].includes(scheme) || VCS_SCHEMES.some((v) => scheme.startsWith(`${v}+`));
}

/** A wheel file name pins its project: `pilotfish-1.0.0-py3-none-any.whl` is `pilotfish==1.0.0` (PEP 427). */
function wheelIdentity(fileName: string | undefined): { name: string; specifier: string } | undefined {
  const m = fileName && /^([^-]+)-([^-]+)-.*\.whl$/i.exec(fileName);
  return m && m[1] && m[2] ? { name: m[1], specifier: `==${m[2]}` } : undefined;
}

/** pip's `_looks_like_path`. */
const looksLikePath = (text: string): boolean => text.includes('/') || text.includes('\\') || text.startsWith('.');

const isInstallableDir = (dir: string): boolean => existsSync(path.join(dir, 'setup.py')) || existsSync(path.join(dir, 'pyproject.toml'));

type RequirementFields = Omit<RequirementItem, 'kind' | 'range' | 'constraint' | 'hashes' | 'configSettings' | 'globalOptions'>;

/** A requirement argument (pip's parse_req_from_line), or an error message. */
function parseRequirementArgument(text: string, cwd: string): RequirementFields | string {
  if (isUrl(text)) {
    const [url, marker] = text.split(/; /, 2) as [string, string | undefined];
    const egg = eggRequirement(url);
    if (egg.error) return egg.error;
    const wheel = wheelIdentity(/\/([^/#?]+\.whl)(?:[#?]|$)/.exec(url)?.[1]);
    const name = egg.name ?? wheel?.name;
    return { text, editable: false, extras: [], specifier: egg.specifier ?? wheel?.specifier ?? '', url, ...(name ? { name, normalizedName: normalizeProjectName(name) } : {}), ...(marker ? { marker: marker.trim() } : {}) };
  }
  const [pathPart, marker] = text.split(/;/, 2) as [string, string | undefined];
  const extrasMatch = /\[([^\]]*)\]$/.exec(pathPart.trim());
  const candidate = pathPart.trim().replace(/\[[^\]]*\]$/, '');
  const pathExtras = extrasMatch?.[1] ? extrasMatch[1].split(',').map((e) => e.trim()).filter(Boolean) : [];
  const full = looksLikePath(candidate) ? path.resolve(cwd, candidate) : undefined;
  if (full && isDirectory(full)) {
    if (!isInstallableDir(full)) return `Directory '${clipForMessage(candidate)}' is not installable. Neither 'setup.py' nor 'pyproject.toml' found.`;
    return { text, editable: false, extras: pathExtras, specifier: '', path: candidate, ...(marker ? { marker: marker.trim() } : {}) };
  }
  if (ARCHIVE.test(candidate)) {
    const [before] = candidate.split('@', 1);
    if (!(candidate.includes('@') && !looksLikePath(before ?? ''))) {
      const wheel = wheelIdentity(path.basename(candidate));
      return { text, editable: false, extras: [], specifier: wheel?.specifier ?? '', path: candidate, ...(wheel ? { name: wheel.name, normalizedName: normalizeProjectName(wheel.name) } : {}), ...(marker ? { marker: marker.trim() } : {}) };
    }
  }
  const parsed = parsePep508(text);
  if (!parsed.ok) {
    const hint = looksLikePath(text) ? ` It looks like a path. File '${clipForMessage(text)}' does not exist.` : text.includes('=') && !/[<>=!~]=|===/.test(text) ? ' = is not a valid operator. Did you mean == ?' : '';
    // pep508's messages quote the text too.
    return `Invalid requirement: '${clipForMessage(text)}': ${clipForMessage(parsed.message)}.${hint}`;
  }
  const r = parsed.requirement;
  return { text, editable: false, name: r.name, normalizedName: r.normalizedName, extras: r.extras, specifier: r.specifier, ...(r.legacySpecifier ? { legacySpecifier: true } : {}), ...(r.url ? { url: r.url } : {}), ...(r.marker !== undefined ? { marker: r.marker } : {}) };
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** An editable argument (pip's parse_editable), or an error message. */
function parseEditable(value: string, cwd: string): RequirementFields | string {
  const extrasMatch = /^(.+?)(\[[^\]]*\])?$/.exec(value);
  const bare = extrasMatch?.[1] ?? value;
  const extras = extrasMatch?.[2] ? extrasMatch[2].slice(1, -1).split(',').map((e) => e.trim()).filter(Boolean) : [];
  if (isDirectory(path.resolve(cwd, bare)) || bare.toLowerCase().startsWith('file:')) {
    return { text: value, editable: true, extras, specifier: '', path: bare };
  }
  let url = value;
  for (const vcs of VCS_SCHEMES) if (url.toLowerCase().startsWith(`${vcs}:`)) url = `${vcs}+${url}`;
  if (!VCS_SCHEMES.some((v) => url.toLowerCase().startsWith(`${v}+`))) {
    return `${clipForMessage(value)} is not a valid editable requirement. It should either be a path to a local project or a VCS URL (beginning with ${VCS_SCHEMES.map((v) => `${v}+`).join(', ')}...)`;
  }
  const egg = eggRequirement(url);
  if (egg.error) return egg.error;
  if (!egg.name) return `Could not detect requirement name for '${clipForMessage(value)}', please specify one with #egg=your_package_name`;
  return { text: value, editable: true, name: egg.name, normalizedName: normalizeProjectName(egg.name), extras, specifier: egg.specifier ?? '', url };
}

/**
 * Parses one requirements file's text into items, without following includes (see
 * {@link parseRequirementsFile}). `file` names the source for ranges and resolves includes.
 */
export function parseRequirementsText(text: string, file: string, options: ParseOptions = {}): RequirementsItem[] {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? path.dirname(file);
  const items: RequirementsItem[] = [];
  for (const line of logicalLines(text, env)) {
    const range = lineRange(file, line);
    const cached = options.lineCache?.get(line.text);
    if (cached) {
      for (const item of cached) items.push({ ...item, range });
      continue;
    }
    const first = items.length;
    // pip's break_args_options: the arguments are the words before the first one starting with "-".
    const tokens = line.text.split(' ');
    const firstOption = tokens.findIndex((t) => t.startsWith('-'));
    const args = (firstOption < 0 ? tokens : tokens.slice(0, firstOption)).join(' ');
    const optionText = firstOption < 0 ? '' : tokens.slice(firstOption).join(' ');
    const words = shellSplit(optionText);
    if (typeof words === 'string') {
      items.push({ kind: 'error', range, message: `Invalid requirements line: ${words}` });
      options.lineCache?.set(line.text, items.slice(first));
      continue;
    }
    const parsedOptions = parseOptions(words);
    if ('error' in parsedOptions) {
      // The message names the line, so it is not reusable at another line.
      items.push({ kind: 'error', range, message: `${parsedOptions.error} (line ${line.startLine + 1})` });
      continue;
    }
    const all = (name: string): string[] => parsedOptions.options.filter(([n]) => n === name).map(([, v]) => v ?? '');
    if (args) {
      const fields = parseRequirementArgument(args, cwd);
      if (typeof fields === 'string') items.push({ kind: 'error', range, message: fields });
      else items.push({ kind: 'requirement', range, constraint: options.constraint === true, hashes: all('--hash'), configSettings: all('--config-settings'), globalOptions: all('--global-option'), ...fields });
      options.lineCache?.set(line.text, items.slice(first));
      continue;
    }
    for (const [name, value] of parsedOptions.options) {
      if (name === '--requirement' || name === '--constraint') {
        const target = value ?? '';
        const resolved = isUrl(target) ? target : path.resolve(path.dirname(file), target);
        items.push({ kind: 'include', range, constraint: name === '--constraint', target, resolved });
      } else if (name === '--editable') {
        const fields = parseEditable(value ?? '', cwd);
        if (typeof fields === 'string') items.push({ kind: 'error', range, message: fields });
        else items.push({ kind: 'requirement', range, constraint: options.constraint === true, hashes: [], configSettings: [], globalOptions: [], ...fields });
      } else if (PER_REQUIREMENT.has(name)) {
        items.push({ kind: 'error', range, message: `${name} applies to a requirement on the same line; there is none here` });
      } else {
        items.push({ kind: 'option', range, name, ...(value !== undefined ? { value } : {}) });
      }
    }
    options.lineCache?.set(line.text, items.slice(first));
  }
  return items;
}

/** A requirements file with its includes followed. */
export interface ParsedRequirements {
  /** Items of every file read, in pip's order (an include's items where the include stands). */
  readonly items: readonly RequirementsItem[];
  /**
   * The root first, whether or not it could be read (callers key on it), then each regular file
   * an include names, once. FIFOs, devices and missing files are not listed: nothing may read them.
   */
  readonly files: readonly string[];
}

const MiB = 1024 * 1024;

/** Where a decoding failure's encoding came from, for a message. */
function sourceText(source: EncodingSource): string {
  return source.from === 'byte-order mark' ? 'its byte-order mark' : source.from === 'declaration' ? `declared on line ${source.line}` : "the locale's encoding";
}

/**
 * The message for a file that gave no text, in pip's words where pip has some ("Could not open
 * requirements file"). `name` is the path as written (an include's target, or the root); sizes
 * are given in MiB.
 */
export function readFailureMessage(name: string, failure: ReadFailure): string {
  const quoted = clipForMessage(name);
  switch (failure.reason) {
    case 'missing':
      return `Could not open requirements file: ${quoted} (no such file)`;
    case 'unreadable':
      return `Could not open requirements file: ${quoted} (${failure.code})`;
    case 'not-regular':
      return `Could not open requirements file: ${quoted} is not a regular file (${failure.kind})`;
    case 'too-large':
      return `Could not open requirements file: ${quoted} is ${(failure.bytes / MiB).toFixed(1)} MiB; requirements files over ${MAX_REQUIREMENTS_FILE_BYTES / MiB} MiB are refused`;
    case 'unsupported-encoding': {
      const encoding = clipForMessage(failure.encoding);
      if (failure.source.from === 'byte-order mark') return `Could not decode requirements file: ${quoted} is in ${encoding.toUpperCase()} (its byte-order mark), which venv-pilot cannot decode; save it as UTF-8`;
      if (failure.source.from === 'declaration') return `Could not decode requirements file: ${quoted} declares the encoding ${encoding} (line ${failure.source.line}), which venv-pilot cannot decode`;
      return `Could not decode requirements file: ${quoted}: the locale's encoding, ${encoding}, is one venv-pilot cannot decode`;
    }
    case 'undecodable':
      return `Could not decode requirements file: ${quoted} is not valid ${clipForMessage(failure.encoding)} (${sourceText(failure.source)})`;
  }
}

/** Whether a read names a regular file of the set (read, or refused for its size or encoding). */
const isListed = (result: ReadResult): boolean => result.ok || (result.reason !== 'missing' && result.reason !== 'not-regular');

/**
 * The most items a resolution repeats for files included more than once. pip re-reads a file each
 * time it is included, so its items come again; so do ours (without re-reading) while the whole
 * expansion stays within this many items. Past it (31 files that each include the next twice
 * expand to 2^31 items), each file's items appear once: the requirement set is the same.
 */
export const MAX_EXPANDED_ITEMS = 100_000;

/** In a parsed file's entries: the file an include line names, parsed, by its {@link nodeKey}. */
interface IncludedFile {
  readonly kind: 'included';
  readonly key: string;
}

/** A parsed file's items in order, each include item followed by its error or by the file it includes. */
type Entries = readonly (RequirementsItem | IncludedFile)[];

/** A file's identity in a resolution: its absolute path as written (includes inside it resolve against that, not its real path), and whether it is read as constraints. */
const nodeKey = (file: string, constraint: boolean): string => `${constraint ? 'c' : 'r'}${file}`;

/** Every file of a resolution, parsed once each, and the files of the set. */
interface IncludeGraph {
  readonly root: string;
  readonly nodes: ReadonlyMap<string, Entries>;
  readonly files: readonly string[];
}

/**
 * Reads and parses the root and, depth first, each file it includes that this resolution has not
 * parsed yet in that mode. The graph has no cycles: an include of a file on the current path is
 * an error, and any other include of a parsed file points at a file parsed to the end already.
 */
function parseIncludeGraph(root: string, options: ParseOptions): IncludeGraph {
  const env = options.env ?? process.env;
  const nodes = new Map<string, Entries>();
  const files = [root];
  const reads = new Map<string, ReadResult>();
  const read = (file: string): ReadResult => {
    let result = reads.get(file);
    if (!result) reads.set(file, (result = readRequirementsFile(file, env)));
    return result;
  };
  const visit = (current: string, text: string, constraint: boolean, stack: readonly string[]): string => {
    const entries: (RequirementsItem | IncludedFile)[] = [];
    const key = nodeKey(current, constraint);
    nodes.set(key, entries);
    for (const item of parseRequirementsText(text, current, { ...options, constraint })) {
      entries.push(item);
      if (item.kind !== 'include') continue;
      const error = (message: string): void => {
        entries.push({ kind: 'error', range: item.range, message });
      };
      const mode = constraint || item.constraint;
      if (isUrl(item.resolved)) error(`${clipForMessage(item.target)} is a remote file; venv-pilot does not fetch includes over the network`);
      else if (stack.includes(item.resolved)) error(`Include cycle: ${clipForMessage([...stack, item.resolved].map((f) => path.basename(f)).join(' -> '))}`);
      else if (nodes.has(nodeKey(item.resolved, mode))) entries.push({ kind: 'included', key: nodeKey(item.resolved, mode) });
      else if (!reads.has(item.resolved) && reads.size >= MAX_REQUIREMENTS_FILES) error(`Too many requirements files: ${clipForMessage(item.target)} would be file ${reads.size + 1} of this set; venv-pilot follows at most ${MAX_REQUIREMENTS_FILES}`);
      else {
        const result = read(item.resolved);
        if (isListed(result) && !files.includes(item.resolved)) files.push(item.resolved);
        if (result.ok) entries.push({ kind: 'included', key: visit(item.resolved, result.text, mode, [...stack, item.resolved]) });
        else error(readFailureMessage(item.target, result));
      }
    }
    return key;
  };
  const result = read(root);
  if (result.ok) return { root: visit(root, result.text, options.constraint === true, [root]), nodes, files };
  const key = nodeKey(root, options.constraint === true);
  nodes.set(key, [{ kind: 'error', range: { file: root, startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 0 }, message: readFailureMessage(root, result) }]);
  return { root: key, nodes, files };
}

/** How many items the graph gives when every include repeats its file's items, counted up to `limit` + 1. */
function expandedSize(graph: IncludeGraph, limit: number): number {
  const sizes = new Map<string, number>();
  const size = (key: string): number => {
    let total = sizes.get(key);
    if (total !== undefined) return total;
    total = 0;
    for (const entry of graph.nodes.get(key) ?? []) total = Math.min(limit + 1, total + (entry.kind === 'included' ? size(entry.key) : 1));
    sizes.set(key, total);
    return total;
  };
  return size(graph.root);
}

/** The graph's items in pip's order; with `repeat`, an include of a file already given gives its items again. */
function flatten(graph: IncludeGraph, repeat: boolean): RequirementsItem[] {
  const items: RequirementsItem[] = [];
  const given = new Set<string>();
  const walk = (key: string): void => {
    given.add(key);
    for (const entry of graph.nodes.get(key) ?? []) {
      if (entry.kind !== 'included') items.push(entry);
      else if (repeat || !given.has(entry.key)) walk(entry.key);
    }
  };
  walk(graph.root);
  return items;
}

/**
 * Parses a requirements file and, recursively, its `-r` and `-c` includes (relative to the
 * including file). Files are read with {@link readRequirementsFile} (regular files only, at most
 * {@link MAX_REQUIREMENTS_FILE_BYTES} each, decoded as pip's auto_decode does), each read and
 * parsed at most once per mode (requirements or constraints).
 *
 * A file included again gives its items again, as pip's re-reading does, unless the expansion
 * would pass {@link MAX_EXPANDED_ITEMS}; then every file's items appear once (see there).
 *
 * A missing, special, oversized or undecodable file, a remote include (never fetched), an include
 * cycle, or an include past {@link MAX_REQUIREMENTS_FILES} files becomes an error item at the
 * include line (at line 0 of the root for the root).
 *
 * @throws Nothing for any file content by design; today pep508's marker parser can still throw a
 *   RangeError (stack overflow) on a marker nested thousands of parentheses deep.
 */
export function parseRequirementsFile(file: string, options: ParseOptions = {}): ParsedRequirements {
  const graph = parseIncludeGraph(path.resolve(file), options);
  return { items: flatten(graph, expandedSize(graph, MAX_EXPANDED_ITEMS) <= MAX_EXPANDED_ITEMS), files: graph.files };
}

/**
 * Parses several root requirements files into one set, each root as {@link parseRequirementsFile}
 * parses it (its own resolution, limits included); `env` as {@link ParseOptions.env}. Throws as
 * {@link parseRequirementsFile} does.
 */
export function parseRequirementSet(files: readonly string[], env?: Readonly<Record<string, string | undefined>>): ParsedRequirements {
  const parsed = files.map((file) => parseRequirementsFile(file, { env }));
  return { items: parsed.flatMap((p) => p.items), files: [...new Set(parsed.flatMap((p) => p.files))] };
}

/**
 * The first problem pip would stop on in a parsed set, as one line (`file:line: message`, as
 * compilers print it), with a count of the rest; `undefined` when there is none.
 */
export function firstProblem(parsed: ParsedRequirements): string | undefined {
  const errors = parsed.items.filter((i): i is Extract<RequirementsItem, { kind: 'error' }> => i.kind === 'error');
  const [first] = errors;
  if (!first) return undefined;
  return `${first.range.file}:${first.range.startLine + 1}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more problems)` : ''}`;
}
