/**
 * PEP 508 dependency specifications and environment markers, decided as pypa/packaging 26.3
 * decides them (`packaging._tokenizer`, `packaging._parser`, `packaging.markers`), with one
 * extension for pip 23: "legacy" specifier clauses, which packaging 21.3 accepted and 22+ rejects,
 * are accepted and flagged (`legacySpecifier`). test/unit/pep440Differential.test.ts checks both
 * against the live libraries.
 */
import { isLegacySpecifier, legacySpecifierTokenLength, parseSpecifier, parseSpecifierSet, PYTHON_WHITESPACE, specifierContains, specifierTokenLength } from './pep440';

/** A PEP 508 requirement, split into its parts. Names are as written; `normalizedName` follows PEP 503. */
export interface Pep508Requirement {
  readonly name: string;
  readonly normalizedName: string;
  readonly extras: readonly string[];
  /** The specifier set as written, without spaces, e.g. `>=1.0,<2`; empty for any version. */
  readonly specifier: string;
  /** True when the specifier is only valid as a pre-PEP 440 "legacy" version, which pip 24.1+ rejects. */
  readonly legacySpecifier?: boolean;
  /** `name @ URL`. */
  readonly url?: string;
  /** The marker expression after `;`, as written. */
  readonly marker?: string;
}

/** The outcome of parsing: a requirement, or a message saying what is wrong and where (offset in the text). */
/** The part of a dependency specification a syntax error is in. */
export type Pep508Part = 'name' | 'extras' | 'url' | 'specifier' | 'marker';

/** A parsed requirement, or what is wrong with it: packaging's message, the offset where it stopped, and the part it was in. */
export type Pep508Result = { readonly ok: true; readonly requirement: Pep508Requirement } | { readonly ok: false; readonly message: string; readonly offset: number; readonly part: Pep508Part };

/**
 * True when `specifier` is a valid PEP 440 specifier set as packaging's `SpecifierSet()` parses
 * it (comma-separated clauses, each matching packaging's Specifier regex; whitespace around a
 * clause allowed, inside a version not).
 */
export function isValidSpecifier(specifier: string): boolean {
  return parseSpecifierSet(specifier) !== undefined;
}

/** PEP 503 normalisation: lower case, runs of `-`, `_` and `.` become one `-`. */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** A valid project name (PEP 508 `identifier`). */
export const PROJECT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** A syntax error: what packaging's parser expected, and the offset where it stopped. */
interface SyntaxFailure {
  readonly message: string;
  readonly offset: number;
}

const isFailure = (value: unknown): value is SyntaxFailure => typeof value === 'object' && value !== null && 'message' in value && 'offset' in value;

/** Python's `\w` for a `str` pattern: letters, digits and numerics of any script, and `_`. */
const WORD_CHAR = /^[\p{L}\p{N}_]$/u;

/** The code point ending just before `at` (a surrogate pair counts as one). */
function charBefore(text: string, at: number): string {
  if (at <= 0) return '';
  const low = text.charCodeAt(at - 1);
  return at >= 2 && low >= 0xdc00 && low <= 0xdfff && text.charCodeAt(at - 2) >= 0xd800 && text.charCodeAt(at - 2) <= 0xdbff ? text.slice(at - 2, at) : text.charAt(at - 1);
}

/** The code point starting at `at`. */
function charAt(text: string, at: number): string {
  const code = text.codePointAt(at);
  return code === undefined ? '' : String.fromCodePoint(code);
}

/** Python's `\b` at `at`: a word character on exactly one side. */
const isBoundary = (text: string, at: number): boolean => WORD_CHAR.test(charBefore(text, at)) !== WORD_CHAR.test(charAt(text, at));

/** packaging's `IDENTIFIER` token, `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`, at `at`: its length, or 0. */
function identifierLength(text: string, at: number): number {
  if (!/^[a-zA-Z0-9]/.test(text.charAt(at)) || !isBoundary(text, at)) return 0;
  let end = at + 1;
  while (end < text.length && /[a-zA-Z0-9._-]/.test(text.charAt(end))) end++;
  // The regex backtracks to the longest run that ends on a word boundary.
  while (end > at && !isBoundary(text, end)) end--;
  return end - at;
}

/** One Python whitespace character (not global: a module-level regex must keep no `lastIndex`). */
const PYTHON_SPACE = new RegExp(`^[${PYTHON_WHITESPACE}]$`);

