/**
 * PEP 440 versions and version specifiers, decided as pypa/packaging decides them.
 *
 * The reference is packaging 26.3 (`packaging.version`, `packaging.specifiers`,
 * `packaging._ranges`); test/unit/pep440Differential.test.ts checks every answer here against it
 * and against the packaging vendored in each local pip. Where pip 23's packaging 21.3 answers
 * differently, this module follows current packaging; the cases are noted where they arise:
 *
 * - `contains` without an explicit `prereleases` admits a pre-release (packaging 26.0: a single
 *   version has no alternatives, so PEP 440's "pre-releases when nothing else fits" applies);
 *   packaging 21.3 refused it unless a clause named a pre-release.
 * - `<V` and `>V` use packaging 26's ranges: `<1.0.post1` admits `1.0rc1`, `>1.0.dev1` admits
 *   `1.0.post1` and `1.0+local`, `>1.0a1` admits `1.0b1.post1` and `1.0+local`; packaging 21.3
 *   refused all of these through its base-version exclusions.
 * - Legacy (non-PEP 440) versions are never parsed: an invalid version is in no specifier but
 *   `===` (packaging 22 removed `LegacyVersion`). {@link isLegacySpecifier} only recognises the
 *   clauses pip 23 still accepted, so requirement parsing can flag them.
 *
 * Whitespace is Python's (`str.isspace`), because packaging's patterns use `\s` and `str.strip`.
 * Letters match ASCII only, as packaging 26's `(?a:...)` groups do; packaging 21.3 also folded
 * `ſ` (U+017F) and `K` (U+212A) into `s` and `k`.
 */

/** Python's whitespace (`str.isspace`, the `\s` of a `str` pattern), as the body of a character class. */
export const PYTHON_WHITESPACE = String.raw`\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`;

const PRE_LETTERS = 'alpha|a|beta|b|preview|pre|c|rc';

/** packaging's `VERSION_PATTERN` (PEP 440 Appendix B), anchored and with surrounding whitespace, as `Version()` matches it. */
const VERSION = new RegExp(
  `^[${PYTHON_WHITESPACE}]*v?(?:([0-9]+)!)?([0-9]+(?:\\.[0-9]+)*)` +
    `(?:[-_.]?(${PRE_LETTERS})[-_.]?([0-9]+)?)?` +
    `(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?` +
    `(?:[-_.]?(dev)[-_.]?([0-9]+)?)?` +
    `(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?[${PYTHON_WHITESPACE}]*$`,
  'i',
);

// packaging's Specifier regex; the alternation order matters where a requirement string is
// tokenised (a prefix match), so it is packaging 26's order.
const SPEC_PRE = '(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?';
const SPEC_POST = '(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?';
const SPEC_DEV = '(?:[-_.]?dev[-_.]?[0-9]*)?';
const SPEC_LOCAL = '(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?';
const SPEC_BODY =
  `(?:===[${PYTHON_WHITESPACE}]*[^${PYTHON_WHITESPACE};)]*` +
  `|(?:==|!=)[${PYTHON_WHITESPACE}]*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*(?:\\.\\*|${SPEC_PRE}${SPEC_POST}${SPEC_DEV}${SPEC_LOCAL})?` +
  `|~=[${PYTHON_WHITESPACE}]*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)+${SPEC_PRE}${SPEC_POST}${SPEC_DEV}` +
  `|(?:<=|>=|<|>)[${PYTHON_WHITESPACE}]*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*${SPEC_PRE}${SPEC_POST}${SPEC_DEV})`;
const SPECIFIER = new RegExp(`^[${PYTHON_WHITESPACE}]*${SPEC_BODY}[${PYTHON_WHITESPACE}]*$`, 'i');
const SPECIFIER_PREFIX = new RegExp(`^${SPEC_BODY}`, 'i');

