import { satisfies, validRange } from '@renovatebot/pep440';

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
export type Pep508Result = { readonly ok: true; readonly requirement: Pep508Requirement } | { readonly ok: false; readonly message: string; readonly offset: number };

/** A PEP 440 public or local version (the regex in PEP 440, Appendix B, as packaging uses it). */
const VERSION = String.raw`v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?(?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?(?:[-_.]?dev[-_.]?[0-9]*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?`;
const CLAUSE = new RegExp(String.raw`^(?:(?:==|!=)${VERSION}(?:\.\*)?|(?:~=|>=|<=|>|<)${VERSION}|===[^\s,;]+)$`, 'i');

/**
 * True when `specifier` (no spaces) is a valid PEP 440 specifier set: comma-separated clauses,
 * `.*` only after `==`/`!=`, `~=` with at least two release segments. A fast check that gives
 * the same answer as a full parser for requirement lines, which are checked by the thousand.
 */
export function isValidSpecifier(specifier: string): boolean {
  return specifier.split(',').every((clause) => CLAUSE.test(clause) && (!clause.startsWith('~=') || /^~=v?(?:[0-9]+!)?[0-9]+\.[0-9]+/.test(clause)) && (!/\.\*$/.test(clause) || !/\+/.test(clause)));
}

/** PEP 503 normalisation: lower case, runs of `-`, `_` and `.` become one `-`. */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** A valid project name (PEP 508 `identifier`). */
export const PROJECT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

const MARKER_VARIABLES = new Set([
  'python_version', 'python_full_version', 'os_name', 'sys_platform', 'platform_release', 'platform_system', 'platform_version',
  'platform_machine', 'platform_python_implementation', 'implementation_name', 'implementation_version', 'extra',
  // Accepted by packaging for compatibility (PEP 345 spellings).
  'os.name', 'sys.platform', 'platform.version', 'platform.machine', 'platform.python_implementation', 'python_implementation',
]);

/**
 * Parses a PEP 508 dependency specification: `name[extras] specifiers ; marker` or
 * `name[extras] @ url ; marker`. Never throws: a malformed string gives a message and the
 * offset of the problem, like packaging's errors.
 */
export function parsePep508(text: string): Pep508Result {
  let i = 0;
  const fail = (message: string, offset = i): Pep508Result => ({ ok: false, message, offset });
  const skip = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  skip();
  const nameMatch = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/.exec(text.slice(i));
  if (!nameMatch) return fail('Expected a package name at the start of the requirement');
  const name = nameMatch[0];
  i += name.length;
  skip();
  const extras: string[] = [];
  if (text[i] === '[') {
    const close = text.indexOf(']', i);
    if (close < 0) return fail('Expected a closing ] after the extras');
    const inner = text.slice(i + 1, close).trim();
    for (const extra of inner ? inner.split(',').map((e) => e.trim()) : []) {
      if (!PROJECT_NAME.test(extra)) return fail(`Invalid extra name "${extra}"`, i + 1);
      extras.push(extra);
    }
    i = close + 1;
    skip();
  }
  let specifier = '';
  let legacySpecifier = false;
  let url: string | undefined;
  if (text[i] === '@') {
    i++;
    skip();
    const urlMatch = /^\S+/.exec(text.slice(i));
    if (!urlMatch) return fail('Expected a URL after @');
    url = urlMatch[0];
    // A ";" glued to the URL belongs to it (PEP 508 asks for a space before the marker).
    i += url.length;
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)) return fail(`Expected a URL after @, found "${url}"`, i - url.length);
    skip();
  } else {
    const start = i;
    const parenthesised = text[i] === '(';
    if (parenthesised) i++;
    const specMatch = /^[^;()]*/.exec(text.slice(i));
    const raw = (specMatch?.[0] ?? '').trim();
    if (raw && !/^(===|==|!=|~=|>=|<=|>|<)/.test(raw)) return fail('Expected end or semicolon (after name and no valid version specifier)');
    if (raw) {
      const compact = raw.replace(/\s+/g, '');
      const pep440 = isValidSpecifier(compact);
      // pip before 24.1 (packaging 21) also takes "legacy" versions: ==, !=, <=, >=, <, > with any text.
      const legacy = compact.split(',').every((clause) => /^(==|!=|<=|>=|<|>)[^,;\s)]*$/.test(clause));
      if (!pep440 && !legacy) return fail(`Invalid version specifier "${raw}"`, start);
      specifier = compact;
      legacySpecifier = !pep440;
    }
    i += specMatch?.[0].length ?? 0;
    if (parenthesised) {
      if (text[i] !== ')') return fail('Expected a closing ) after the version specifier');
      i++;
    }
    skip();
  }
  let marker: string | undefined;
  if (i < text.length) {
    if (text[i] !== ';') return fail(`Expected end or semicolon (after ${url ? 'URL and whitespace' : specifier ? 'version specifier' : 'name and no valid version specifier'})`);
    i++;
    marker = text.slice(i).trim();
    const markerError = checkMarker(marker);
    if (markerError) return fail(markerError, i);
  }
  return { ok: true, requirement: { name, normalizedName: normalizeProjectName(name), extras, specifier, ...(legacySpecifier ? { legacySpecifier } : {}), ...(url ? { url } : {}), ...(marker !== undefined ? { marker } : {}) } };
}