/** packaging's `VARIABLE` token names, in its alternation order (PEP 508, plus PEP 345's dotted spellings and PEP 751's sets). */
const VARIABLE = /^(?:python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)|extras?|dependency_groups)(?![\p{L}\p{N}_])/u;

/** A keyword token (`and`, `or`, `in`, `not`) with word boundaries, at `at`: its length, or 0. */
function keywordLength(text: string, at: number, words: readonly string[]): number {
  const word = words.find((w) => text.startsWith(w, at) && isBoundary(text, at) && isBoundary(text, at + w.length));
  return word?.length ?? 0;
}

const skipSpaces = (text: string, at: number): number => {
  let i = at;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
};

/** One side of a marker comparison: an environment variable (its canonical name) or a string literal. */
type MarkerOperand = { readonly kind: 'variable'; readonly name: string } | { readonly kind: 'value'; readonly value: string };

/** `left op right`, one comparison of a marker. */
interface MarkerItem {
  readonly left: MarkerOperand;
  readonly op: string;
  readonly right: MarkerOperand;
}

/** packaging's `MarkerList`: comparisons and nested lists joined by `and`/`or`, unevaluated. */
type MarkerList = readonly (MarkerItem | MarkerList | 'and' | 'or')[];

/** Python's one-character escapes (`\n`, `\t`, ...). */
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * The escape sequence whose backslash is at `at` in a Python string body: what it stands for and
 * how many characters it spans, or `undefined` where Python's tokenizer raises (a truncated
 * `\x`/`\u`/`\U`, a code point past U+10FFFF, a backslash escaping the closing quote, `\N`).
 */
function escapeAt(body: string, at: number): { readonly text: string; readonly length: number } | undefined {
  const e = body.charAt(at + 1);
  if (at + 1 >= body.length) return undefined;
  if (Object.hasOwn(SIMPLE_ESCAPES, e)) return { text: SIMPLE_ESCAPES[e] ?? '', length: 2 };
  // A backslash before a line break continues the line.
  if (e === '\n') return { text: '', length: 2 };
  if (e === '\r') return { text: '', length: body.charAt(at + 2) === '\n' ? 3 : 2 };
  const octal = /^[0-7]{1,3}/.exec(body.slice(at + 1))?.[0];
  if (octal) return { text: String.fromCodePoint(parseInt(octal, 8)), length: 1 + octal.length };
  const width = { x: 2, u: 4, U: 8 }[e];
  if (width) {
    const hex = body.slice(at + 2, at + 2 + width);
    const value = /^[0-9a-fA-F]+$/.test(hex) && hex.length === width ? parseInt(hex, 16) : undefined;
    return value === undefined || value > 0x10ffff ? undefined : { text: String.fromCodePoint(value), length: 2 + width };
  }
  // \N{NAME} needs Unicode's name table, which is not here: refused, where packaging takes a valid name.
  if (e === 'N') return undefined;
  // An unknown escape keeps its backslash (Python only warns).
  return { text: `\\${e}`, length: 2 };
}

/** True at `at` for a lone surrogate, which cannot be encoded as UTF-8 source. */
function isLoneSurrogate(body: string, at: number): boolean {
  const code = body.charCodeAt(at);
  if (code >= 0xdc00 && code <= 0xdfff) return !(at > 0 && body.charCodeAt(at - 1) >= 0xd800 && body.charCodeAt(at - 1) <= 0xdbff);
  if (code >= 0xd800 && code <= 0xdbff) return !(body.charCodeAt(at + 1) >= 0xdc00 && body.charCodeAt(at + 1) <= 0xdfff);
  return false;
}

/**
 * Decodes a quoted marker string as packaging does (`ast.literal_eval`): Python's escapes apply
 * ({@link escapeAt}); a raw line break, NUL or lone surrogate is a syntax error.
 *
 * @returns the value, or `undefined` where `ast.literal_eval` raises.
 */
function decodePythonString(body: string): string | undefined {
  let out = '';
  for (let i = 0; i < body.length; ) {
    const c = body.charAt(i);
    if (c === '\n' || c === '\r' || c === '\0' || isLoneSurrogate(body, i)) return undefined;
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const escape = escapeAt(body, i);
    if (!escape) return undefined;
    out += escape.text;
    i += escape.length;
  }
  return out;
}