/** packaging 21.3's `LegacySpecifier` regex: an operator, then anything but whitespace, `,`, `;` and `)`. */
const LEGACY_BODY = `(?:==|!=|<=|>=|<|>)[${PYTHON_WHITESPACE}]*[^,;${PYTHON_WHITESPACE})]*`;
const LEGACY_SPECIFIER = new RegExp(`^[${PYTHON_WHITESPACE}]*${LEGACY_BODY}[${PYTHON_WHITESPACE}]*$`);
const LEGACY_PREFIX = new RegExp(`^${LEGACY_BODY}`);

const LEADING_WHITESPACE = new RegExp(`^[${PYTHON_WHITESPACE}]+`);
const TRAILING_WHITESPACE = new RegExp(`[${PYTHON_WHITESPACE}]+$`);

/** Python's `str.strip()` with no argument. */
export function pythonStrip(text: string): string {
  return text.replace(LEADING_WHITESPACE, '').replace(TRAILING_WHITESPACE, '');
}

/** A pre-release label after normalisation (PEP 440 "Pre-release spelling"). */
export type PreLabel = 'a' | 'b' | 'rc';

/**
 * A parsed PEP 440 version: packaging's `Version`. Numbers are `bigint` because Python's are
 * unbounded (`1.99999999999999999999` is a valid release). Local segments keep numbers as
 * `bigint` and letters lower-cased (packaging's `_parse_local_version`).
 */
export interface Pep440Version {
  readonly epoch: bigint;
  readonly release: readonly bigint[];
  readonly pre?: readonly [PreLabel, bigint];
  readonly post?: bigint;
  readonly dev?: bigint;
  readonly local?: readonly (string | bigint)[];
}

/** PEP 440 "Pre-release spelling" / "Post-release spelling": `alpha`→`a`, `c`/`pre`/`preview`→`rc`, `r`/`rev`→`post`. */
function normalizeLetter(letter: string): string {
  const lower = letter.toLowerCase();
  switch (lower) {
    case 'alpha':
      return 'a';
    case 'beta':
      return 'b';
    case 'c':
    case 'pre':
    case 'preview':
      return 'rc';
    case 'rev':
    case 'r':
      return 'post';
    default:
      return lower;
  }
}

/**
 * Parses a version as packaging's `Version()` does: PEP 440's pattern (Appendix B) with every
 * alternative spelling, an optional leading `v`, surrounding whitespace, case-insensitive.
 *
 * @returns the normalised parts, or `undefined` where packaging raises `InvalidVersion`.
 */
export function parseVersion(text: string): Pep440Version | undefined {
  const m = VERSION.exec(text);
  if (!m) return undefined;
  const [, epoch, release = '0', preLetter, preNumber, postImplicit, postLetter, postNumber, devLetter, devNumber, local] = m;
  const post = postImplicit ?? (postLetter !== undefined ? (postNumber ?? '0') : undefined);
  return {
    epoch: BigInt(epoch ?? 0),
    release: release.split('.').map(BigInt),
    ...(preLetter !== undefined ? { pre: [normalizeLetter(preLetter) as PreLabel, BigInt(preNumber ?? 0)] as const } : {}),
    ...(post !== undefined ? { post: BigInt(post) } : {}),
    ...(devLetter !== undefined ? { dev: BigInt(devNumber ?? 0) } : {}),
    ...(local !== undefined ? { local: local.split(/[-_.]/).map((part) => (/^[0-9]+$/.test(part) ? BigInt(part) : part.toLowerCase())) } : {}),
  };
}

/** True when packaging's `Version()` accepts `text` (PEP 440, any spelling). */
export function isValidVersion(text: string): boolean {
  return VERSION.test(text);
}

