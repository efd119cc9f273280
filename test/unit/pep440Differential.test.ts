/**
 * Differential test of src/core/leaves/requirements/pep440.ts and pep508.ts against the live reference:
 * a current pypa/packaging (the wheel in the local package index, never the network) and the
 * packaging vendored in the pip of every pyenv interpreter here. Cases come from a seeded PRNG
 * (the seed is printed; PEP440_SEED=<n> replays a run), mixing valid and invalid input. Every
 * answer must equal current packaging's; an answer that differs from an older vendored packaging
 * must be explained by one of the listed, reasoned differences between that packaging and
 * current packaging (see `explain`). One deliberate difference from current packaging: a
 * `name @ URL` needs a URL scheme, as pip 23 required. PEP440_DUMP=<file> appends every
 * unexplained disagreement there as a JSON line, to study a failure.
 *
 * One oracle process per interpreter answers every question (test/fixtures/packaging_oracle.py).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { compareParsed, formatVersion, isLegacySpecifier, isPrerelease, parseSpecifier, parseSpecifierSet, parseVersion, specifierSetContains } from '../../src/core/leaves/requirements/pep440';
import { evaluateMarkerOutcome, parsePep508, type MarkerEnvironment, type MarkerOutcome } from '../../src/core/leaves/requirements/pep508';
import { PYENV_VERSIONS, pyenvVersions } from '../fixtures/machine';

const SEED = Number(process.env.PEP440_SEED ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
const COUNTS = { version: 3000, specifier: 3000, marker: 1000, requirement: 1000 };
const ORACLE = path.resolve(import.meta.dirname, '..', 'fixtures', 'packaging_oracle.py');
const INDEX = '/opt/pypi/files';

/** mulberry32: a small, fast, seedable PRNG. Its state lives in the closure, one per run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generators, all drawing from one PRNG. */
function generators(random: () => number) {
  const chance = (p: number): boolean => random() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const int = (max: number): number => Math.floor(random() * (max + 1));
  const number = (): string => pick(['0', '1', '2', '3', String(int(20)), '00', '01', '10', '99', '2024', '007']);
  const sep = (): string => pick(['', '', '.', '-', '_']);

  const version = (): string => {
    let v = '';
    if (chance(0.05)) v += pick(['v', 'V']);
    if (chance(0.1)) v += `${pick(['0', '1', '2', '10', '01'])}!`;
    v += Array.from({ length: 1 + int(3) }, number).join('.');
    if (chance(0.3)) v += sep() + pick(['a', 'b', 'c', 'rc', 'alpha', 'beta', 'pre', 'preview', 'A', 'RC', 'Beta']) + sep() + (chance(0.8) ? number() : '');
    if (chance(0.2)) v += chance(0.3) ? `-${number()}` : sep() + pick(['post', 'rev', 'r', 'POST']) + sep() + (chance(0.8) ? number() : '');
    if (chance(0.2)) v += sep() + pick(['dev', 'DEV']) + sep() + (chance(0.8) ? number() : '');
    if (chance(0.15)) v += `+${Array.from({ length: 1 + int(2) }, () => pick(['ubuntu', 'abc', '1', '2', '01', 'deadbeef', 'A1', 'x86', 'local'])).join(pick(['.', '-', '_']))}`;
    if (chance(0.03)) v = `${pick([' ', '\t', '\n'])}${v}${pick([' ', '  ', '\n'])}`;
    if (chance(0.12)) v = mutate(v);
    return v;
  };

  const mutate = (v: string): string => {
    const at = int(v.length);
    switch (int(5)) {
      case 0:
        return v.slice(0, at) + pick(['.', '-', '_', '+', '!', '*', ' ', 'x', '..', ',', '٣']) + v.slice(at);
      case 1:
        return v.slice(0, at) + v.slice(at + 1);
      case 2:
        return pick(['', '.', 'garbage', '1..0', '1.0+', '1.0+a..b', '1.0-', '1.0.*', '1.0.x', '1.0 a1', '!1.0', '1!', 'v', '1.0+-a', '1.0.post-', '1.0dev-', '1.0a-', '1_0', '-1.0']);
      case 3:
        return `${v}${pick(['.*', '+', '-', '.', 'a', '.dev', '+local.1'])}`;
      default:
        return v.toUpperCase();
    }
  };

  /** A second version near the first, to meet the edges of comparisons and specifiers. */
  const near = (v: string): string => {
    const base = v.replace(/\.\*$/, '');
    switch (int(9)) {
      case 0:
        return base;
      case 1:
        return `${base}.0`;
      case 2:
        return `${base}+${pick(['local', '1', 'abc.2', 'ABC'])}`;
      case 3:
        return `${base}${pick(['.post1', '.post0', '-1', 'r'])}`;
      case 4:
        return `${base}${pick(['.dev0', '.dev1', 'dev'])}`;
      case 5:
        return `${base}${pick(['a1', 'b2', 'rc1', 'c1'])}`;
      case 6:
        return base.replace(/(\d+)(?!.*\d)/, (d) => String(Number(d) + pick([1, -1, 10])));
      case 7:
        return base.replace(/^(?:\d+!)?/, pick(['', '0!', '1!', '2!']));
      default:
        return version();
    }
  };

  const OPERATORS = ['~=', '==', '!=', '<=', '>=', '<', '>', '==='];
  const clause = (): string => {
    const op = pick(OPERATORS);
    let v = version();
    if ((op === '==' || op === '!=' || chance(0.05)) && chance(0.25)) v = `${v.replace(/\+.*$/, '')}.*`;
    if (chance(0.03)) v = pick(['1.0+5', '1.0+deadbeef', '1.0.dev1.*', '1', '1.*', '1.0 beta', 'foo', '1.0abc', '1.0;x', '1.0)', '']);
    return `${op}${chance(0.15) ? pick([' ', '  ', '\t']) : ''}${v}`;
  };
  const specifierSet = (): string => {
    if (chance(0.04)) return pick(['', ' ', ',', '>=1.0,', ',>=1.0', '>=1.0,,<2', '>=1.0 <=2.0', '>=1.0<=2.0', '==1.0 beta', '~=1.0+5', '>=1.0+deadbeef', '==1.0.dev1.*', 'foo', '1.0', '=1.0', '=== 1.0', '===foo', '===1.0a1']);
    return Array.from({ length: 1 + (chance(0.35) ? int(2) : 0) }, clause).join(pick([',', ',', ', ', ' , ', ' ,']));
  };
  const specifierCase = (): { s: string; v: string; p: boolean | null; i: boolean } => {
    const s = specifierSet();
    const inner = parseSpecifierSet(s)?.specifiers ?? [];
    const spec = inner.length ? pick(inner) : undefined;
    const v = spec && chance(0.85) ? near(spec.version) : version();
    return { s, v, p: pick([null, null, true, false]), i: chance(0.1) };
  };

  const VARIABLES = [
    'python_version', 'python_full_version', 'os_name', 'sys_platform', 'platform_release', 'platform_system', 'platform_version', 'platform_machine', 'platform_python_implementation',
    'implementation_name', 'implementation_version', 'extra', 'os.name', 'sys.platform', 'platform.version', 'platform.machine', 'platform.python_implementation', 'python_implementation',
  ];
  const ODD_VARIABLES = ['extras', 'dependency_groups', 'platform.release', 'foo', 'python_versions', 'Python_version'];
  const VALUES = [
    '3.8', '3.12', '3.12.1', '3.13.0rc1', '3.13', '2.7', '3', '3.*', '3.12.*', '6.1', '6.1.0-18-amd64', '10', '23.1.0', '7.3.13', '3.10.13+', '3.10.13+local', '1!3.8', 'v3.12', '3.13.0a1',
    'linux', 'win32', 'posix', 'nt', 'Linux', 'Windows', 'CPython', 'cpython', 'PyPy', 'x86_64', 'AMD64', '', 'a', 'b', 'foo_bar', 'Foo.Bar', 'test', 'dev-tools', ' 3.8 ', '=3.8', '3.8,<4', 'lin', 'inux', '#1 SMP', 'darwin',
  ];
  // No \\N{NAME}: that escape needs Unicode's name table (see the deliberate differences).
  const ESCAPED = ['a\\nb', '\\x41', '\\u00e9', '\\d', "\\'", '\\\\', '3.8\\', '\\101', '\\N', 'tab\\tx', '\\x4', '\\U0010ffff', '\\U00110000', '\\777', '\\0'];
  const MARKER_OPS = ['==', '!=', '<', '<=', '>', '>=', '~=', '===', 'in', 'not in'];

  const quoted = (value: string): string => (value.includes('"') ? `'${value}'` : value.includes("'") ? `"${value}"` : chance(0.5) ? `'${value}'` : `"${value}"`);
  const operand = (): string => (chance(0.5) ? pick(chance(0.05) ? ODD_VARIABLES : VARIABLES) : quoted(chance(0.04) ? pick(ESCAPED) : pick(VALUES)));
  const space = (): string => pick(['', ' ', ' ', ' ', '  ', '\t']);
  const comparison = (): string => {
    const op = chance(0.03) ? pick(['=', '=>', 'not  in', 'notin', '<>', 'is']) : pick(MARKER_OPS);
    const variable = pick(chance(0.04) ? ODD_VARIABLES : VARIABLES);
    const value = quoted(chance(0.04) ? pick(ESCAPED) : pick(VALUES));
    const [left, right] = chance(0.75) ? [variable, value] : chance(0.6) ? [value, variable] : [operand(), operand()];
    const pad = (): string => (/^[a-z]/i.test(op) ? pick([' ', ' ', '  ']) : space());
    return `${left}${pad()}${op}${pad()}${right}`;
  };
  const marker = (depth = 0): string => {
    const atoms = Array.from({ length: 1 + (depth < 2 && chance(0.5) ? int(2) : 0) }, () => (depth < 2 && chance(0.2) ? `(${space()}${marker(depth + 1)}${space()})` : comparison()));
    let text = atoms.reduce((acc, atom) => `${acc}${pick([' and ', ' or ', ' and ', ' or ', ' AND ', 'and', ' and  '])}${atom}`);
    if (chance(0.05)) text = pick([`(${text}`, `${text})`, `${text} and`, `not ${text}`, `${text} junk`, '', '()', text.replace(/["']/, '')]);
    return `${space()}${text}${space()}`;
  };

  const requirement = (): string => {
    const name = chance(0.9) ? pick(['foo', 'Foo.Bar-baz_qux', 'a', 'A1', 'requests', 'zope.interface']) : pick(['foo_', 'foo-', 'foo.', '_foo', '-foo', '1', 'fooé', 'foo bar', '']);
    const extras = chance(0.75) ? '' : pick(['[]', '[a]', '[a,b]', '[ a , B_c ]', '[a b]', '[a,]', '[,a]', '[a', '[a-b.c]', '[ ]']);
    let details: string;
    if (chance(0.15)) {
      details = `${space()}@${space()}${pick(['https://x.org/y.zip', 'https://x.org/y-1.0.tar.gz#sha256=ab', 'file:///tmp/x', 'git+https://g.com/r.git@v1#egg=foo', './x', 'https://x.org/y.zip;python_version>"3"', ''])}`;
      if (chance(0.5)) details += ` ;${space()}${marker()}`;
    } else {
      const spec = chance(0.08)
        ? pick(['>=1.0abc', '==foo', '>=1.0+deadbeef', '==1.0.dev1.*', '<=1.*', '>=', '== 1.0 beta', '>= 1.0 <= 2.0', '>=1.0<=2.0', '~=1.0+5', '~=1', '===foo,bar', '=== 1.0', '==1.0 ,', '>=1,,<2', '~=1.0.*', '==1.0+ABC', '==1.0+local.*'])
        : chance(0.2)
          ? ''
          : specifierSet();
      details = chance(0.15) ? `${space()}(${space()}${spec}${space()})` : `${space()}${spec}`;
      if (chance(0.4)) details += `${space()};${space()}${marker()}`;
    }
    return `${chance(0.1) ? pick([' ', '\t']) : ''}${name}${space()}${extras}${details}${chance(0.1) ? space() : ''}`;
  };

  return { version, near, specifierCase, marker, requirement, pick, chance };
}

/** Marker environments: every key packaging's default_environment() has, so the oracle's own interpreter never leaks in. */
const ENVIRONMENTS: MarkerEnvironment[] = [
  { implementation_name: 'cpython', implementation_version: '3.12.1', os_name: 'posix', platform_machine: 'x86_64', platform_release: '6.1.0-18-amd64', platform_system: 'Linux', platform_version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1', python_full_version: '3.12.1', platform_python_implementation: 'CPython', python_version: '3.12', sys_platform: 'linux', extra: '' },
  { implementation_name: 'cpython', implementation_version: '3.8.10', os_name: 'nt', platform_machine: 'AMD64', platform_release: '10', platform_system: 'Windows', platform_version: '10.0.19045', python_full_version: '3.8.10', platform_python_implementation: 'CPython', python_version: '3.8', sys_platform: 'win32', extra: 'test' },
  { implementation_name: 'cpython', implementation_version: '3.13.0rc1', os_name: 'posix', platform_machine: 'aarch64', platform_release: '6.1', platform_system: 'Linux', platform_version: '#1', python_full_version: '3.13.0rc1', platform_python_implementation: 'CPython', python_version: '3.13', sys_platform: 'linux', extra: 'dev-tools' },
  { implementation_name: 'pypy', implementation_version: '7.3.13', os_name: 'posix', platform_machine: 'arm64', platform_release: '23.1.0', platform_system: 'Darwin', platform_version: 'Darwin Kernel Version 23.1.0', python_full_version: '3.10.13', platform_python_implementation: 'PyPy', python_version: '3.10', sys_platform: 'darwin', extra: '' },
];

type Question =
  | { k: 'version'; a: string }
  | { k: 'compare'; a: string; b: string }
  | { k: 'specifier'; s: string; v: string; p: boolean | null; i: boolean }
  | { k: 'marker'; m: string; env: MarkerEnvironment }
  | { k: 'requirement'; r: string; env: MarkerEnvironment };
type Category = Question['k'];
type Answer = Record<string, unknown>;

/** Hand-picked edges the generators meet rarely: Python's whitespace, non-ASCII letters and digits, word boundaries, escapes. */
const EDGE_CASES: Question[] = [
  ...['1.0\u00a0', '\u20281.0', '1.0\u3000', '1.0\ufeff', '\x1c1.0', '1.0\x85', '1.0+\u017f', '1.0po\u017ft1', '\u0661.\u0660', '1.0\u200b', ' v1.0 ', 'V1!2', '1.99999999999999999999999', '1.0+ubuntu-1_2.3'].map((a): Question => ({ k: 'version', a })),
  ...[['>=1.0\u00a0', '1.0'], ['\u3000==1.0', '1.0'], ['=== 1.0\ufeff', '1.0\ufeff'], ['===\u0130', 'i\u0307'], ['>1.0.dev1', '1.0.post1'], ['<1.0.post1', '1.0rc1'], ['<0', '0.dev0'], ['<=0.dev0', '0.dev0+x'], ['==1.*', '1!1.0'], ['!=1.0+a', '1.0+A'], ['==2.0.*', '2'], ['>1.0', '1.0+local'], ['~=1.0', '2.0.dev0']].flatMap(([s, v]) =>
    [null, true, false].map((p): Question => ({ k: 'specifier', s: s ?? '', v: v ?? '', p, i: false })),
  ),
  ...['foo\u00e9', 'foo-\u00e9', 'foo[\u00e9]', 'foo; os_name\u00e9 == "x"', 'foo; os_name=="x"andos_name=="y"', 'foo;os_name in"x"', 'foo @ https://x;os_name=="a"', 'foo>=1.0,', 'foo==1.0 beta', 'foo>=1.0 <=2.0', 'foo ~=1.0+5', 'foo===a,b', 'foo ;', 'foo;((((os_name=="posix"))))'].map(
    (r): Question => ({ k: 'requirement', r, env: ENVIRONMENTS[0] ?? {} }),
  ),
  ...['"a" <= "a"', 'os_name <= "posix"', 'python_version ~= "3"', 'os_name === "posix"', 'os_name == "po\\\nsix"', "os_name == '\\u0070osix'", 'python_version == "3.12" or os_name ~= "x"'].map((m): Question => ({ k: 'marker', m, env: ENVIRONMENTS[0] ?? {} })),
];

function buildQuestions(seed: number): Question[] {
  const random = prng(seed);
  const g = generators(random);
  const questions: Question[] = [...EDGE_CASES];
  for (let n = 0; n < COUNTS.version; n++) {
    const a = g.version();
    questions.push({ k: 'version', a });
    questions.push({ k: 'compare', a, b: g.chance(0.8) ? g.near(a) : g.version() });
  }
  for (let n = 0; n < COUNTS.specifier; n++) questions.push({ k: 'specifier', ...g.specifierCase() });
  for (let n = 0; n < COUNTS.marker; n++) questions.push({ k: 'marker', m: g.marker(), env: g.pick(ENVIRONMENTS) });
  for (let n = 0; n < COUNTS.requirement; n++) questions.push({ k: 'requirement', r: g.requirement(), env: g.pick(ENVIRONMENTS) });
  return questions;
}

const markerAnswer = (outcome: MarkerOutcome): Answer =>
  outcome.ok ? { value: outcome.value } : { error: { 'invalid-marker': 'InvalidMarker', 'undefined-comparison': 'UndefinedComparison', 'undefined-environment-name': 'UndefinedEnvironmentName' }[outcome.error] };

/** Our answer to a question, in the oracle's shape. `legacy` marks what only pip 23's packaging accepted. */
function ours(q: Question): Answer {
  switch (q.k) {
    case 'version': {
      const v = parseVersion(q.a);
      return v ? { valid: true, str: formatVersion(v), pre: isPrerelease(v) } : { valid: false };
    }
    case 'compare': {
      const a = parseVersion(q.a);
      const b = parseVersion(q.b);
      if (!a || !b) return { valid: false };
      const cmp = Math.sign(compareParsed(a, b));
      return { valid: true, cmp, eq: cmp === 0 };
    }
    case 'specifier': {
      const set = parseSpecifierSet(q.s);
      if (!set) {
        const clauses = q.s.split(',').filter((c) => c.trim());
        return clauses.every((c) => parseSpecifier(c) || isLegacySpecifier(c)) ? { valid: false, legacy: true } : { valid: false };
      }
      return { valid: true, legacy: false, contains: specifierSetContains(set, q.v, { ...(q.p === null ? {} : { prereleases: q.p }), installed: q.i }) };
    }
    case 'marker': {
      const outcome = evaluateMarkerOutcome(q.m, q.env);
      return !outcome.ok && outcome.error === 'invalid-marker' ? { valid: false } : { valid: true, ...markerAnswer(outcome) };
    }
    case 'requirement': {
      const parsed = parsePep508(q.r);
      if (!parsed.ok) return { valid: false };
      const r = parsed.requirement;
      return {
        valid: !r.legacySpecifier,
        ...(r.legacySpecifier ? { legacy: true } : {}),
        name: r.name,
        extras: [...r.extras].sort(),
        specifier: r.specifier.split(',').filter(Boolean).sort(),
        url: r.url ?? null,
        marker: r.marker === undefined ? null : markerAnswer(evaluateMarkerOutcome(r.marker, q.env)),
      };
    }
  }
}

/** Runs one oracle process over every question (JSON lines in, JSON lines out). */
async function ask(python: string, mode: string, questions: readonly Question[]): Promise<{ packaging: string; python: string; answers: Answer[] }> {
  const child = spawn(python, [ORACLE, mode], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONIOENCODING: 'utf-8', PYTHONDONTWRITEBYTECODE: '1' } });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const done = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  child.stdin.end(questions.map((q) => JSON.stringify(q)).join('\n') + '\n');
  const code = await done;
  const lines = Buffer.concat(out).toString('utf8').split('\n').filter(Boolean);
  if (code !== 0 || lines.length !== questions.length + 1) throw new Error(`${python} ${mode}: exit ${code}, ${lines.length - 1} answers for ${questions.length}\n${Buffer.concat(err).toString('utf8').slice(-2000)}`);
  const [head, ...answers] = lines.map((l) => JSON.parse(l) as Answer);
  return { packaging: String(head?.packaging), python: String(head?.python), answers };
}

/** pyenv interpreters that have pip, hence a vendored packaging. */
function pipInterpreters(): string[] {
  return pyenvVersions()
    .map((v) => path.join(PYENV_VERSIONS, v, 'bin', 'python'))
    .filter((exe) => {
      const lib = path.join(path.dirname(path.dirname(exe)), 'lib');
      return readdirSync(lib).some((d) => existsSync(path.join(lib, d, 'site-packages', 'pip', '_vendor', 'packaging')));
    });
}

const currentWheel = (): string | undefined => {
  try {
    const wheels = readdirSync(INDEX).filter((f) => /^packaging-[0-9.]+-py3-none-any\.whl$/.test(f));
    const newest = wheels.sort((a, b) => compareParsed(parseVersion(a.split('-')[1] ?? '0') ?? { epoch: 0n, release: [0n] }, parseVersion(b.split('-')[1] ?? '0') ?? { epoch: 0n, release: [0n] })).pop();
    return newest && path.join(INDEX, newest);
  } catch {
    return undefined;
  }
};

/** A Python new enough for current packaging (it needs 3.9+): the newest pyenv interpreter. */
const newestPython = (): string | undefined =>
  pyenvVersions()
    .filter((v) => /^3\.(9|[1-9][0-9])\./.test(v))
    .sort((a, b) => compareParsed(parseVersion(a) ?? { epoch: 0n, release: [0n] }, parseVersion(b) ?? { epoch: 0n, release: [0n] }))
    .map((v) => path.join(PYENV_VERSIONS, v, 'bin', 'python'))
    .pop();

const same = (a: Answer, b: Answer): boolean => isDeepStrictEqual(a, b);

/** The fields we compare: everything the oracle answered, except `legacy` (only meaningful against old packaging). */
function comparable(answer: Answer): Answer {
  if (answer.valid === false) return { valid: false };
  const rest = { ...answer };
  delete rest.legacy;
  return rest;
}

/**
 * An answer as a pip with packaging `major` sees it: before 22, a legacy clause makes a specifier
 * set or requirement valid (its `contains` is not compared: packaging 22+ has no LegacyVersion
 * ordering to follow); from 22 on, it is invalid.
 */
function pipView(answer: Answer, major: number): Answer {
  if (answer.legacy === true) {
    if (major >= 22) return { valid: false };
    return 'name' in answer ? { ...answer, valid: true } : { valid: true, legacy: true };
  }
  if (answer.valid === false) return { valid: false };
  return 'name' in answer || 'contains' in answer || 'error' in answer ? { ...answer, legacy: false } : answer;
}

// ---------------------------------------------------------------------------------------------
// Where an older packaging answers differently from current packaging, and why. Each reason is
// a predicate on the question (what it contains), applicable to the packaging versions that
// behave that way; a disagreement with an older packaging must match one of them.

const VARIABLE_NAMES = 'python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)|extras?|dependency_groups';
const OPERAND = `(?:${VARIABLE_NAMES}|'[^']*'|"[^"]*")`;
const VERSION_KEYS = new Set(['python_version', 'python_full_version', 'implementation_version', 'platform_release']);

interface MarkerComparison {
  readonly key: string;
  readonly op: string;
  readonly lhs: string;
  readonly rhs: string;
}

/** The comparisons in a marker, by pattern (enough to say which mechanisms a marker exercises). */
function comparisons(marker: string, env: MarkerEnvironment): MarkerComparison[] {
  const found: MarkerComparison[] = [];
  for (const m of marker.matchAll(new RegExp(`(${OPERAND})[ \\t]*(===|==|~=|!=|<=|>=|<|>|not[ \\t]+in|in)[ \\t]*(${OPERAND})`, 'g'))) {
    const [, left = '', rawOp = '', right = ''] = m;
    const op = rawOp.replace(/[ \t]+/, ' ');
    const isVar = (t: string): boolean => !/^['"]/.test(t);
    const name = (t: string): string => {
      const n = t.replace(/\./g, '_');
      return n === 'python_implementation' ? 'platform_python_implementation' : n;
    };
    const text = (t: string): string => (isVar(t) ? name(t) : t.slice(1, -1));
    const key = isVar(left) ? name(left) : text(right);
    const lhs = isVar(left) ? (env[key] ?? '') : text(left);
    const rhs = isVar(left) ? text(right) : (env[key] ?? '');
    found.push({ key, op, lhs, rhs });
  }
  return found;
}

/** packaging < 26's `Specifier._compare_less_than` / `_compare_greater_than`, against 26's ranges (ours). */
function classicOrderDiffers(op: string, specVersion: string, item: string): boolean {
  const spec = parseVersion(specVersion);
  const v = parseVersion(item);
  if (!spec || !v || (op !== '<' && op !== '>')) return false;
  const base = (x: typeof v): typeof v => ({ epoch: x.epoch, release: x.release });
  const sameBase = compareParsed(base(v), base(spec)) === 0;
  const classic =
    op === '<'
      ? compareParsed(v, spec) < 0 && !(!isPrerelease(spec) && isPrerelease(v) && sameBase)
      : compareParsed(v, spec) > 0 && !(spec.post === undefined && v.post !== undefined && sameBase) && !(v.local !== undefined && sameBase);
  const clause = parseSpecifier(`${op}${specVersion}`);
  return !!clause && classic !== specifierSetContains({ specifiers: [clause], hasArbitrary: false }, item, { prereleases: true });
}

/** packaging 21.3's Specifier regex (18.0 and 19.0 have the same), fully matched: what it accepted that 26 does not. */
const OLD_SPECIFIER = (() => {
  const pre = '(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?';
  const post = '(?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?';
  const dev = '(?:[-_.]?dev[-_.]?[0-9]*)?';
  const local = '(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?';
  const release = 'v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*';
  return new RegExp(`^\\s*(?:===\\s*\\S*|(?:==|!=)\\s*${release}${pre}${post}(?:${dev}${local}|\\.\\*)?|~=\\s*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)+${pre}${post}${dev}|(?:<=|>=|<|>)\\s*${release}${pre}${post}${dev})\\s*$`, 'i');
})();

const clausesOf = (text: string): string[] => text.split(',').map((c) => c.trim()).filter(Boolean);

/** A `~=` or `.*` clause whose version is not spelled as packaging normalises it (`~=01.0`, `==v1.*`, `==0!1.*`). */
function prefixNotCanonical(clause: string): boolean {
  const spec = parseSpecifier(clause);
  if (!spec || !(spec.operator === '~=' || spec.version.endsWith('.*'))) return false;
  const text = spec.version.replace(/\.\*$/, '');
  const parsed = parseVersion(text);
  return !!parsed && formatVersion(parsed) !== text;
}

/** True for a packaging at least `from` and older than `to`. */
const inRange = (from: string, to: string, packaging: string): boolean => !olderThan(from)(packaging) && olderThan(to)(packaging);

/** True for a packaging older than `version`. */
const olderThan = (version: string) => (packaging: string) => compareParsed(parseVersion(packaging) ?? { epoch: 0n, release: [0n] }, parseVersion(version) ?? { epoch: 0n, release: [0n] }) < 0;
const specifierReasons = (s: string, v: string, p: boolean | null, i: boolean, theirs: Answer, packaging: string): string[] => {
  const reasons: [string, boolean][] = [
    ['prereleases=None refused a pre-release no clause names (26.0 admits it: a single version has no alternatives)', p === null && !i && !!parseVersion(v) && isPrerelease(parseVersion(v) ?? { epoch: 0n, release: [] })],
    ['no installed= parameter before packaging 22', i && theirs.error === 'TypeError'],
    ['< and > excluded the pre/post/local family by base version (26.0 uses exact ranges)', clausesOf(s).some((c) => { const spec = parseSpecifier(c); return !!spec && classicOrderDiffers(spec.operator, spec.version, v); })],
    ['=== compared the normalised version, not the text (26.0 compares the text)', s.includes('===') && !!parseVersion(v) && normalizedDiffers(v)],
    ['an invalid version raised InvalidVersion in SpecifierSet.contains (packaging 22-25)', theirs.error === 'InvalidVersion' && !parseVersion(v)],
    ['=== with text that is no version raised InvalidVersion while deriving the pre-release policy (packaging 22-25)', theirs.error === 'InvalidVersion' && p === null && clausesOf(s).some((c) => parseSpecifier(c)?.operator === '===' && !parseVersion(parseSpecifier(c)?.version ?? ''))],
    ['installed=True did not admit a pre-release the set refuses: packaging 22-25 applied the pre-release policy first', inRange('22', '26', packaging) && i && !!parseVersion(v) && isPrerelease(parseVersion(v) ?? { epoch: 0n, release: [] })],
    ['~= split the version text, not the parsed version, so a non-canonical spelling (v1.0, 1.0A1) missed (packaging 22-25)', inRange('22', '26', packaging) && clausesOf(s).some((c) => /^\s*~=/.test(c) && prefixNotCanonical(c))],
    ['<= compared with the local label, so V+local was not <=V (packaging < 19.1)', olderThan('19.1')(packaging) && !!parseVersion(v)?.local && clausesOf(s).some((c) => parseSpecifier(c)?.operator === '<=')],
    ['a ~= or .* prefix was compared as written, unnormalised (fixed in packaging 22)', olderThan('22')(packaging) && clausesOf(s).some(prefixNotCanonical)],
    ['a .* prefix split the text with the epoch glued to the first part, so 1!0rc1 did not split as 1!0 and rc1 (packaging < 22)', olderThan('22')(packaging) && /!/.test(`${s}${v}`) && clausesOf(s).some((c) => /\.\*\s*$/.test(c))],
    ['the old Specifier regex accepted it: a pre/post-release before .*, or ; and ) after ===', olderThan('22')(packaging) && clausesOf(s).some((c) => OLD_SPECIFIER.test(c) && !parseSpecifier(c))],
    ['~= kept a pre-release in its prefix (~=1.0a1 meant ==1.0.*; fixed in packaging 19.1)', olderThan('19.1')(packaging) && clausesOf(s).some((c) => /^\s*~=/.test(c) && /[0-9][-_.]?(a|b|c|rc|alpha|beta|pre|preview)/i.test(c))],
  ];
  return reasons.filter(([, holds]) => holds).map(([why]) => why);
};

function normalizedDiffers(v: string): boolean {
  const parsed = parseVersion(v);
  return !!parsed && formatVersion(parsed).toLowerCase() !== v.toLowerCase();
}

const markerReasons = (m: string, env: MarkerEnvironment, packaging: string): string[] => {
  const items = comparisons(m, env);
  const versionSpec = (c: MarkerComparison): boolean => !!parseSpecifier(`${c.op}${c.rhs}`);
  const reasons: [string, boolean][] = [
    ['<, <=, >=, > on strings used Python string order (26 makes < and > false, <= and >= equality)', items.some((c) => ['<', '<=', '>=', '>'].includes(c.op))],
    ['any variable compared as a version when op+value is a valid specifier (26: only the four version variables)', items.some((c) => !VERSION_KEYS.has(c.key) && versionSpec(c))],
    ['marker version comparisons refused pre-releases (prereleases=None before packaging 22)', olderThan('22')(packaging) && items.some((c) => versionSpec(c) && !!parseVersion(c.lhs) && isPrerelease(parseVersion(c.lhs) ?? { epoch: 0n, release: [] }))],
    ['< and > excluded the pre/post/local family by base version (26.0 uses exact ranges)', items.some((c) => versionSpec(c) && classicOrderDiffers(c.op, c.rhs.trim(), c.lhs))],
    ['a valid version specifier against a non-version raised InvalidVersion (packaging 22-25)', inRange('22', '26', packaging) && items.some((c) => versionSpec(c) && !parseVersion(c.lhs))],
    ['the end of the text was `$`, which also matches before a final line break (packaging 22-25)', inRange('22', '26', packaging) && /\n$/.test(m)],
    ['=== compared the normalised version, not the text (26.0 compares the text)', items.some((c) => c.op === '===' && normalizedDiffers(c.lhs))],
    ['a ~= or .* prefix was split from its text, not its parsed version (packaging < 22; ~= until 26)', items.some((c) => prefixNotCanonical(`${c.op}${c.rhs}`) && (olderThan('22')(packaging) || c.op === '~='))],
    ['a variable compared with the variable extra was made a literal by PEP 685 normalisation (packaging 22-25)', inRange('22', '26', packaging) && new RegExp(`(?:extra[ \\t]*\\S+[ \\t]*(?:${VARIABLE_NAMES})|(?:${VARIABLE_NAMES})[ \\t]*\\S+[ \\t]*extra)(?![A-Za-z_])`).test(m)],
    ['extra compared without PEP 685 normalisation (packaging < 22)', olderThan('22')(packaging) && /\bextra\b/.test(m)],
    ['extras and dependency_groups are marker variables since packaging 25 (PEP 751)', /extras|dependency_groups/.test(m)],
    ['quoted strings were pyparsing QuotedStrings, not Python literals (backslashes differ; packaging < 22)', olderThan('22')(packaging) && m.includes('\\')],
    ['the pyparsing grammar matched keywords without word boundaries and "not in" with one space (packaging < 22)', olderThan('22')(packaging) && /(?:[A-Za-z0-9_'")](?:and|or|in|not)|(?:and|or|in|not)[A-Za-z0-9_'"(]|not[ \t]{2,}|not\t)/.test(m)],
    ['the old tokenizer read any whitespace, line breaks included (packaging < 22)', olderThan('22')(packaging) && /[^ \t\S]/.test(m)],
  ];
  return reasons.filter(([, holds]) => holds).map(([why]) => why);
};

const requirementReasons = (r: string, env: MarkerEnvironment, packaging: string): string[] => {
  const semicolon = r.indexOf(';');
  const marker = semicolon >= 0 ? r.slice(semicolon + 1) : '';
  const head = semicolon >= 0 ? r.slice(0, semicolon) : r;
  const specText = head.replace(/^\s*[A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*/, '').replace(/^\(|\)\s*$/g, '');
  const old = olderThan('22')(packaging);
  const reasons: [string, boolean][] = [
    ...markerReasons(marker, env, packaging).map((why): [string, boolean] => [`marker: ${why}`, true]),
    ...clausesOf(specText).flatMap((c) => (old && OLD_SPECIFIER.test(c) && !parseSpecifier(c) ? [['specifier: the old Specifier regex accepted a pre/post-release before .* (not a legacy clause there)', true] as [string, boolean]] : [])),
    ['specifier sets were sets: equivalent clauses (==1.0, ==1) appeared once (packaging < 26)', hasEquivalentClauses(specText)],
    ['grammar: packaging < 22 (pyparsing) required an alphanumeric last character in names', old && /^\s*[A-Za-z0-9._-]*[._-](?=[\s[(<>=!~@;]|$)/.test(r)],
    ['grammar: packaging < 22 rejected empty parentheses and a trailing comma', old && (/\(\s*\)/.test(head) || /,\s*\)?\s*$/.test(head))],
    ['grammar: packaging < 22 skipped any whitespace, line breaks included', old && /[^ \t\S]/.test(r)],
    ['grammar: packaging < 22 let === take ";" and ")"', old && /===\s*[^\s]*[;)]/.test(r)],
    ['grammar: packaging < 22 required a URL with a scheme and a host (file: URLs excepted)', old && /@/.test(head)],
    ['grammar: the end of the text was `$`, which also matches before a final line break (packaging 22-25)', inRange('22', '26', packaging) && /\n$/.test(r)],
    ['ours, deliberately: a URL needs a scheme, as pip 23 (packaging 21.3) required; packaging 22+ takes any text', !old && /@[ \t]*(?![A-Za-z][A-Za-z0-9+.-]*:)[^ \t]/.test(r)],
    ['grammar: packaging < 22 tried pre-release spellings a|b|c|rc before alpha|beta|pre|preview, cutting ~=1.0beta at "b"', old && /~=[^,;]*[0-9][-_.]?(?:alpha|beta|preview)/i.test(head)],
    ['grammar: a marker after an old === clause was part of its text', old && /===/.test(head) && semicolon >= 0],
  ];
  return reasons.filter(([, holds]) => holds).map(([why]) => why);
};

/** Two clauses with one operator and versions that normalise alike (packaging < 26 kept clauses in a set). */
function hasEquivalentClauses(text: string): boolean {
  const keys = clausesOf(text.replace(/\s+/g, '')).map((c) => {
    const spec = parseSpecifier(c);
    return spec ? `${spec.operator}${parseVersion(spec.version.replace(/\.\*$/, '')) ? formatVersion(parseVersion(spec.version.replace(/\.\*$/, '')) ?? { epoch: 0n, release: [] }) : spec.version}${spec.version.endsWith('.*') ? '.*' : ''}` : c;
  });
  return new Set(keys).size < keys.length;
}

/** Why an older packaging's answer differs, or nothing when no listed reason covers the case. */
function explain(q: Question, theirs: Answer, packaging: string, python: string): string[] {
  if ((String(theirs.crash).startsWith('UnicodeEncodeError') || theirs.error === 'UnicodeEncodeError') && python.startsWith('2.')) return ["Python 2's packaging fails to format an error message about non-ASCII input"];
  const text = [q.k === 'version' || q.k === 'compare' ? q.a : '', q.k === 'compare' ? q.b : '', q.k === 'specifier' ? `${q.s} ${q.v}` : '', q.k === 'marker' ? q.m : '', q.k === 'requirement' ? q.r : ''].join(' ');
  if (olderThan('26')(packaging) && /[\u017f\u212a]/.test(text)) return ['IGNORECASE folded \u017f into s and \u212a into k: packaging < 26 had no (?a:) ASCII-only groups'];
  if (python.startsWith('2.') && /[^\x00-\x1b\x20-\x7f]/.test(text)) return ["Python 2's re is ASCII-only without re.UNICODE: \\s misses \\x1c-\\x1f and non-ASCII whitespace"];
  switch (q.k) {
    case 'specifier':
      return specifierReasons(q.s, q.v, q.p, q.i, theirs, packaging);
    case 'marker':
      return markerReasons(q.m, q.env, packaging);
    case 'requirement':
      return requirementReasons(q.r, q.env, packaging);
    default:
      return [];
  }
}

const CATEGORIES: Category[] = ['version', 'compare', 'specifier', 'marker', 'requirement'];

describe('PEP 440 and PEP 508 against live pypa/packaging', { timeout: 120_000 }, () => {
  const questions = buildQuestions(SEED);
  const answers = questions.map(ours);
  const wheel = currentWheel();
  const python = newestPython();
  const interpreters = pipInterpreters();
  let current: { packaging: string; python: string; answers: Answer[] } | undefined;
  const vendored: { exe: string; packaging: string; python: string; answers: Answer[] }[] = [];

  before(async () => {
    const runs: Promise<unknown>[] = interpreters.map(async (exe) => vendored.push({ exe, ...(await ask(exe, 'vendored', questions)) }));
    if (wheel && python) runs.push(ask(python, wheel, questions).then((r) => (current = r)));
    await Promise.all(runs);
    vendored.sort((a, b) => a.exe.localeCompare(b.exe));
  });

  it(`agrees 100% with current packaging (seed ${SEED}; PEP440_SEED=${SEED} replays)`, { skip: !wheel ? `no packaging wheel in ${INDEX}` : !python ? 'no Python 3.9+ here to run current packaging' : false }, (t) => {
    assert.ok(current);
    t.diagnostic(`seed ${SEED}; current packaging ${current.packaging} on Python ${current.python}`);
    const disagreements: string[] = [];
    for (const category of CATEGORIES) {
      let total = 0;
      let agree = 0;
      let deliberate = 0;
      questions.forEach((q, n) => {
        if (q.k !== category) return;
        total++;
        const theirs = current?.answers[n] ?? {};
        if (same(comparable(answers[n] ?? {}), comparable(theirs))) agree++;
        else if (q.k === 'requirement' && answers[n]?.valid === false && typeof theirs.url === 'string' && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(theirs.url)) deliberate++;
        else if (disagreements.length < 40) disagreements.push(`${JSON.stringify(q)}\n    ours   ${JSON.stringify(answers[n])}\n    theirs ${JSON.stringify(theirs)}`);
      });
      const note = deliberate ? `; ${deliberate} deliberate: a URL without a scheme, which pip 23 rejects too` : '';
      t.diagnostic(`${category}: ${agree}/${total} agree (${((100 * agree) / total).toFixed(2)}%)${note}`);
    }
    assert.deepEqual(disagreements, []);
  });

  it('agrees with every pip-vendored packaging except for the listed differences', { skip: interpreters.length === 0 && 'no pyenv interpreter with pip here' }, (t) => {
    const unexplained: string[] = [];
    for (const run of vendored) {
      const major = Number(run.packaging.split('.')[0]);
      const reasons = new Map<string, number>();
      const summary = CATEGORIES.map((category) => {
        let total = 0;
        let agree = 0;
        questions.forEach((q, n) => {
          if (q.k !== category) return;
          total++;
          const theirs = run.answers[n] ?? {};
          if (same(pipView(answers[n] ?? {}, major), pipView(theirs, major))) return void agree++;
          const why = explain(q, theirs, run.packaging, run.python);
          for (const reason of why) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
          if (process.env.PEP440_DUMP && !why.length) appendFileSync(process.env.PEP440_DUMP, JSON.stringify({ p: run.packaging, py: run.python, q, ours: answers[n], theirs }) + '\n');
          if (!why.length && unexplained.length < 40) unexplained.push(`${run.packaging} (Python ${run.python}): ${JSON.stringify(q)}\n    ours   ${JSON.stringify(answers[n])}\n    theirs ${JSON.stringify(theirs)}`);
        });
        return `${category} ${agree}/${total}`;
      });
      t.diagnostic(`packaging ${run.packaging} (pip on Python ${run.python}): ${summary.join(', ')} agree`);
      for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1])) t.diagnostic(`    ${count} × ${reason}`);
    }
    assert.deepEqual(unexplained, []);
  });
});