/** PEP 503 normalisation as packaging's `canonicalize_name` does it (PEP 685 applies it to extras). */
const canonicalizeName = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** The variable spellings that mean the same thing (packaging's `process_env_var`: dots become underscores). */
function canonicalVariable(name: string): string {
  const underscored = name.replace(/\./g, '_');
  return underscored === 'python_implementation' ? 'platform_python_implementation' : underscored;
}

/** packaging's marker parser (`_parse_marker` and friends) over `text` from `start`. */
function parseMarkerAt(text: string, start: number): { readonly markers: MarkerList; readonly end: number } | SyntaxFailure {
  let i = start;
  const fail = (message: string, offset = i): SyntaxFailure => ({ message, offset });

  const operand = (after?: string): MarkerOperand | SyntaxFailure => {
    const variable = isBoundary(text, i) ? VARIABLE.exec(text.slice(i))?.[0] : undefined;
    if (variable) {
      i += variable.length;
      return { kind: 'variable', name: canonicalVariable(variable) };
    }
    const quoted = /^(?:'[^']*'|"[^"]*")/.exec(text.slice(i))?.[0];
    if (quoted) {
      const value = decodePythonString(quoted.slice(1, -1));
      if (value === undefined) return fail(`Invalid quoted string ${quoted} in marker`);
      i += quoted.length;
      return { kind: 'value', value };
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i))?.[0];
    if (word) return fail(`Unknown marker variable "${word}"`);
    return fail(after ? `Expected a marker variable or a quoted string after "${after}"` : 'Expected a marker variable or a quoted string');
  };

  const operator = (left: MarkerOperand): string | SyntaxFailure => {
    const inLength = keywordLength(text, i, ['in']);
    if (inLength) {
      i += inLength;
      return 'in';
    }
    const notLength = keywordLength(text, i, ['not']);
    if (notLength) {
      i += notLength;
      const afterNot = skipSpaces(text, i);
      if (afterNot === i) return fail('Expected whitespace after "not" in marker');
      i = afterNot;
      const inAfter = keywordLength(text, i, ['in']);
      if (!inAfter) return fail('Expected "in" after "not" in marker');
      i += inAfter;
      return 'not in';
    }
    const op = /^(?:===|==|~=|!=|<=|>=|<|>)/.exec(text.slice(i))?.[0];
    if (!op) return fail(`Expected a comparison after "${left.kind === 'value' ? left.value : left.name}" in marker (one of <=, <, !=, ==, >=, >, ~=, ===, in, not in)`);
    i += op.length;
    return op;
  };

  const item = (): MarkerItem | SyntaxFailure => {
    i = skipSpaces(text, i);
    const left = operand();
    if (isFailure(left)) return left;
    i = skipSpaces(text, i);
    const op = operator(left);
    if (isFailure(op)) return op;
    i = skipSpaces(text, i);
    const right = operand(op);
    if (isFailure(right)) return right;
    i = skipSpaces(text, i);
    // PEP 685: an extra compared with a literal is compared by its normalised name.
    if (left.kind === 'variable' && left.name === 'extra' && right.kind === 'value') return { left, op, right: { kind: 'value', value: canonicalizeName(right.value) } };
    if (right.kind === 'variable' && (right.name === 'extra' || right.name === 'extras' || right.name === 'dependency_groups') && left.kind === 'value') return { left: { kind: 'value', value: canonicalizeName(left.value) }, op, right };
    return { left, op, right };
  };

  const atom = (): MarkerItem | MarkerList | SyntaxFailure => {
    i = skipSpaces(text, i);
    let result: MarkerItem | MarkerList | SyntaxFailure;
    if (text[i] === '(') {
      const open = i;
      i = skipSpaces(text, i + 1);
      result = expression();
      if (isFailure(result)) return result;
      i = skipSpaces(text, i);
      if (text[i] !== ')') return fail('Expected ) in marker', open);
      i++;
    } else result = item();
    if (isFailure(result)) return result;
    i = skipSpaces(text, i);
    return result;
  };

  const expression = (): MarkerList | SyntaxFailure => {
    const first = atom();
    if (isFailure(first)) return first;
    const list: (MarkerItem | MarkerList | 'and' | 'or')[] = [first];
    for (let length = keywordLength(text, i, ['or', 'and']); length; length = keywordLength(text, i, ['or', 'and'])) {
      const op = text.slice(i, i + length) as 'and' | 'or';
      i += length;
      const next = atom();
      if (isFailure(next)) return next;
      list.push(op, next);
    }
    return list;
  };

  try {
    const markers = expression();
    return isFailure(markers) ? markers : { markers, end: i };
  } catch (error) {
    // Thousands of nested parentheses overflow the stack; packaging's parser overflows too.
    if (error instanceof RangeError) return fail('Marker nested too deeply', start);
    throw error;
  }
}