/** The canonical string of a version: packaging's `str(Version)` (PEP 440 "Normalization"). */
export function formatVersion(version: Pep440Version): string {
  let text = version.release.join('.');
  if (version.epoch !== 0n) text = `${version.epoch}!${text}`;
  if (version.pre) text += `${version.pre[0]}${version.pre[1]}`;
  if (version.post !== undefined) text += `.post${version.post}`;
  if (version.dev !== undefined) text += `.dev${version.dev}`;
  if (version.local) text += `+${version.local.join('.')}`;
  return text;
}

/** `str(Version(text))`: the normalised spelling, or `undefined` for an invalid version. */
export function normalizeVersion(text: string): string | undefined {
  const version = parseVersion(text);
  return version && formatVersion(version);
}

/** PEP 440 pre-release: an a/b/rc or a dev release (packaging's `is_prerelease`). */
export function isPrerelease(version: Pep440Version): boolean {
  return version.pre !== undefined || version.dev !== undefined;
}

const sign = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** The release without trailing zeros: `1.0.0` compares equal to `1` (packaging's `_cmpkey`). */
function trimRelease(release: readonly bigint[]): readonly bigint[] {
  let end = release.length;
  while (end > 0 && release[end - 1] === 0n) end--;
  return release.slice(0, end);
}

function compareSequences<T>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => number): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const order = compare(a[i] as T, b[i] as T);
    if (order !== 0) return order;
  }
  return Math.sign(a.length - b.length);
}

const PRE_RANK: Readonly<Record<PreLabel, bigint>> = { a: 0n, b: 1n, rc: 2n };

/**
 * The `(pre_rank, pre_n, post_rank, post_n, dev_rank, dev_n)` suffix of packaging's `_cmpkey`:
 * a dev-only release sorts before any a/b/rc, a release without a pre-release after rc, no post
 * before any post, and a dev release before the same version without one.
 */
function suffixKey(version: Pep440Version): bigint[] {
  const preRank = version.pre ? PRE_RANK[version.pre[0]] : version.post === undefined && version.dev !== undefined ? -1n : 3n;
  return [preRank, version.pre?.[1] ?? 0n, version.post === undefined ? 0n : 1n, version.post ?? 0n, version.dev === undefined ? 1n : 0n, version.dev ?? 0n];
}

/** PEP 440 local ordering: a letters segment sorts before a number, letters compare as strings, numbers numerically. */
function compareLocalSegments(a: string | bigint, b: string | bigint): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return sign(a, b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return typeof a === 'string' ? -1 : 1;
}

/**
 * Orders two parsed versions as packaging's `_cmpkey` does (PEP 440 "Summary of permitted
 * suffixes and relative ordering"): epoch, release without trailing zeros, pre/post/dev, then
 * the local segment (none sorts first).
 *
 * @returns a negative number, zero or a positive number.
 */
export function compareParsed(a: Pep440Version, b: Pep440Version): number {
  return (
    sign(a.epoch, b.epoch) ||
    compareSequences(trimRelease(a.release), trimRelease(b.release), sign) ||
    compareSequences(suffixKey(a), suffixKey(b), sign) ||
    (a.local === undefined ? (b.local === undefined ? 0 : -1) : b.local === undefined ? 1 : compareSequences(a.local, b.local, compareLocalSegments))
  );
}

/**
 * Orders two version strings as packaging's `Version` comparison does (see {@link compareParsed}).
 *
 * @returns -1, 0 or 1.
 * @throws {TypeError} when either string is not a valid PEP 440 version (packaging raises `InvalidVersion`).
 */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (!left || !right) throw new TypeError(`Invalid version: ${JSON.stringify(left ? b : a)}`);
  return Math.sign(compareParsed(left, right)) as -1 | 0 | 1;
}

/** A version specifier operator (PEP 440 "Version specifiers"). */
export type SpecifierOperator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';

/** One clause: packaging's `Specifier._spec`, the operator and the version as written (stripped, `.*` kept). */
export interface Specifier {
  readonly operator: SpecifierOperator;
  readonly version: string;
}

