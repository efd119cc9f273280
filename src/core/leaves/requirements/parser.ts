/**
 * pip's requirements-file format (pip docs, "Requirements File Format"; pip 23.2.1's
 * pip/_internal/req/req_file.py and req/constructors.py): `\` continuations, `#` comments,
 * `${VAR}` expansion, option lines, includes, editables and requirement lines with
 * per-requirement options. Every item carries its file and range; errors are items too. Nothing
 * here throws on user content.
 *
 * Each line is decided as pip 23.2.1 decides it, rule by rule (each function names the pip code it
 * follows); test/unit/requirementsDifferential.test.ts holds the two against each other on
 * generated files. PEP 508 strings themselves (names, extras, specifiers, markers) are ./pep508's.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import path from 'node:path';
import { longSpellings, shortOption, type RequirementsOption } from './options';
import { checkMarker, parsePep508, type Pep508Requirement } from './pep508';
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
  /** As written, except that extras after a path (`./proj[dev]`, `-e .[dev]`) are lower case, as pip's convert_extras makes them. */
  readonly extras: readonly string[];
  readonly specifier: string;
  /** The specifier is a pre-PEP 440 "legacy" version: pip 23 accepts it, pip 24.1+ does not. */
  readonly legacySpecifier?: boolean;
  /** The marker expression; absent when there is none or it is empty (`name;`), as pip has none then. */
  readonly marker?: string;
  /** A URL (`name @ url`, a bare URL, or a VCS URL). */
  readonly url?: string;
  /** A local path or archive, as written (without extras), or an editable's `file:` URL. */
  readonly path?: string;
  /** `--hash` values (`algo:digest`) on the line; none for an editable, whose options pip drops. */
  readonly hashes: readonly string[];
  readonly configSettings: readonly string[];
  readonly globalOptions: readonly string[];
}

/**
 * A global option line's option, e.g. `--index-url URL` or `--pre`. `name` is the long form. A
 * per-requirement option (`--hash`, `--config-settings`, `--global-option`) on a line without a
 * requirement is one too: pip accepts the line and ignores it (for `--hash`, with a warning).
 */
export interface OptionItem {
  readonly kind: 'option';
  readonly range: SourceRange;
  readonly name: string;
  readonly value?: string;
}

/**
 * `-r FILE` or `-c FILE`; `resolved` is the absolute path (relative to the including file, or the
 * path of a `file://` URL), or the URL of a remote file.
 */
export interface IncludeItem {
  readonly kind: 'include';
  readonly range: SourceRange;
  readonly constraint: boolean;
  readonly target: string;
  readonly resolved: string;
}

/**
 * What kind of thing is wrong with a line, so that callers (the language server's diagnostics and
 * quick fixes) never read it out of the message:
 * - `syntax`: the line as a whole (quoting, an option's value, an ambiguous option);
 * - `unknown-option`: an option pip's requirements format does not have ({@link ErrorItem.option});
 * - `invalid-requirement`, `invalid-specifier`, `invalid-marker`: a requirement, and which part of it;
 * - `include`: an include that cannot be followed (missing, unreadable, remote, a cycle, too many files).
 */
export type RequirementsErrorCode = 'syntax' | 'unknown-option' | 'invalid-requirement' | 'invalid-specifier' | 'invalid-marker' | 'include';

/** Something pip would reject, with pip's kind of message. */
export interface ErrorItem {
  readonly kind: 'error';
  readonly range: SourceRange;
  readonly code: RequirementsErrorCode;
  readonly message: string;
  /** For `unknown-option`: the option as written on the line (`--hsah`, `-x`). */
  readonly option?: string;
}

/** A problem a helper found, before it becomes an {@link ErrorItem} at a range. */
interface Problem {
  readonly code: RequirementsErrorCode;
  readonly message: string;
  readonly option?: string;
}

const problem = (message: string, code: RequirementsErrorCode = 'invalid-requirement'): Problem => ({ code, message });
const isProblem = (value: object): value is Problem => 'code' in value && 'message' in value;

export type RequirementsItem = RequirementItem | OptionItem | IncludeItem | ErrorItem;