/** Parses a whole marker (packaging's `Marker()`): a marker expression, then the end. */
function parseMarker(marker: string): MarkerList | SyntaxFailure {
  const parsed = parseMarkerAt(marker, 0);
  if (isFailure(parsed)) return parsed;
  if (parsed.end < marker.length) return { message: `Expected "and", "or" or the end of the marker, found "${marker.slice(parsed.end)}"`, offset: parsed.end };
  return parsed.markers;
}

/** `undefined` when `marker` is a valid PEP 508 marker (packaging's `Marker()` accepts it), else what is wrong with it. */
export function checkMarker(marker: string): string | undefined {
  const parsed = parseMarker(marker);
  return isFailure(parsed) ? parsed.message : undefined;
}

/**
 * Parses a PEP 508 dependency specification as packaging 26's `Requirement()` does:
 * `name[extras] specifiers ; marker` or `name[extras] @ url ; marker`. Specifier clauses must be
 * separated by commas (`name >= 1.0 <= 2.0` is an error) and each must be valid as written;
 * a clause pip 23 (packaging 21.3) still took as a "legacy" version is accepted and flagged
 * `legacySpecifier`, as pip 23 chose the longer of its PEP 440 and legacy readings. A URL needs a
 * scheme (packaging 21.3 rejected URLs without one; 26 does not check). Never throws: a malformed
 * string gives a message and the offset of the problem.
 */
export function parsePep508(text: string): Pep508Result {
  const fail = (message: string, offset: number, part: Pep508Part = 'name'): Pep508Result => ({ ok: false, message, offset, part });
  let i = skipSpaces(text, 0);
  const nameLength = identifierLength(text, i);
  if (!nameLength) return fail('Expected a package name at the start of the requirement', i);
  const name = text.slice(i, i + nameLength);
  i = skipSpaces(text, i + nameLength);

  const extras: string[] = [];
  if (text[i] === '[') {
    const open = i;
    i = skipSpaces(text, i + 1);
    let length = identifierLength(text, i);
    if (length) {
      extras.push(text.slice(i, i + length));
      i += length;
      for (;;) {
        i = skipSpaces(text, i);
        if (identifierLength(text, i)) return fail('Expected a comma between extra names', i, 'extras');
        if (text[i] !== ',') break;
        i = skipSpaces(text, i + 1);
        length = identifierLength(text, i);
        if (!length) return fail(`Invalid extra name after a comma`, i, 'extras');
        extras.push(text.slice(i, i + length));
        i += length;
      }
    }
    i = skipSpaces(text, i);
    if (text[i] !== ']') return fail('Expected a closing ] after the extras', open, 'extras');
    i = skipSpaces(text, i + 1);
  }

  let url: string | undefined;
  let specifier = '';
  let legacySpecifier = false;
  if (text[i] === '@') {
    i = skipSpaces(text, i + 1);
    const found = /^[^ \t]+/.exec(text.slice(i))?.[0];
    if (!found) return fail('Expected a URL after @', i, 'url');
    // A ";" glued to the URL belongs to it (PEP 508 asks for a space before the marker).
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(found)) return fail(`Expected a URL after @, found "${found}"`, i, 'url');
    url = found;
    i = skipSpaces(text, i + found.length);
    if (i < text.length && text[i] !== ';') return fail('Expected end or semicolon (after URL and whitespace)', i, 'url');
  } else {
    const start = i;
    const parsed = parseSpecifierPart(text, i);
    if (isFailure(parsed)) return fail(parsed.message, parsed.offset, 'specifier');
    ({ specifier, legacySpecifier } = parsed);
    i = skipSpaces(text, parsed.end);
    if (i < text.length && text[i] !== ';') {
      const raw = /^[^;]*/.exec(text.slice(start))?.[0].trim() ?? '';
      if (specifier || /^(?:===|==|!=|~=|>=|<=|>|<)/.test(raw.replace(/^\(\s*/, ''))) return fail(`Invalid version specifier "${raw}"`, start, 'specifier');
      return fail('Expected end or semicolon (after name and no valid version specifier)', i, 'specifier');
    }
  }

  let marker: string | undefined;
  if (text[i] === ';') {
    const parsed = parseMarkerAt(text, i + 1);
    if (isFailure(parsed)) return fail(parsed.message, parsed.offset, 'marker');
    if (parsed.end < text.length) return fail(`Expected "and", "or" or the end of the marker, found "${text.slice(parsed.end)}"`, parsed.end, 'marker');
    marker = text.slice(i + 1).replace(/^[ \t]+|[ \t]+$/g, '');
  }
  return { ok: true, requirement: { name, normalizedName: normalizeProjectName(name), extras, specifier, ...(legacySpecifier ? { legacySpecifier } : {}), ...(url ? { url } : {}), ...(marker !== undefined ? { marker } : {}) } };
}