/** A comma-separated set of clauses: packaging's `SpecifierSet`. */
export interface SpecifierSet {
  readonly specifiers: readonly Specifier[];
  /** `"===" in specifiers`, as packaging tests the text: the set then compares the raw version string. */
  readonly hasArbitrary: boolean;
}

/**
 * Parses one clause as packaging's `Specifier()` does: the whole text must match its regex, so
 * `~=` needs two release segments and no local (`~=1.0+5` fails), `.*` follows only a plain
 * release after `==`/`!=` (`==1.0.dev1.*` fails), and only `==`/`!=` take a local version
 * (`>=1.0+deadbeef` fails). `===` takes any text without whitespace, `;` or `)`.
 *
 * @returns the clause, or `undefined` where packaging raises `InvalidSpecifier`.
 */
export function parseSpecifier(text: string): Specifier | undefined {
  if (!SPECIFIER.test(text)) return undefined;
  const spec = pythonStrip(text);
  const length = spec.startsWith('===') ? 3 : /^(?:~=|==|!=|<=|>=)/.test(spec) ? 2 : 1;
  return { operator: spec.slice(0, length) as SpecifierOperator, version: pythonStrip(spec.slice(length)) };
}

/**
 * Parses a specifier set as packaging's `SpecifierSet()` does: split on commas, empty clauses
 * dropped (`>=1.0,` is `>=1.0`), every other clause a valid {@link parseSpecifier}.
 *
 * @returns the set (empty for `""`), or `undefined` where packaging raises `InvalidSpecifier`.
 */
export function parseSpecifierSet(text: string): SpecifierSet | undefined {
  const specifiers: Specifier[] = [];
  for (const clause of text.split(',').map(pythonStrip).filter(Boolean)) {
    const specifier = parseSpecifier(clause);
    if (!specifier) return undefined;
    specifiers.push(specifier);
  }
  return { specifiers, hasArbitrary: text.includes('===') };
}

/** True when packaging's `SpecifierSet()` accepts `text`. */
export function isValidSpecifierSet(text: string): boolean {
  return parseSpecifierSet(text) !== undefined;
}

/**
 * True when `clause` is a packaging 21.3 `LegacySpecifier`: `==`, `!=`, `<=`, `>=`, `<` or `>`
 * followed by any text without whitespace, `,`, `;` or `)`. pip up to 24.0 accepted such clauses
 * where they are not valid PEP 440 ({@link parseSpecifier}); pip 24.1 (packaging 22+) rejects them.
 */
export function isLegacySpecifier(clause: string): boolean {
  return LEGACY_SPECIFIER.test(clause);
}

/**
 * The length of the specifier clause packaging's requirement tokenizer reads at `start`
 * (its `SPECIFIER` token: the Specifier regex as a prefix match), or 0 when none starts there.
 */
export function specifierTokenLength(text: string, start: number): number {
  return SPECIFIER_PREFIX.exec(text.slice(start))?.[0].length ?? 0;
}

/**
 * The length of the legacy clause packaging 21.3's requirement grammar reads at `start`
 * (its `VERSION_LEGACY` token), or 0. pip 23 took whichever of this and the PEP 440 token was longer.
 */
export function legacySpecifierTokenLength(text: string, start: number): number {
  return LEGACY_PREFIX.exec(text.slice(start))?.[0].length ?? 0;
}

function mustParse(text: string): Pep440Version {
  const version = parseVersion(text);
  // The Specifier regex only admits versions the version regex accepts.
  if (!version) throw new TypeError(`Invalid version in specifier: ${JSON.stringify(text)}`);
  return version;
}

const samePre = (a: Pep440Version, b: Pep440Version): boolean => (a.pre === undefined ? b.pre === undefined : b.pre !== undefined && a.pre[0] === b.pre[0] && a.pre[1] === b.pre[1]);
const sameRelease = (a: Pep440Version, b: Pep440Version): boolean => a.epoch === b.epoch && compareSequences(trimRelease(a.release), trimRelease(b.release), sign) === 0;