type MarkerToken = { kind: 'var' | 'str' | 'op' | 'and' | 'or' | 'lp' | 'rp'; value: string };

function tokenizeMarker(marker: string): MarkerToken[] | string {
  const tokens: MarkerToken[] = [];
  const re = /\s*(?:(\()|(\))|('[^']*'|"[^"]*")|(===|==|!=|~=|>=|<=|<|>|not\s+in\b|in\b)|(and\b|or\b)|([A-Za-z_][A-Za-z0-9_.]*))/y;
  let at = 0;
  while (at < marker.length) {
    if (/^\s*$/.test(marker.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(marker);
    if (!m) return `Invalid marker near "${marker.slice(at).trim()}"`;
    at = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'lp', value: '(' });
    else if (m[2]) tokens.push({ kind: 'rp', value: ')' });
    else if (m[3]) tokens.push({ kind: 'str', value: m[3].slice(1, -1) });
    else if (m[4]) tokens.push({ kind: 'op', value: m[4].replace(/\s+/g, ' ') });
    else if (m[5]) tokens.push({ kind: m[5] as 'and' | 'or', value: m[5] });
    else if (m[6]) {
      if (!MARKER_VARIABLES.has(m[6])) return `Unknown marker variable "${m[6]}"`;
      tokens.push({ kind: 'var', value: m[6] });
    }
  }
  return tokens;
}

/** A marker, as an evaluable tree. */
type MarkerNode = { op: 'and' | 'or'; left: MarkerNode; right: MarkerNode } | { op: 'cmp'; left: MarkerToken; cmp: string; right: MarkerToken };

function parseMarkerTokens(tokens: MarkerToken[]): MarkerNode | string {
  let at = 0;
  const atom = (): MarkerNode | string => {
    const token = tokens[at];
    if (!token) return 'Expected a marker expression';
    if (token.kind === 'lp') {
      at++;
      const inner = or();
      if (typeof inner === 'string') return inner;
      if (tokens[at]?.kind !== 'rp') return 'Expected ) in marker';
      at++;
      return inner;
    }
    const left = tokens[at++];
    const cmp = tokens[at++];
    const right = tokens[at++];
    if (!left || (left.kind !== 'var' && left.kind !== 'str')) return 'Expected a marker variable or a quoted string';
    if (!cmp || cmp.kind !== 'op') return `Expected a comparison after "${left.value}" in marker`;
    if (!right || (right.kind !== 'var' && right.kind !== 'str')) return `Expected a marker variable or a quoted string after "${cmp.value}"`;
    return { op: 'cmp', left, cmp: cmp.value, right };
  };
  const binary = (kind: 'and' | 'or', next: () => MarkerNode | string) => (): MarkerNode | string => {
    let left = next();
    while (typeof left !== 'string' && tokens[at]?.kind === kind) {
      at++;
      const right = next();
      if (typeof right === 'string') return right;
      left = { op: kind, left, right };
    }
    return left;
  };
  const and = binary('and', atom);
  const or = binary('or', and);
  const tree = or();
  if (typeof tree !== 'string' && at < tokens.length) return `Unexpected "${tokens[at]?.value}" in marker`;
  return tree;
}

/** `undefined` when `marker` is a valid PEP 508 marker, else what is wrong with it. */
export function checkMarker(marker: string): string | undefined {
  const tokens = tokenizeMarker(marker);
  if (typeof tokens === 'string') return tokens;
  const tree = parseMarkerTokens(tokens);
  return typeof tree === 'string' ? tree : undefined;
}

/** The PEP 508 marker environment of an interpreter (the probe reports it). */
export type MarkerEnvironment = Readonly<Record<string, string>>;

/**
 * Evaluates a valid marker against an environment, as packaging does: version comparisons use
 * PEP 440 where both sides are versions, strings compare otherwise. `extra` is "" unless given.
 * Returns `undefined` for an invalid marker.
 */
export function evaluateMarker(marker: string, environment: MarkerEnvironment): boolean | undefined {
  const tokens = tokenizeMarker(marker);
  if (typeof tokens === 'string') return undefined;
  const tree = parseMarkerTokens(tokens);
  if (typeof tree === 'string') return undefined;
  const value = (t: MarkerToken): string => (t.kind === 'str' ? t.value : (environment[t.value.replace(/^os\.name$/, 'os_name').replace(/^sys\.platform$/, 'sys_platform').replace(/^platform\./, 'platform_').replace(/^python_implementation$/, 'platform_python_implementation')] ?? ''));
  const evaluate = (node: MarkerNode): boolean => {
    if (node.op !== 'cmp') return node.op === 'and' ? evaluate(node.left) && evaluate(node.right) : evaluate(node.left) || evaluate(node.right);
    const left = value(node.left);
    const right = value(node.right);
    switch (node.cmp) {
      case 'in':
        return right.includes(left);
      case 'not in':
        return !right.includes(left);
    }
    const versionish = node.left.kind === 'var' ? /version/.test(node.left.value) : /version/.test(node.right.value);
    if (versionish && validRange(`${node.cmp}${right}`)) {
      try {
        return satisfies(left, `${node.cmp}${right}`);
      } catch {
        // Fall back to string comparison, as packaging does for non-versions.
      }
    }
    return node.cmp === '==' || node.cmp === '===' ? left === right : node.cmp === '!=' ? left !== right : false;
  };
  return evaluate(tree);
}