/** Options for parsing. */
export interface ParseOptions {
  /**
   * For `${VAR}` expansion and, being the environment pip runs in, for its locale: the encoding of
   * a file read with neither a byte-order mark nor a coding line. Default `process.env`.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Folder that relative requirement paths (not includes) resolve against, as pip's working directory; default the (root) file's folder. */
  readonly cwd?: string;
  /** Whether the file is a constraints file (`-c`). */
  readonly constraint?: boolean;
  /**
   * Items by logical-line text, filled and reused across calls on the same document (the
   * language server re-parses on every keystroke, and most lines did not change).
   */
  readonly lineCache?: Map<string, readonly RequirementsItem[]>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Each long spelling of an option (pip's optparse matches unambiguous prefixes of these), with its option. */
const LONG_SPELLINGS = longSpellings();
/** pip's STRONG_HASHES (utils/hashes.py): the algorithms `--hash` accepts. */
const STRONG_HASHES: readonly string[] = ['sha256', 'sha384', 'sha512'];
/** The choices of `--use-feature` (cmdoptions.use_new_feature, ALWAYS_ENABLED_FEATURES included). */
const FEATURES: readonly string[] = ['fast-deps', 'truststore', 'no-binary-enable-wheel-cache'];
/** pip's VCS backends in registration order (vcs.VcsSupport), for `-e git:...` style prefixes. */
const VCS_NAMES: readonly string[] = ['bzr', 'git', 'hg', 'svn'];
/** vcs.all_schemes: the schemes of VCS links. */
const VCS_URL_SCHEMES: ReadonlySet<string> = new Set(['bzr+http', 'bzr+https', 'bzr+ssh', 'bzr+sftp', 'bzr+ftp', 'bzr+lp', 'bzr+file', 'git+http', 'git+https', 'git+ssh', 'git+git', 'git+file', 'hg+file', 'hg+http', 'hg+https', 'hg+ssh', 'hg+static-http', 'svn+ssh', 'svn+http', 'svn+https', 'svn+svn', 'svn+file']);
/** The schemes pip's vcs.is_url takes for a URL. */
const URL_SCHEMES: ReadonlySet<string> = new Set(['http', 'https', 'file', 'ftp', ...VCS_URL_SCHEMES]);
/** utils/filetypes.ARCHIVE_EXTENSIONS. */
const ARCHIVE_EXTENSIONS: ReadonlySet<string> = new Set(['.zip', '.whl', '.tar.bz2', '.tbz', '.tar.gz', '.tgz', '.tar', '.tar.xz', '.txz', '.tlz', '.tar.lz', '.tar.lzma']);

/**
 * Python's whitespace, the characters of `str.isspace()`: what `str.strip()` strips and `\s`
 * matches in a str pattern (pip's COMMENT_RE, the wheel file-name pattern). JavaScript's `\s`
 * differs: it has U+FEFF and lacks U+001C to U+001F and U+0085.
 */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** Whether a UTF-16 unit is one of Python's whitespace characters (all of them are single units). */
function isPySpace(code: number): boolean {
  return (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x20) || code === 0x85 || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000;
}

/** Python's `str.strip()` (Unicode whitespace), in linear time whatever the runs of whitespace. */
function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPySpace(text.charCodeAt(start))) start++;
  while (end > start && isPySpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** `text` without `char` repeated at either end (Python's `str.strip(char)`), in linear time. */
function stripChar(text: string, char: string, ends: 'both' | 'right' = 'both'): string {
  let start = 0;
  let end = text.length;
  if (ends === 'both') while (start < end && text[start] === char) start++;
  while (end > start && text[end - 1] === char) end--;
  return text.slice(start, end);
}

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

/** One logical line: its text after joining, comment removal and expansion, and the span of the file it comes from. */
interface LogicalLine {
  readonly text: string;
  readonly startLine: number;
  readonly startCharacter: number;
  readonly endLine: number;
  readonly endCharacter: number;
}

/** A line as Python's `str.splitlines()` cuts it, with its offsets in the text (the break excluded). */
interface PhysicalLine {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Python's `str.splitlines()`, which pip's preprocess() splits a file with: besides `\n`, `\r`
 * and `\r\n`, it ends lines at `\v`, `\f`, U+001C to U+001E, U+0085, U+2028 and U+2029. A break
 * at the very end starts no further line.
 */
function physicalLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  let start = 0;
  for (const brk of text.matchAll(/\r\n|[\n\v\f\r\x1c-\x1e\x85\u2028\u2029]/g)) {
    lines.push({ text: text.slice(start, brk.index), start, end: brk.index });
    start = brk.index + brk[0].length;
  }
  if (start < text.length) lines.push({ text: text.slice(start), start, end: text.length });
  return lines;
}

/**
 * Offsets to LSP positions. Ranges stay in the editor's lines (which end only at `\n`, `\r\n` and
 * `\r`), while pip's lines also end at the other breaks of {@link physicalLines}. Queries must come
 * in ascending order, as the lines they belong to do.
 */
function positions(text: string): (offset: number) => { line: number; character: number } {
  const starts = [0];
  for (const brk of text.matchAll(/\r\n|\r|\n/g)) starts.push(brk.index + brk[0].length);
  let line = 0;
  return (offset) => {
    while (line + 1 < starts.length && (starts[line + 1] as number) <= offset) line++;
    return { line, character: offset - (starts[line] as number) };
  };
}

/** pip's `COMMENT_RE.match(line)` in join_lines: whitespace, then `#`, from the start of the line. */
function isCommentLine(text: string): boolean {
  let i = 0;
  while (i < text.length && isPySpace(text.charCodeAt(i))) i++;
  return text[i] === '#';
}

/**
 * `text` up to its comment, as pip's ignore_comments removes it with COMMENT_RE `(^|\s+)#.*$`:
 * from the first `#` at the start or after (Unicode) whitespace; the whitespace before it goes with
 * the strip that follows. Not that regular expression itself: its backtracking takes time
 * quadratic in a run of whitespace, minutes for one long line.
 */
function withoutComment(text: string): string {
  for (let hash = text.indexOf('#'); hash >= 0; hash = text.indexOf('#', hash + 1)) {
    if (hash === 0 || isPySpace(text.charCodeAt(hash - 1))) return text.slice(0, hash);
  }
  return text;
}

/**
 * pip's expand_env_variables: every `${NAME}` (upper-case letters, digits, `_`) the line holds, in
 * order, is replaced everywhere in the line by the variable's value, unless the variable is unset
 * or empty (`if not value: continue`), which leaves `${NAME}` as written. A value may itself hold
 * a `${NAME}` that a later one then replaces, as in pip. A replacement that cannot change the
 * line (its `${NAME}` absent since the last change) is skipped, so a line of a million references
 * costs one pass per distinct variable, not per reference.
 */
function expandVariables(line: string, env: Env): string {
  let text = line;
  const absent = new Set<string>();
  for (const [reference, name] of line.matchAll(/\$\{([A-Z0-9_]+)\}/g)) {
    const value = env[name as string];
    if (!value || absent.has(reference)) continue;
    if (!text.includes(reference)) {
      absent.add(reference);
      continue;
    }
    // A function, so that `$&` and the like in the value stay as written.
    text = text.replaceAll(reference, () => value);
    absent.clear();
  }
  return text;
}

/**
 * Splits text into logical lines the way pip's preprocess() does (req_file.py: `splitlines()`,
 * join_lines, ignore_comments, expand_env_variables):
 *
 * - lines end where Python's `str.splitlines()` ends them (see {@link physicalLines});
 * - a line ending in `\` is joined with the next, unless it is a comment line (`#` after
 *   nothing but whitespace); backslashes at both ends of a joined line go (`line.strip("\\")`);
 *   a comment line ends the joining and is prefixed with a space, so a continued requirement ends
 *   at it;
 * - the comment goes from the first `#` at the start or after whitespace; then the line is
 *   stripped; whitespace for both is Python's Unicode whitespace (`\s`, `str.strip()`), not
 *   JavaScript's;
 * - empty lines go; then `${VAR}` is expanded (see {@link expandVariables}).
 *
 * Ranges are LSP ranges: a line pip starts after a form feed, say, starts mid-line for the editor.
 */
export function logicalLines(text: string, env: Env): LogicalLine[] {
  const physical = physicalLines(text);
  const position = positions(text);
  const out: LogicalLine[] = [];
  let parts: string[] = [];
  let first: PhysicalLine | undefined;
  const emit = (joined: string, from: PhysicalLine, to: PhysicalLine): void => {
    const stripped = pyStrip(withoutComment(joined));
    if (!stripped) return;
    const start = position(from.start);
    const end = position(to.end);
    out.push({ text: expandVariables(stripped, env), startLine: start.line, startCharacter: start.character, endLine: end.line, endCharacter: end.character });
  };
  for (const line of physical) {
    const comment = isCommentLine(line.text);
    if (!line.text.endsWith('\\') || comment) {
      const piece = comment ? ` ${line.text}` : line.text;
      if (first) {
        emit(parts.join('') + piece, first, line);
        parts = [];
        first = undefined;
      } else emit(piece, line, line);
    } else {
      first ??= line;
      parts.push(stripChar(line.text, '\\'));
    }
  }
  const last = physical[physical.length - 1];
  if (first && last) emit(parts.join(''), first, last);
  return out;
}

/**
 * pip's break_args_options: the words (split at spaces only) before the first one starting with
 * `-` are the requirement, the rest the options. Tabs and other whitespace do not separate.
 */
function breakArgsOptions(line: string): [args: string, options: string] {
  const tokens = line.split(' ');
  const first = tokens.findIndex((t) => t.startsWith('-'));
  return first < 0 ? [line, ''] : [tokens.slice(0, first).join(' '), tokens.slice(first).join(' ')];
}

/**
 * POSIX shell-like splitting as Python's `shlex.split` does it, which pip's get_line_parser
 * applies to a line's options: words end at space, tab, CR and LF only (not at other Unicode
 * whitespace), quotes group, a backslash escapes the next character (within double quotes only
 * `"` and `\`). Returns shlex's message for unbalanced quotes or a final lone backslash.
 */
export function shellSplit(text: string): string[] | string {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c !== '\\') word += c;
      else if (i + 1 >= text.length) return 'No escaped character';
      else {
        const next = text[++i] as string;
        word += next === '"' || next === '\\' ? next : `\\${next}`;
      }
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= text.length) return 'No escaped character';
      word += text[++i];
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return 'No closing quotation';
  if (inWord) words.push(word);
  return words;
}

/** An option as optparse took it: its long name, and its value. */
interface ParsedOption {
  readonly name: string;
  readonly value?: string;
}

/** What pip's option callbacks and choices refuse in a value (cli/cmdoptions.py), in optparse's and pip's words. */
function valueProblem(name: string, spelling: string, value: string): string | undefined {
  switch (name) {
    case '--hash': {
      // _handle_merge_hash: "algo:digest" with a strong algorithm.
      const colon = value.indexOf(':');
      if (colon < 0) return `Arguments to ${spelling} must be a hash name followed by a value, like --hash=sha256:abcde...`;
      return STRONG_HASHES.includes(value.slice(0, colon)) ? undefined : `Allowed hash algorithms for ${spelling} are ${STRONG_HASHES.join(', ')}.`;
    }
    case '--config-settings':
      // _handle_config_settings.
      return value.includes('=') ? undefined : `Arguments to ${spelling} must be of the form KEY=VAL`;
    case '--use-feature':
      return FEATURES.includes(value) ? undefined : `option ${spelling}: invalid choice: '${clipForMessage(value)}' (choose from ${FEATURES.map((f) => `'${f}'`).join(', ')})`;
    case '--no-binary':
    case '--only-binary':
      // FormatControl.handle_mutual_excludes.
      return value.startsWith('-') ? '--no-binary / --only-binary option requires 1 argument.' : undefined;
  }
  return undefined;
}

/**
 * A line's options as optparse (pip's build_parser) parses them: left to right; `--` ends the
 * options; words that are not options are ignored; a long option may be any unambiguous prefix,
 * with its value after `=` or as the next word; a short option's value is the rest of its word or
 * the next word (every short option here takes one). The first problem, in optparse's or the
 * option callback's words, ends the parse.
 */
function parseOptions(words: readonly string[]): { options: ParsedOption[] } | { error: Problem } {
  const options: ParsedOption[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '--') break;
    if (!word.startsWith('-') || word === '-') continue;
    let spelling: string;
    let option: RequirementsOption;
    let value: string | undefined;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const given = eq >= 0 ? word.slice(0, eq) : word;
      // optparse's _match_abbrev.
      const exact = LONG_SPELLINGS.has(given) ? given : undefined;
      const matches = exact ? [exact] : [...LONG_SPELLINGS.keys()].filter((s) => s.startsWith(given));
      if (matches.length > 1) return { error: problem(`ambiguous option: ${clipForMessage(given)} (${[...matches].sort().join(', ')}?)`, 'syntax') };
      if (matches.length === 0) return { error: { code: 'unknown-option', message: `no such option: ${clipForMessage(given)}`, option: given } };
      spelling = matches[0] as string;
      option = LONG_SPELLINGS.get(spelling) as RequirementsOption;
      if (eq >= 0) {
        if (option.flag) return { error: problem(`${spelling} option does not take a value`, 'syntax') };
        value = word.slice(eq + 1);
      }
    } else {
      spelling = `-${String.fromCodePoint(word.codePointAt(1) as number)}`;
      const short = shortOption(spelling);
      if (!short) return { error: { code: 'unknown-option', message: `no such option: ${spelling}`, option: spelling } };
      option = short;
      if (word.length > 2) value = word.slice(2);
    }
    if (!option.flag && value === undefined) {
      const next = words[i + 1];
      if (next === undefined) return { error: problem(`${spelling} option requires 1 argument`, 'syntax') };
      value = next;
      i++;
    }
    const wrong = value === undefined ? undefined : valueProblem(option.name, spelling, value);
    if (wrong) return { error: problem(wrong, 'syntax') };
    options.push({ name: option.name, ...(value !== undefined ? { value } : {}) });
  }
  return { options };
}