/** `v` differs from `spec` at most by a local label (packaging `_ranges`' AFTER_LOCALS family). */
function inLocalFamily(v: Pep440Version, spec: Pep440Version): boolean {
  return sameRelease(v, spec) && samePre(v, spec) && v.post === spec.post && v.dev === spec.dev;
}

/** `v` is `spec`, a local of it or one of its post-releases (packaging `_ranges`' AFTER_POSTS family). */
function inPostFamily(v: Pep440Version, spec: Pep440Version): boolean {
  return sameRelease(v, spec) && samePre(v, spec);
}

/** The first version of the next prefix: `1.2` → `1.3.dev0` (packaging's `_next_prefix_dev0`). */
function nextPrefixDev0(epoch: bigint, release: readonly bigint[]): Pep440Version {
  return { epoch, release: [...release.slice(0, -1), (release[release.length - 1] ?? 0n) + 1n], dev: 0n };
}

/**
 * Whether a parsed version lies in a (non-`===`) clause's range, with no pre-release policy
 * applied: packaging 26's `bounds_for_spec` and `matches_bounds_only`.
 *
 * - `==V.*` is `[V.dev0, next-prefix.dev0)` (PEP 440 "Version matching", zero-padded prefix), `!=V.*` its complement;
 * - `==V` admits V's locals unless V has one; `!=` is its complement;
 * - `<=V` admits V's locals; `>=V` everything from V;
 * - `<V` stops at `V.dev0` unless V is a pre-release ("Exclusive ordered comparison");
 * - `>V` skips V's locals and post-releases unless V is itself a post or dev release;
 * - `~=V` is `[V, next-prefix-of-V-without-its-last-part.dev0)` ("Compatible release").
 */
function inRange(spec: Specifier, v: Pep440Version): boolean {
  const { operator, version } = spec;
  if (version.endsWith('.*')) {
    const base = mustParse(version.slice(0, -2));
    const inside = compareParsed(v, { epoch: base.epoch, release: base.release, dev: 0n }) >= 0 && compareParsed(v, nextPrefixDev0(base.epoch, base.release)) < 0;
    return operator === '==' ? inside : !inside;
  }
  const s = mustParse(version);
  switch (operator) {
    case '>=':
      return compareParsed(v, s) >= 0;
    case '<=':
      return compareParsed(v, s) <= 0 || inLocalFamily(v, s);
    case '<':
      return compareParsed(v, isPrerelease(s) ? s : { ...s, dev: 0n, local: undefined }) < 0;
    case '>':
      if (s.dev !== undefined) return compareParsed(v, { ...s, dev: s.dev + 1n, local: undefined }) >= 0;
      if (s.post !== undefined) return compareParsed(v, { ...s, post: s.post + 1n, dev: 0n, local: undefined }) >= 0;
      return compareParsed(v, s) > 0 && !inPostFamily(v, s);
    case '==':
    case '!=': {
      const equal = version.includes('+') ? compareParsed(v, s) === 0 : inLocalFamily(v, s);
      return operator === '==' ? equal : !equal;
    }
    case '~=':
      return compareParsed(v, s) >= 0 && compareParsed(v, nextPrefixDev0(s.epoch, s.release.slice(0, -1))) < 0;
    default:
      return false;
  }
}

/**
 * Whether a clause implies pre-releases: packaging's `Specifier.prereleases` without an
 * explicit value. `!=` and `==V.*` never do; `===` does when its text is a pre-release version.
 */
export function specifierImpliesPrereleases(spec: Specifier): boolean {
  if (spec.operator === '!=' || (spec.operator === '==' && spec.version.endsWith('.*'))) return false;
  const version = parseVersion(spec.version);
  return !!version && isPrerelease(version);
}