/**
 * packaging 26's check after a PEP 440 clause: a `.*` or `+local` that its regex left over is an
 * error of its own (no legacy reading took it: pip 23's legacy clauses have no `~=`).
 */
function trailingSuffixError(text: string, at: number, clause: string): string | undefined {
  if (text.startsWith('.*', at)) {
    const why = /^(?:!=|==(?!=))/.test(clause) ? '.* suffix cannot be used with pre-release, post-release, dev or local versions' : '.* suffix can only be used with `==` or `!=` operators';
    return `Invalid version specifier "${clause}.*": ${why}`;
  }
  const local = /^\+[a-z0-9]+(?:[-_.][a-z0-9]+)*/.test(text.slice(at)) ? /^\+[^,;\s)]*/.exec(text.slice(at))?.[0] : undefined;
  return local ? `Invalid version specifier "${clause}${local}": a local version label can only be used with \`==\` or \`!=\`` : undefined;
}

/**
 * packaging's `_parse_specifier` and `_parse_version_many`: clauses separated by commas,
 * optionally in parentheses. Each clause is the Specifier regex's prefix match, or, where it is
 * longer, packaging 21.3's legacy match (pip 23's grammar took the longer). A `.*` or `+local`
 * straight after a PEP 440 clause is an error, as in packaging 26.
 */
function parseSpecifierPart(text: string, start: number): { specifier: string; legacySpecifier: boolean; end: number } | SyntaxFailure {
  let i = start;
  const parenthesised = text[i] === '(';
  if (parenthesised) i = skipSpaces(text, i + 1);
  let written = '';
  for (;;) {
    const pep440 = specifierTokenLength(text, i);
    const legacy = legacySpecifierTokenLength(text, i);
    if (!pep440 && !legacy) break;
    const clauseStart = i;
    i += Math.max(pep440, legacy);
    const clause = text.slice(clauseStart, i);
    const trail = legacy <= pep440 ? trailingSuffixError(text, i, clause) : undefined;
    if (trail) return { message: trail, offset: clauseStart };
    written += [...clause].filter((ch) => !PYTHON_SPACE.test(ch)).join('');
    i = skipSpaces(text, i);
    if (text[i] !== ',') break;
    written += ',';
    i = skipSpaces(text, i + 1);
  }
  if (parenthesised) {
    i = skipSpaces(text, i);
    if (text[i] !== ')') return { message: 'Expected a closing ) after the version specifier', offset: start };
    i++;
  }
  // The clauses as packaging's SpecifierSet splits them, each PEP 440 or, failing that, legacy.
  const clauses = written.split(',').filter(Boolean);
  const invalid = clauses.find((clause) => !parseSpecifier(clause) && !isLegacySpecifier(clause));
  if (invalid !== undefined) return { message: `Invalid version specifier "${invalid}"`, offset: start };
  return { specifier: clauses.join(','), legacySpecifier: clauses.some((clause) => !parseSpecifier(clause)), end: i };
}

/** The PEP 508 marker environment of an interpreter (the probe reports it). */
export type MarkerEnvironment = Readonly<Record<string, string>>;

/** Why a marker has no value: packaging's `InvalidMarker`, `UndefinedComparison` or `UndefinedEnvironmentName`. */
export type MarkerError = 'invalid-marker' | 'undefined-comparison' | 'undefined-environment-name';

/** A marker's value, or why it has none. */
export type MarkerOutcome = { readonly ok: true; readonly value: boolean } | { readonly ok: false; readonly error: MarkerError; readonly message: string };

/** Variables whose comparisons are version comparisons when both sides parse (packaging's `MARKERS_REQUIRING_VERSION`). */
const VERSION_VARIABLES: ReadonlySet<string> = new Set(['implementation_version', 'platform_release', 'python_full_version', 'python_version']);