/** The range of a whole logical line. */
function lineRange(file: string, line: LogicalLine): SourceRange {
  return { file, startLine: line.startLine, startCharacter: line.startCharacter, endLine: line.endLine, endCharacter: line.endCharacter };
}

/** The parts of a URL as Python 3.11's `urllib.parse.urlsplit` cuts them. */
interface SplitUrl {
  readonly scheme: string;
  readonly netloc: string;
  readonly path: string;
  readonly query: string;
  readonly fragment: string;
}

/**
 * `urllib.parse.urlsplit`, which pip's Link and packaging's Requirement use: leading C0 controls
 * and spaces and every tab, CR and LF dropped; a scheme only of ASCII letters, digits, `+`, `-`
 * and `.`, starting with a letter; the network location after `//` up to `/`, `?` or `#`. Returns
 * Python's ValueError message for what it refuses: unbalanced or invalid brackets in the network
 * location, and characters NFKC turns into URL delimiters.
 */
function splitUrl(input: string): SplitUrl | string {
  let url = input.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  const colon = url.indexOf(':');
  if (colon > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(url.slice(0, colon))) {
    scheme = url.slice(0, colon).toLowerCase();
    url = url.slice(colon + 1);
  }
  let netloc = '';
  if (url.startsWith('//')) {
    const end = url.slice(2).search(/[/?#]/);
    netloc = end < 0 ? url.slice(2) : url.slice(2, end + 2);
    url = end < 0 ? '' : url.slice(end + 2);
    if (netloc.includes('[') !== netloc.includes(']')) return 'Invalid IPv6 URL';
    if (netloc.includes('[')) {
      const host = netloc.slice(netloc.indexOf('[') + 1).split(']', 1)[0] as string;
      if (host.startsWith('v')) {
        if (!/^v[a-fA-F0-9]+\..+$/.test(host)) return 'IPvFuture address is invalid';
      } else if (isIPv4(host)) return 'An IPv4 address cannot be in brackets';
      else if (!isIPv6(host)) return `'${clipForMessage(host)}' does not appear to be an IPv4 or IPv6 address`;
    }
  }
  let fragment = '';
  let query = '';
  const hash = url.indexOf('#');
  if (hash >= 0) [url, fragment] = [url.slice(0, hash), url.slice(hash + 1)];
  const question = url.indexOf('?');
  if (question >= 0) [url, query] = [url.slice(0, question), url.slice(question + 1)];
  // _checknetloc: a non-ASCII location must not hide delimiters that NFKC brings out.
  if (/[^\x00-\x7f]/.test(netloc)) {
    const bare = netloc.replace(/[@:#?]/g, '');
    const normalized = bare.normalize('NFKC');
    if (normalized !== bare && /[/?#@:]/.test(normalized)) return `netloc '${clipForMessage(netloc)}' contains invalid characters under NFKC normalization`;
  }
  return { scheme, netloc, path: url, query, fragment };
}

/** `urllib.parse.urlunsplit` (3.11). */
function unsplitUrl({ scheme, netloc, path: urlPath, query, fragment }: SplitUrl): string {
  let url = urlPath;
  // `file` is among the schemes of uses_netloc; the others that matter here have a location anyway.
  if (netloc || (scheme === 'file' && !url.startsWith('//'))) url = `//${netloc}${url && !url.startsWith('/') ? '/' : ''}${url}`;
  return `${scheme ? `${scheme}:` : ''}${url}${query ? `?${query}` : ''}${fragment ? `#${fragment}` : ''}`;
}

/** `urllib.parse.unquote`: `%XX` runs decoded as UTF-8, invalid bytes as U+FFFD. */
function unquote(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
}

/** `posixpath.splitext`: the extension from the last dot of the last component, unless only dots come before it. */
function splitext(p: string): [base: string, ext: string] {
  const dot = p.lastIndexOf('.');
  const sep = p.lastIndexOf('/');
  if (dot > sep && /[^.]/.test(p.slice(sep + 1, dot))) return [p.slice(0, dot), p.slice(dot)];
  return [p, ''];
}

/** pip's utils.misc.splitext: as posixpath's, with `.tar` kept with the extension after it. */
function pipSplitext(p: string): [base: string, ext: string] {
  const [base, ext] = splitext(p);
  return base.toLowerCase().endsWith('.tar') ? [base.slice(0, -4), base.slice(-4) + ext] : [base, ext];
}

/** pip's utils.filetypes.is_archive_file. */
const isArchiveFile = (name: string): boolean => ARCHIVE_EXTENSIONS.has(pipSplitext(name)[1].toLowerCase());

/** Link.filename: the URL path's last component, unquoted twice (Link.path unquotes, and filename again). */
const linkFileName = (unquotedPath: string): string => {
  const trimmed = stripChar(unquotedPath, '/', 'right');
  return unquote(trimmed.slice(trimmed.lastIndexOf('/') + 1));
};

/** Link.is_wheel: the extension of the unquoted path's last component is exactly `.whl` (lower case). */
const isWheelPath = (unquotedPath: string): boolean => {
  const trimmed = stripChar(unquotedPath, '/', 'right');
  return pipSplitext(trimmed.slice(trimmed.lastIndexOf('/') + 1))[1] === '.whl';
};

/** models.wheel.Wheel.wheel_file_re, with Python's Unicode `\s` and `\d`. */
const WHEEL_FILE = new RegExp(`^(?<name>[^${PY_SPACE}-]+?)-(?<ver>[^${PY_SPACE}-]*?)(?:(?:-(?<build>\\p{Nd}[^-]*?))?-(?<pyver>[^${PY_SPACE}-]+?)-(?<abi>[^${PY_SPACE}-]+?)-(?<plat>[^${PY_SPACE}-]+?)\\.whl|\\.dist-info)$`, 'u');

/**
 * The requirement a wheel's file name pins, as pip's Wheel reads it: `pilotfish-1.0.0-py3-none-any.whl`
 * is `pilotfish==1.0.0`, with `_` read as `-` in both parts (pip issue 1150). `undefined` for a name
 * pip's InvalidWheelFilename refuses.
 */
function wheelRequirement(fileName: string): string | undefined {
  const groups = WHEEL_FILE.exec(fileName)?.groups;
  return groups ? `${(groups.name as string).replace(/_/g, '-')}==${(groups.ver as string).replace(/_/g, '-')}` : undefined;
}

/** Link.egg_fragment: what follows the first `#egg=` or `&egg=`, up to `&`. */
const eggFragment = (url: string): string | undefined => /[#&]egg=([^&]*)/.exec(url)?.[1];

/** pip's _looks_like_path: a path separator of this platform, or a leading dot. */
const looksLikePath = (text: string): boolean => text.includes(path.sep) || (path.sep === '\\' && text.includes('/')) || text.startsWith('.');

/** pip's vcs.is_url: what comes before the first `:`, lower case, is a scheme pip fetches from. */
function isPipUrl(text: string): boolean {
  const colon = text.indexOf(':');
  return colon >= 0 && URL_SCHEMES.has(text.slice(0, colon).toLowerCase());
}

function statOf(p: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/**
 * `p` relative to `dir` as Python's `os.path.join` makes it: not normalised, so that the kernel
 * resolves `..`, after the folder before it, which must then exist (`nosuch/../x` is no path).
 */
const joinUnnormalised = (dir: string, p: string): string => (path.isAbsolute(p) ? p : `${dir}${path.sep}${p}`);

/** Python's `os.path.isdir` (an empty path is no directory, not the working one). */
const isDirectory = (p: string): boolean => p !== '' && statOf(p)?.isDirectory() === true;
const isFile = (p: string): boolean => p !== '' && statOf(p)?.isFile() === true;

/** pip's utils.misc.is_installable_dir: a pyproject.toml or setup.py file in it. */
const isInstallableDir = (dir: string): boolean => isFile(path.join(dir, 'pyproject.toml')) || isFile(path.join(dir, 'setup.py'));

/**
 * pip's _strip_extras, `^(.+)(\[[^\]]+\])$`: a trailing non-empty `[...]` without `]` inside,
 * after at least one character, from the last `[` that allows it (`.+` is greedy). Found without
 * that pattern, whose backtracking is quadratic on a line of `[`.
 */
function stripExtras(text: string): { rest: string; extras?: string } {
  const close = text.length - 1;
  const open = text[close] === ']' ? text.lastIndexOf('[', close - 2) : -1;
  if (open < 1 || text.lastIndexOf(']', close - 1) > open) return { rest: text };
  return { rest: text.slice(0, open), extras: text.slice(open) };
}

/** pip's convert_extras: extras after a path, read as `placeholder[...]` after lowering them. */
function convertExtras(extras: string): string[] | string {
  const parsed = parsePep508(`placeholder${extras.toLowerCase()}`);
  return parsed.ok ? [...parsed.requirement.extras] : `Invalid extras ${clipForMessage(extras)}: ${clipForMessage(parsed.message)}`;
}

/**
 * What pip's url_to_path refuses in a file: link, which an InstallRequirement reads at once: a
 * URL that does not start with `file:` in lower case (an assertion in pip), or a host other than
 * `localhost` (POSIX has no UNC paths).
 */
function fileUrlProblem(url: string, parts: SplitUrl): string | undefined {
  if (!url.startsWith('file:')) return `${clipForMessage(url)}: pip reads file: URLs only with the scheme in lower case`;
  if (parts.netloc && parts.netloc !== 'localhost' && process.platform !== 'win32') return `non-local file URIs are not supported on this platform: '${clipForMessage(url)}'`;
  return undefined;
}

/** The local path of a `file:` URL (pip's url_to_path), or why there is none. */
function fileUrlPath(url: string): { path: string } | { error: string } {
  const parts = splitUrl(url);
  if (typeof parts === 'string') return { error: parts };
  const problem = fileUrlProblem(url, parts);
  return problem ? { error: problem } : { path: unquote(parts.path) };
}

/**
 * What packaging 21.3's Requirement (pip 23's) refuses in the URL of `name @ URL`: a file: URL
 * that urlunparse(urlparse()) does not give back unchanged, any other without both a scheme and a
 * network location; and what urlsplit refuses.
 */
function requirementUrlProblem(url: string): string | undefined {
  const parts = splitUrl(url);
  if (typeof parts === 'string') return parts;
  if (parts.scheme === 'file') return unsplitUrl(parts) === url ? undefined : 'Invalid URL given';
  return parts.scheme && parts.netloc ? undefined : `Invalid URL: ${clipForMessage(url)}`;
}

type RequirementFields = Omit<RequirementItem, 'kind' | 'range' | 'constraint' | 'hashes' | 'configSettings' | 'globalOptions'>;

/** The fields a parsed PEP 508 requirement gives an item. */
function requirementFields(r: Pep508Requirement | undefined): Pick<RequirementFields, 'name' | 'normalizedName' | 'specifier' | 'legacySpecifier'> {
  if (!r) return { specifier: '' };
  return { name: r.name, normalizedName: r.normalizedName, specifier: r.specifier, ...(r.legacySpecifier ? { legacySpecifier: true } : {}) };
}

/**
 * A requirement string as pip 23's packaging 21.3 Requirement takes it: pep508.ts's parse, then
 * Requirement's own check of a URL (see {@link requirementUrlProblem}), which an `#egg=` fragment
 * naming `name @ URL` meets too. The message, or the requirement.
 */
function packagingRequirement(text: string): Pep508Requirement | Problem {
  const parsed = parsePep508(text);
  if (!parsed.ok) return problem(parsed.message, parsed.part === 'specifier' ? 'invalid-specifier' : parsed.part === 'marker' ? 'invalid-marker' : 'invalid-requirement');
  const urlProblem = parsed.requirement.url === undefined ? undefined : requirementUrlProblem(parsed.requirement.url);
  return urlProblem ? problem(urlProblem) : parsed.requirement;
}

/**
 * A requirement string as pip's _parse_req_string reads it ({@link packagingRequirement}), with
 * its hints, and its "Extras after version" refusal of a specifier ending in `]`.
 */
function parseRequirementString(text: string, cwd: string): Pep508Requirement | Problem {
  const parsed = packagingRequirement(text);
  if (isProblem(parsed)) {
    const operators = ['~=', '==', '!=', '<=', '>=', '<', '>', '==='];
    const hint = text.includes(path.sep)
      ? ` It looks like a path.${existsSync(path.resolve(cwd, text)) ? ' The path does exist.' : ` File '${clipForMessage(text)}' does not exist.`}`
      : text.includes('=') && !operators.some((op) => text.includes(op))
        ? ' = is not a valid operator. Did you mean == ?'
        : '';
    // pep508's messages quote the text too.
    return problem(`Invalid requirement: '${clipForMessage(text)}': ${clipForMessage(parsed.message)}.${hint}`, parsed.code);
  }
  const late = parsed.specifier.split(',').find((clause) => clause.endsWith(']'));
  return late === undefined ? parsed : problem(`Extras after version '${clipForMessage(late)}'.`, 'invalid-specifier');
}

/**
 * A local path as pip's _get_url_from_path takes it: an installable directory (a directory that
 * is not installable is an error), an existing archive, or a missing archive unless an `@` before
 * which nothing looks like a path makes it a `name @ URL` requirement. `undefined`: not a path.
 */
function localArchiveOrDirectory(absolute: string, written: string): { path: string } | Problem | undefined {
  if (looksLikePath(written) && isDirectory(absolute)) {
    return isInstallableDir(absolute) ? { path: absolute } : problem(`Directory '${clipForMessage(written)}' is not installable. Neither 'setup.py' nor 'pyproject.toml' found.`);
  }
  if (!isArchiveFile(absolute)) return undefined;
  if (isFile(absolute)) return { path: absolute };
  const at = written.indexOf('@');
  if (at >= 0 && !looksLikePath(written.slice(0, at))) return undefined;
  return { path: absolute };
}

/**
 * A requirement argument, as pip 23.2.1's parse_req_from_line and InstallRequirement take it, or
 * an error message:
 *
 * - the marker is split off first, at the first `"; "` of a URL (vcs.is_url) or the first `;` of
 *   anything else, and stripped; an empty marker is none; the rest is stripped;
 * - a URL is a link; a wheel URL names its requirement by the wheel's file name (an `#egg=`
 *   fragment is then ignored), any other by its `#egg=` fragment, read as a whole PEP 508
 *   requirement (a specifier or a marker after the name included), or not at all;
 * - else a local directory or archive is a link (see {@link localArchiveOrDirectory}), its name
 *   from a wheel's file name; extras after a path (`./proj[dev]`) are lowered and must parse;
 * - anything else is a PEP 508 requirement, whose `name @ URL` must pass packaging 21.3's check;
 * - a file: link must be one pip can read (see {@link fileUrlProblem}).
 */
function parseRequirementArgument(argument: string, cwd: string): RequirementFields | Problem {
  const separator = isPipUrl(argument) ? '; ' : ';';
  const cut = argument.indexOf(separator);
  const marker = cut < 0 ? '' : pyStrip(argument.slice(cut + separator.length));
  if (marker) {
    const wrong = checkMarker(marker);
    // In the words of a requirement that does not parse, as the language server's users know them.
    if (wrong) return problem(`Invalid requirement: '${clipForMessage(argument)}': ${clipForMessage(wrong)}.`, 'invalid-marker');
  }
  const name = pyStrip(cut < 0 ? argument : argument.slice(0, cut));
  let requirementText: string | undefined;
  let url: string | undefined;
  let local: { path: string; written: string } | undefined;
  let extras: string[] = [];
  if (isPipUrl(name)) {
    const parts = splitUrl(name);
    if (typeof parts === 'string') return problem(`${parts}: ${clipForMessage(name)}`);
    url = name;
    let linkPath = unquote(parts.path);
    if (parts.scheme === 'file' && name.includes('../')) {
      // pip replaces such a link by the file: URL of its normalised path, host and all dropped.
      linkPath = path.resolve(cwd, linkPath);
    } else if (parts.scheme === 'file') {
      const wrong = fileUrlProblem(name, parts);
      if (wrong) return problem(wrong);
    }
    if (isWheelPath(linkPath)) {
      requirementText = wheelRequirement(linkFileName(linkPath));
      if (requirementText === undefined) return problem(`${clipForMessage(linkFileName(linkPath))} is not a valid wheel filename (in ${clipForMessage(name)}).`);
    } else requirementText = eggFragment(name);
  } else {
    const { rest, extras: extrasText } = stripExtras(path.resolve(cwd, name));
    const found = localArchiveOrDirectory(rest, name);
    if (found && isProblem(found)) return found;
    if (found) {
      local = { path: found.path, written: extrasText && name.endsWith(extrasText) ? name.slice(0, -extrasText.length) : name };
      // The file: URL pip makes of a path quotes `#` and `&`: no egg fragment.
      if (isWheelPath(found.path)) {
        const fileName = linkFileName(found.path);
        requirementText = wheelRequirement(fileName);
        if (requirementText === undefined) return problem(`${clipForMessage(fileName)} is not a valid wheel filename.`);
      }
    } else requirementText = name;
    if (extrasText) {
      const converted = convertExtras(extrasText);
      if (typeof converted === 'string') return problem(converted);
      extras = converted;
    }
  }
  let requirement: Pep508Requirement | undefined;
  if (requirementText !== undefined) {
    const parsed = parseRequirementString(requirementText, cwd);
    if (isProblem(parsed)) return parsed;
    requirement = parsed;
  }
  if (!url && !local && requirement?.url) {
    // InstallRequirement makes a link of it; packagingRequirement has split it already.
    const parts = splitUrl(requirement.url) as SplitUrl;
    const fileProblem = parts.scheme === 'file' ? fileUrlProblem(requirement.url, parts) : undefined;
    if (fileProblem) return problem(fileProblem);
    url = requirement.url;
  }
  return {
    text: argument,
    editable: false,
    ...requirementFields(requirement),
    extras: extras.length ? extras : (requirement?.extras ?? []),
    ...(marker ? { marker } : requirement?.marker !== undefined ? { marker: requirement.marker } : {}),
    ...(url ? { url } : {}),
    ...(local ? { path: local.written } : {}),
  };
}

/**
 * An editable argument, as pip 23.2.1's parse_editable and parse_req_from_editable take it, or an
 * error message: trailing extras are split off (a non-empty `[...]`); an existing directory or a
 * `file:` URL is a local project (named by a file: URL's `#egg=` if any), with the extras lowered;
 * anything else must be a VCS URL (`git:`, `hg:`, `svn:`, `bzr:` gain their `vcs+` prefix) whose
 * `#egg=` fragment, a PEP 508 requirement, names it.
 */
function parseEditable(value: string, cwd: string): RequirementFields | Problem {
  const { rest, extras: extrasText } = stripExtras(value);
  // pip's os.path.isdir(url_no_extras): relative to the working folder, `..` left to the kernel.
  const directory = isDirectory(rest && joinUnnormalised(cwd, rest));
  if (directory || rest.toLowerCase().startsWith('file:')) {
    const extras = extrasText ? convertExtras(extrasText) : [];
    if (typeof extras === 'string') return problem(extras);
    let requirement: Pep508Requirement | undefined;
    if (!directory) {
      const local = fileUrlPath(rest);
      if ('error' in local) return problem(local.error);
      const egg = eggFragment(rest);
      if (egg !== undefined) {
        const parsed = packagingRequirement(egg);
        if (isProblem(parsed)) return problem(`Invalid requirement: '${clipForMessage(egg)}': ${clipForMessage(parsed.message)}`, parsed.code);
        requirement = parsed;
      }
    }
    return { text: value, editable: true, ...requirementFields(requirement), extras, ...(requirement?.marker !== undefined ? { marker: requirement.marker } : {}), path: rest };
  }
  const vcs = VCS_NAMES.find((v) => value.toLowerCase().startsWith(`${v}:`));
  const url = vcs ? `${vcs}+${value}` : value;
  const parts = splitUrl(url);
  if (typeof parts === 'string') return problem(`${parts}: ${clipForMessage(value)}`);
  if (!VCS_URL_SCHEMES.has(parts.scheme)) {
    return problem(`${clipForMessage(value)} is not a valid editable requirement. It should either be a path to a local project or a VCS URL (beginning with ${[...VCS_URL_SCHEMES].join(', ')}).`);
  }
  const egg = eggFragment(url);
  if (!egg) return problem(`Could not detect requirement name for '${clipForMessage(value)}', please specify one with #egg=your_package_name`);
  const r = packagingRequirement(egg);
  if (isProblem(r)) return problem(`Invalid requirement: '${clipForMessage(egg)}': ${clipForMessage(r.message)}`, r.code);
  return { text: value, editable: true, ...requirementFields(r), extras: r.extras, ...(r.marker !== undefined ? { marker: r.marker } : {}), url };
}

/**
 * Where an include points, as pip's _parse_and_recurse and get_file_content find it: an
 * `http(s):` URL stays a URL (fetched by pip, never by us); a `file:` URL (any case) is the local
 * path pip's file: adapter reads, which gets the URL as urlunsplit(urlsplit(URL)) normalises it
 * (`file:x.txt` is `/x.txt`) and takes its path with url_to_path (a host other than `localhost`
 * is refused); anything else is a path relative to the including file. Returns the error for a
 * file: URL pip cannot read.
 */
function includeTarget(target: string, file: string): { resolved: string } | { error: string } {
  if (/^https?:/i.test(target)) return { resolved: target };
  if (/^file:/i.test(target)) {
    const parts = splitUrl(target);
    const normalized = typeof parts === 'string' ? parts : splitUrl(unsplitUrl(parts));
    if (typeof normalized === 'string') return { error: `Could not open requirements file: ${clipForMessage(target)}: ${normalized}` };
    if (normalized.netloc && normalized.netloc !== 'localhost' && process.platform !== 'win32') return { error: `Could not open requirements file: non-local file URIs are not supported on this platform: '${clipForMessage(target)}'` };
    const local = unquote(normalized.path);
    return local ? { resolved: local } : { error: `Could not open requirements file: ${clipForMessage(target)} names no file` };
  }
  const normalized = path.resolve(path.dirname(file), target);
  if (!/(?:^|[\\/])\.\.(?:[\\/]|$)/.test(target)) return { resolved: normalized };
  // pip opens os.path.join(dirname, target): the kernel resolves `..` after what comes before it
  // (a symbolic link's target, a folder that must exist), where path.resolve just drops both.
  const joined = joinUnnormalised(path.dirname(file), target);
  try {
    return { resolved: realpathSync.native(joined) };
  } catch {
    return { resolved: joined };
  }
}

/**
 * One dependency string of a `pyproject.toml` (PEP 621 `dependencies`, an extra, a PEP 735 group)
 * as an item at `range`: a PEP 508 requirement, as pip takes it from project metadata (no
 * requirements-file options, no paths), or the error pip would give for it.
 */
export function parseDependencyString(text: string, range: SourceRange): RequirementItem | ErrorItem {
  const parsed = packagingRequirement(text);
  if (isProblem(parsed)) return { kind: 'error', range, code: parsed.code, message: `Invalid requirement: '${clipForMessage(text)}': ${clipForMessage(parsed.message)}.` };
  return {
    kind: 'requirement',
    range,
    constraint: false,
    hashes: [],
    configSettings: [],
    globalOptions: [],
    text,
    editable: false,
    ...requirementFields(parsed),
    extras: parsed.extras,
    ...(parsed.marker !== undefined ? { marker: parsed.marker } : {}),
    ...(parsed.url !== undefined ? { url: parsed.url } : {}),
  };
}

/**
 * Parses one requirements file's text into items, without following includes (see
 * {@link parseRequirementsFile}). `file` names the source for ranges and resolves includes. A
 * byte-order mark at the start is the file's, not text (as pip's auto_decode drops it).
 *
 * Each logical line ({@link logicalLines}) is decided as pip 23.2.1's req_file.py decides it:
 * break_args_options splits it at the first word starting with `-`; the options are split with
 * {@link shellSplit} and parsed as optparse does (with pip's checks of `--hash`,
 * `--config-settings`, `--use-feature` and the binary options); then, as ParsedLine and
 * _parse_and_recurse do:
 *
 * - with a requirement before the options, the line is that requirement, with its `--hash`,
 *   `--config-settings` and `--global-option` values; other options on it are ignored;
 * - else with `-e`, the line is the first `-e`'s editable; every other option is dropped;
 * - else with `-r` or `-c`, the line is an include of the first `-r`, else of the first `-c`;
 *   other options on it are ignored;
 * - else each option is an item (per-requirement ones included, which pip ignores).
 */
export function parseRequirementsText(text: string, file: string, options: ParseOptions = {}): RequirementsItem[] {
  return parseDecodedText(text.replace(/^\uFEFF/, ''), file, options);
}

/** {@link parseRequirementsText} on text decoded by read.ts, whose byte-order mark is gone already: a second one is text, as for pip. */
function parseDecodedText(text: string, file: string, options: ParseOptions): RequirementsItem[] {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? path.dirname(file);
  const constraint = options.constraint === true;
  const items: RequirementsItem[] = [];
  for (const line of logicalLines(text, env)) {
    const range = lineRange(file, line);
    const cached = options.lineCache?.get(line.text);
    if (cached) {
      for (const item of cached) items.push({ ...item, range });
      continue;
    }
    const first = items.length;
    const [args, optionText] = breakArgsOptions(line.text);
    const words = shellSplit(optionText);
    if (typeof words === 'string') {
      items.push({ kind: 'error', range, code: 'syntax', message: `Invalid requirements line: ${words}` });
      options.lineCache?.set(line.text, items.slice(first));
      continue;
    }
    const parsed = parseOptions(words);
    if ('error' in parsed) {
      // The message names the line, so it is not reusable at another line.
      items.push({ kind: 'error', range, ...parsed.error, message: `${parsed.error.message} (line ${line.startLine + 1})` });
      continue;
    }
    const all = (name: string): string[] => parsed.options.flatMap((o) => (o.name === name && o.value !== undefined ? [o.value] : []));
    const [editable] = all('--editable');
    const include = all('--requirement')[0] ?? all('--constraint')[0];
    if (args) {
      const fields = parseRequirementArgument(args, cwd);
      if (isProblem(fields)) items.push({ kind: 'error', range, ...fields });
      else items.push({ kind: 'requirement', range, constraint, hashes: all('--hash'), configSettings: all('--config-settings'), globalOptions: all('--global-option'), ...fields });
    } else if (editable !== undefined) {
      const fields = parseEditable(editable, cwd);
      if (isProblem(fields)) items.push({ kind: 'error', range, ...fields });
      else items.push({ kind: 'requirement', range, constraint, hashes: [], configSettings: [], globalOptions: [], ...fields });
    } else if (include !== undefined) {
      const target = includeTarget(include, file);
      const includesConstraints = all('--requirement').length === 0;
      if ('error' in target) items.push({ kind: 'error', range, code: 'include', message: target.error });
      else items.push({ kind: 'include', range, constraint: includesConstraints, target: include, resolved: target.resolved });
    } else {
      for (const { name, value } of parsed.options) items.push({ kind: 'option', range, name, ...(value !== undefined ? { value } : {}) });
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
  // pip resolves a relative requirement path against the folder it runs in, whichever file holds it.
  const cwd = options.cwd ?? path.dirname(root);
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
    for (const item of parseDecodedText(text, current, { ...options, cwd, constraint })) {
      entries.push(item);
      if (item.kind !== 'include') continue;
      const error = (message: string): void => {
        entries.push({ kind: 'error', range: item.range, code: 'include', message });
      };
      // pip's _parse_and_recurse: `-r` reads requirements and `-c` constraints, whatever the including file is.
      const mode = item.constraint;
      if (/^https?:/i.test(item.resolved)) error(`${clipForMessage(item.target)} is a remote file; venv-pilot does not fetch includes over the network`);
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
  nodes.set(key, [{ kind: 'error', range: { file: root, startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 0 }, code: 'include', message: readFailureMessage(root, result) }]);
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
 * including file). As in pip's _parse_and_recurse, a `-r` reads requirements and a `-c`
 * constraints, whatever includes it; relative requirement paths in every file resolve against
 * {@link ParseOptions.cwd} (default the root's folder), as pip's against its working folder.
 * Files are read with {@link readRequirementsFile} (regular files only, at most
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