/**
 * Whether one clause contains `version`: packaging's `Specifier.contains`. `===` compares the
 * string case-insensitively (PEP 440 "Arbitrary equality"); every other operator needs a valid
 * version. `prereleases: false` refuses pre-releases; unset or `true` admits them (packaging
 * 26.0; see the module notes for 21.3).
 */
export function specifierContains(spec: Specifier, version: string, prereleases?: boolean): boolean {
  const parsed = parseVersion(version);
  if (prereleases === false && parsed && isPrerelease(parsed)) return false;
  if (spec.operator === '===') return version.toLowerCase() === spec.version.toLowerCase();
  return !!parsed && inRange(spec, parsed);
}

/** Options for {@link specifierSetContains}. */
export interface ContainsOptions {
  /** `false`: pre-releases never match; unset or `true`: they match as any version does (packaging 26). */
  readonly prereleases?: boolean;
  /** The version is installed: a pre-release matches whatever `prereleases` says (packaging's `installed=True`). */
  readonly installed?: boolean;
}

/**
 * Whether every clause of a set contains `version`: packaging 26's `SpecifierSet.contains`.
 * An empty set contains anything, even text that is no version, unless `prereleases` is false
 * and it is a pre-release; a set with `===` compares the raw string there and the parsed version
 * elsewhere; otherwise an invalid version is in nothing.
 *
 * pip asks whether an installed distribution satisfies a requirement with `prereleases=True`
 * (`req.specifier.contains(version, prereleases=True)`), which callers pass as `{ prereleases: true }`.
 */
export function specifierSetContains(set: SpecifierSet, version: string, options: ContainsOptions = {}): boolean {
  const parsed = parseVersion(version);
  const prereleases = parsed && options.installed && isPrerelease(parsed) ? true : options.prereleases;
  if (prereleases === false && parsed && isPrerelease(parsed)) return false;
  if (set.specifiers.length === 0) return true;
  if (set.hasArbitrary) return set.specifiers.every((spec) => specifierContains(spec, version, true));
  return !!parsed && set.specifiers.every((spec) => inRange(spec, parsed));
}

/**
 * Whether `version` satisfies the specifier set `specifier` ({@link specifierSetContains}); an
 * invalid specifier set is satisfied by nothing. `""` is satisfied by anything.
 */
export function satisfies(version: string, specifier: string, options: ContainsOptions = {}): boolean {
  const set = parseSpecifierSet(specifier);
  return !!set && specifierSetContains(set, version, options);
}

/**
 * The versions a specifier set admits, in their order: packaging 26's `SpecifierSet.filter`, which
 * is how pip's finder picks candidates. Without `prereleases` (PEP 440 "Handling of
 * pre-releases"): pre-releases only when the set names one, or when no final release matches;
 * `false` never, `true` always. Invalid versions are dropped, except by an empty set or one with
 * `===`, which keeps text it matches. An invalid specifier set admits nothing.
 */
export function filterVersions<T>(items: readonly T[], specifier: string, key: (item: T) => string, prereleases?: boolean): T[] {
  const set = parseSpecifierSet(specifier);
  if (!set) return [];
  const policy = prereleases ?? (set.specifiers.some(specifierImpliesPrereleases) ? true : undefined);
  const matching = items.filter((item) => {
    const version = key(item);
    if (set.specifiers.length === 0 || set.hasArbitrary) return specifierSetContains(set, version, { prereleases: true });
    const parsed = parseVersion(version);
    return !!parsed && set.specifiers.every((spec) => inRange(spec, parsed));
  });
  if (policy === true) return matching;
  const isPre = (item: T): boolean => {
    const parsed = parseVersion(key(item));
    return !!parsed && isPrerelease(parsed);
  };
  if (policy === false) return matching.filter((item) => !isPre(item));
  return matching.some((item) => !isPre(item) && parseVersion(key(item))) ? matching.filter((item) => !isPre(item)) : matching;
}