class MarkerEvaluationError extends Error {
  constructor(
    readonly kind: Exclude<MarkerError, 'invalid-marker'>,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One comparison, as packaging's `_eval_op`: for a version variable, a valid `op + rhs`
 * Specifier decides (pre-releases admitted); otherwise `in`/`not in` are substring tests, `==`
 * and `!=` string (in)equality, `<=`/`>=` string equality and `<`/`>` false (packaging 26; 21.3
 * used Python's string ordering); `~=` and `===` are undefined there.
 */
function compareOperands(lhs: string, op: string, rhs: string, key: string): boolean {
  if (VERSION_VARIABLES.has(key)) {
    const clause = parseSpecifier(`${op}${rhs}`);
    if (clause) return specifierContains(clause, lhs, true);
  }
  switch (op) {
    case 'in':
      return rhs.includes(lhs);
    case 'not in':
      return !rhs.includes(lhs);
    case '<':
    case '>':
      return false;
    case '<=':
    case '==':
    case '>=':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
    default:
      throw new MarkerEvaluationError('undefined-comparison', `Undefined ${op} on ${JSON.stringify(lhs)} and ${JSON.stringify(rhs)} in marker`);
  }
}

function lookup(environment: MarkerEnvironment, key: string): string {
  const value = Object.hasOwn(environment, key) ? environment[key] : undefined;
  if (value === undefined) throw new MarkerEvaluationError('undefined-environment-name', `The marker environment has no "${key}"`);
  return value;
}

/**
 * packaging's `_evaluate_markers`: every comparison is evaluated (an undefined one fails the
 * whole marker even where `or` would not need it), then `and` binds tighter than `or`. The
 * environment key is the variable's name; with two literals, the right one names it.
 */
function evaluateList(markers: MarkerList, environment: MarkerEnvironment): boolean {
  const groups: boolean[][] = [[]];
  for (const entry of markers) {
    if (entry === 'or') groups.push([]);
    else if (entry === 'and') continue;
    else if (Array.isArray(entry)) groups[groups.length - 1]?.push(evaluateList(entry, environment));
    else {
      const { left, op, right } = entry as MarkerItem;
      const key = left.kind === 'variable' ? left.name : right.kind === 'variable' ? right.name : right.value;
      const lhs = left.kind === 'variable' ? lookup(environment, key) : left.value;
      const rhs = left.kind === 'variable' ? (right.kind === 'variable' ? right.name : right.value) : lookup(environment, key);
      const [l, r] = key === 'extras' || key === 'dependency_groups' ? [canonicalizeName(lhs), canonicalizeName(rhs)] : [lhs, rhs];
      groups[groups.length - 1]?.push(compareOperands(l, op, r, key));
    }
  }
  return groups.some((group) => group.every(Boolean));
}

/**
 * Evaluates a marker against an environment as packaging 26's `Marker.evaluate` does, with
 * `environment` standing for the whole environment (packaging would fill gaps from the running
 * interpreter; there is none here). `extra` is `""` unless given, and PEP 685-normalised; a
 * `python_full_version` ending in `+` gets `local` appended, as packaging repairs it.
 *
 * @returns the value, or why there is none: the marker is invalid, a comparison is undefined
 *   (`~=`/`===` on a non-version), or it names a variable the environment lacks.
 */
export function evaluateMarkerOutcome(marker: string, environment: MarkerEnvironment): MarkerOutcome {
  const parsed = parseMarker(marker);
  if (isFailure(parsed)) return { ok: false, error: 'invalid-marker', message: parsed.message };
  const extra = environment.extra;
  const fullVersion = environment.python_full_version;
  const effective: MarkerEnvironment = {
    ...environment,
    extra: extra ? canonicalizeName(extra) : '',
    ...(fullVersion?.endsWith('+') ? { python_full_version: `${fullVersion}local` } : {}),
  };
  try {
    return { ok: true, value: evaluateList(parsed, effective) };
  } catch (error) {
    if (error instanceof MarkerEvaluationError) return { ok: false, error: error.kind, message: error.message };
    if (error instanceof RangeError) return { ok: false, error: 'invalid-marker', message: 'Marker nested too deeply' };
    throw error;
  }
}

/**
 * Evaluates a marker against an environment ({@link evaluateMarkerOutcome}). Returns `undefined`
 * where packaging raises: an invalid marker, an undefined comparison, a variable the
 * environment lacks.
 */
export function evaluateMarker(marker: string, environment: MarkerEnvironment): boolean | undefined {
  const outcome = evaluateMarkerOutcome(marker, environment);
  return outcome.ok ? outcome.value : undefined;
}
