/**
 * The requirements-file parser against pip 23.2.1 itself, on generated files. A seeded generator
 * writes thousands of small requirements files (names, extras, specifiers, markers, URLs, VCS
 * links with `#egg=`, local paths, editables, options, includes, comments, continuations,
 * variables, odd whitespace and every line break Python's `str.splitlines` knows); one pip process
 * parses them all (test/fixtures/pip_parse.py); each verdict (error or not, and each requirement's
 * and option line's parts) must be ours.
 *
 * `REQUIREMENTS_DIFF_SEED` replays a run (the seed is printed); `REQUIREMENTS_DIFF_CASES` sets
 * how many files (default 2,000); `REQUIREMENTS_DIFF_VERBOSE` prints the files excluded as
 * pep508.ts's differences.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { logicalLines, parseRequirementsFile, shellSplit } from '../../src/core/leaves/requirements/parser';
import { tempDir } from '../fixtures/machine';
import { oraclePython, pipOracle, type OracleInput, type PipVerdict } from '../fixtures/pipOracle';
import { ourSummary, pipSummary } from '../fixtures/requirementsVerdict';

const noOracle = !oraclePython() && 'no interpreter here bundles pip 23.2.1, the oracle';
const SEED = process.env.REQUIREMENTS_DIFF_SEED !== undefined ? Number(process.env.REQUIREMENTS_DIFF_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const CASES = Number(process.env.REQUIREMENTS_DIFF_CASES ?? 2_000);

/** What the generated files find beside them: a project, a folder that is none, a wheel, files to include. */
const FILES: Readonly<Record<string, string>> = {
  'proj/pyproject.toml': '[project]\nname = "proj"\n',
  'empty/README': 'x',
  'sub/README': 'x',
  'dist/pilotfish-1.0.0-py3-none-any.whl': 'x',
  'inc.txt': 'included-pkg==1.0\n',
  'con.txt': 'constrained-pkg<2\n',
  'nested.txt': '-r sub/inner.txt\n-c con.txt\n',
  'sub/inner.txt': '-r ../inc.txt\nsub-pkg[x]>=1 ; python_version >= "3"\n',
};

/** The variables both parsers see; `null` is unset for pip. */
const ENV: Readonly<Record<string, string | null>> = {
  VP_HOST: 'example.com',
  VP_NAME: 'pilotfish',
  VP_EMPTY: '',
  VP_UNSET: null,
  VP_OPT: '--pre',
  VP_HASH: 'sha256:abc',
  VP_LINE: 'pilotfish==1.0 --hash=sha256:abc',
  VP_SPACE: ' pilotfish',
  VP_REF: '${VP_NAME}',
  VP_DOLLAR: '$&x',
  VP_COMMENT: 'pilotfish # not a comment once expanded',
  VP_CONT: 'pilotfish \\',
};

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function random(seed: number): { float: () => number; pick: <T>(xs: readonly T[]) => T; chance: (p: number) => boolean; int: (n: number) => number; from: (table: Table) => string } {
  let state = seed >>> 0;
  const float = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(float() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  return { float, int, pick, chance: (p) => float() < p, from: (table: Table) => pick(float() < 0.15 ? table.bad : table.good) };
}
type Rng = ReturnType<typeof random>;

/** Generator choices: mostly ones pip accepts, so that most files reach the part-by-part comparison. */
interface Table {
  readonly good: readonly string[];
  readonly bad: readonly string[];
}
const NAMES: Table = { good: ['requests', 'Flask_Login', 'zope.interface', 'a', 'A1', 'x-y', 'py.test', 'na__me', '${VP_NAME}', '${VP_EMPTY}pkg'], bad: ['bad-', '1abc.', 'caf\u00e9', '${VP_UNSET}', '${vp_name}', '-x'] };
const EXTRAS: Table = { good: ['', '', '', '[socks]', '[a,b]', '[ a , b ]', '[]', '[Dev_Tools]', '[a.b-c]'], bad: ['[a b]', '[a,]', '[\u00a0a]', '[a'] };
const SPECIFIERS: Table = { good: ['', '', '', '==1.0', '>=1,<2', ' >= 1.0 , < 2', '~=1.4', '===foo', '==1.*', '!=2.0', '(>=1)', ' (>=1, <2)', '==2.31.0+cu118', '>1.0.post1', '==1.0a1.dev2', '==1.0-legacy', '>=1.*', '\t==1.0'], bad: ['==1.0[x]', '==not.a.version!', '~=1', '\u00a0==1.0', '==\u00a01.0', '==1.0\u3000', '=1.0', '<>1', '~=1.0.*', '==1.0.*+local', '<=1.0.*', '===a b', '==1.0,', ',==1.0', '>=1.0 <2', '==v1.0', '== 1.0 .*', '!=1.*.post1', '>1!2.0', '==1.0+ubuntu-1', '==１.０'] };
const MARKERS: Table = { good: ['', '', '', ';', '; ', ';\u00a0', ';python_version<"3.8"', '; sys_platform == "linux"', ' ; os_name == "nt" and extra == "x"', '; (python_version >= "3")', "; platform_machine=='x86_64'", ';os.name=="posix"', '; implementation_name == "cpython"  '], bad: ['; python_version', '; python_version < "3.8" or', '; python_version\u00a0>= "3"', '; bogus', '; python_version in "3.8 3.9"', "; '3' < python_version", '; platform_release >= "5.x"', '; extra == "Foo_Bar"', '; python_version == "3.*"', '; python_version ~= "3"', '; python_version === "3.8"', '; (python_version > "3"', '; python_version > "3")', '; os_name == "nt" or(sys_platform == "linux")', '; python_version<"3"and os_name=="nt"', '; python_implementation == "CPython"', '; platform.python_implementation == "CPython"', '; sys_platform == \'linux\' and extra', '; "linux" == sys_platform', '; sys_platform == "linux" and not os_name == "nt"'] };
const URL_MARKERS: Table = { good: ['', '', '', '; python_version < "3.8"', ' ; python_version < "3.8"', '; ', ';'], bad: [';python_version<"3.8"', '; bogus', ';\u00a0python_version < "3.8"'] };
const URLS: Table = {
  good: ['https://example.com/pilotfish-1.0.0-py3-none-any.whl', 'https://${VP_HOST}/p.tar.gz', 'file:///tmp/pilotfish', 'file://localhost/tmp/x', 'git+https://github.com/o/r.git@v1', 'https://example.com/x#frag', 'http://[::1]/x', 'https://example.com/x;y', 'https://example.com/x?'],
  bad: ['file:/tmp/x', 'file://example.com/x', 'FILE:///tmp/x', 'file:///tmp/x?', 'foo:bar', 'https:///nohost', 'http://[::1/x', 'http://[1.2.3.4]/x', './relative', 'https://example.com/a b'],
};
const BARE_URLS: Table = {
  good: ['https://example.com/pkg/pilotfish-1.0.0-py3-none-any.whl', 'https://example.com/pilotfish-1.0.0.tar.gz', 'https://example.com/x_y-1_0-py3-none-any.whl', 'https://example.com/pilotfish-1.0.0-7-py3-none-any.whl', 'https://example.com/dir/', 'HTTPS://example.com/p-1.0.zip', 'http://[::1]/pilotfish-1.0.0-py3-none-any.whl', 'file:///tmp/pilotfish-1.0.0.tar.gz', 'file://localhost/tmp/p.zip', 'ftp://example.com/p.tar.gz', 'https://example.com/%70ilotfish-1.0.0-py3-none-any.whl', 'https://example.com/p-1.0-py3-none-any.WHL', 'https://example.com/x.tar.whl', 'https://example.com/pilotfish-1.0.0-py3-none-any.whl/', 'file:@DIR@/dist/pilotfish-1.0.0-py3-none-any.whl'],
  bad: ['https://example.com/bad.whl', 'https://example.com/a-b-c-d.whl', 'http://[::1/x.zip', 'file://example.com/p.zip', 'FILE:///tmp/p.zip', 'https://example.com/pilot%20fish-1.0-py3-none-any.whl', 'https://example.com/pilotfish-1.0.0-py3-none-any.whl?x#y', 'https://example.com/p%2-1.0-py3-none-any.whl'],
};
const VCS_URLS: Table = { good: ['git+https://github.com/o/r.git', 'git+https://github.com/o/r.git@v1.0', 'git+ssh://git@github.com/o/r.git', 'hg+https://hg.example.com/r', 'svn+https://svn.example.com/r/trunk', 'bzr+lp:r', 'git+file:///tmp/r', 'GIT+HTTPS://github.com/o/r'], bad: ['git://github.com/o/r.git', 'git+foo://h/r'] };
const EGGS: Table = {
  good: ['', '#egg=pilotfish', '#egg=pilotfish', '#egg=pilotfish==1.0', '#egg=pilotfish[extra]', '#egg=pilotfish;python_version<"3.8"', '#egg=Pilot_Fish', '#egg=pilotfish&subdirectory=sub', '#subdirectory=sub&egg=pilotfish', '#egg=pilotfish>=1,<2', '#egg=pilotfish (>=1)', '#sha256=abc', '#egg=pilotfish@https://x'],
  bad: ['#egg=', '#egg=-bad', '#egg=pilotfish;', '#egg=pilot fish', '#egg=pilotfish@https:///x', '#egg=pilotfish@file:/tmp/x', '#egg=pilotfish@http://[::1/x'],
};
const LOCAL_PATHS: Table = {
  good: ['./proj', './proj/', './proj[dev]', './proj[Dev]', './dist/pilotfish-1.0.0-py3-none-any.whl', 'dist/pilotfish-1.0.0-py3-none-any.whl', './dist/pilotfish-1.0.0-py3-none-any.whl[x]', './missing-1.0.tar.gz', 'missing.zip', 'pkg.TAR.GZ', 'pkg-1.0-py3-none-any.WHL', 'x.tar.whl', './foo@1.0.tar.gz', 'sub/../proj', 'nosuch/../proj', 'proj', '@DIR@/proj', '@DIR@/dist/pilotfish-1.0.0-py3-none-any.whl', './proj\u00a0', 'pilot\\fish.zip', './dist/p%2570-1.0-py3-none-any.whl'],
  bad: ['./proj[a b]', './empty/', './empty', './bad.whl', '.', './not-a-thing', 'foo@1.0.tar.gz', './dist', './.whl', 'a-b-c-d.whl', 'x_y-1_0-py3-none-any.whl', './proj;python_version>"3"'],
};
const EDITABLES: Table = {
  good: ['./proj', './proj[dev]', './proj[Dev,TEST]', 'git+https://github.com/o/r.git#egg=r', 'git+https://github.com/o/r.git#egg=r[x]', 'git+https://github.com/o/r.git#egg=r==1.0', 'git+https://github.com/o/r.git#egg=r;python_version>"3"', 'git:github.com/o/r#egg=r', 'GIT+HTTPS://github.com/o/r#egg=r', 'hg+https://h/r#egg=r', 'svn+svn://h/r#egg=r', 'bzr+lp:r#egg=r', 'file://@DIR@/proj', 'file:./proj', 'file://@DIR@/proj#egg=proj', '"./proj"', "'git+https://h/r a#egg=r'", 'sub/../proj'],
  bad: ['./proj[]', '.', './empty', './missing', 'git+https://github.com/o/r.git', 'git+foo://h/r#egg=r', 'https://example.com/r.tar.gz#egg=r', 'file://example.com/x', './dist/pilotfish-1.0.0-py3-none-any.whl', 'git+https://[::1/r#egg=r', '${VP_UNSET}', 'git+https://h/r#egg=-x', 'nosuch/../proj', 'file:///tmp/x#egg=', 'FILE:///tmp/x'],
};
const EDITABLE_FLAGS = ['-e ', '-e ', '-e', '--editable ', '--editable=', '--edit ', '-e  '];
const OPTIONS: Table = {
  good: ['--index-url https://example.com/simple', '-i https://${VP_HOST}/simple', '--index-url=https://example.com/simple', '-ihttps://example.com/simple', '--pypi-url https://example.com/simple', '--index-url=', '--extra-index-url https://example.com/extra', '--extra-index https://x', '-f ./dist', '--find-links=https://example.com/links', '--no-index', '--pre', '--prefer-binary', '--require-hashes', '--trusted-host example.com', '--use-feature=truststore', '--use-feature fast-deps', '--no-binary :all:', '--no-binary=lxml,Numpy_X', '--only-binary :none:', '--no-binary=', '--only-binary=:all:', '--hash=sha256:abc', '--config-settings=k=v', '--global-option=--x', '--py https://x', '--', '-', 'stray', "--trusted-host='a b'", '"--pre"', '--pre \\x', '--requirement inc.txt', '-r inc.txt', '-c con.txt', '-e ./proj', '${VP_OPT}', '--index-url https://example.com/${VP_EMPTY}', '--pre\u00a0--no-index', '--pre\t--no-index', '--no-binary :all: --only-binary pilotfish', '--only-binary=:all: --no-binary :none:'],
  bad: ['--use-feature=bogus', '--no-binary -x', '--hash=abc', '--no', '--p', '--pr', '--frobnicate', '-x', '-C', '--pre=1', '--index-url', "--hash='sha256:x", '--pre \\', '-C novalue'],
};
const REQUIREMENT_OPTIONS: Table = {
  good: ['--hash=sha256:abc', '--hash sha384:def', '--hash=sha512:', '--hash=${VP_HASH}', '--config-settings=k=v', '-Ck=v', '-C k=v2', '--config-settings=k=a --config-settings=k=b', '--global-option=--no-user-cfg', "--global-option='--a b'", '--pre', '-i https://x', '-e ./proj', '-r inc.txt', '--', '-- --frob', '--hash="sha256:a b"', '--hash=sha256:abc\u00a0--pre'],
  bad: ['--hash=abc', '--hash=md5:abc', '--hash=SHA256:abc', '--config-settings=kv', '--frob', "--hash='sha256:x", '\\', '--hash\t=sha256:abc'],
};
const INCLUDES: Table = {
  good: ['-r inc.txt', '-c con.txt', '--requirement=inc.txt', '-rinc.txt', '--constraint con.txt', '-r file://@DIR@/inc.txt', '-r FILE://@DIR@/inc.txt', '-r file://localhost@DIR@/inc.txt', '-r file:@DIR@/inc.txt', '-r file://@DIR@/in%63.txt#x', '-r ./sub/../inc.txt', '-r inc.txt -c con.txt', '-c con.txt -r inc.txt', '-r inc.txt --pre', '-c con.txt -e ./proj', '-r @DIR@/inc.txt'],
  bad: ['-r missing.txt', '-r file:inc.txt', '-r file://example.com@DIR@/inc.txt', '-r file:////@DIR@/inc.txt', '-r ${VP_UNSET}', '-r nosuch/../inc.txt', '-r sub'],
};
const COMMENTS = [' # comment', '  #c', '\t#c', '#notacomment', '\u00a0#c', '\x1f#c', ' #c \\', '\uFEFF#c', '\u2003# c'];
const COMMENT_LINES = ['# comment', '  # comment \\', '#', '\t#x', '\u00a0# x', '#\\', '# -r missing.txt'];
const ODD_SPACES = ['  ', '\t', '\u00a0', '\u2003', '\u3000', '\x1f', '\u205f', '\uFEFF', '\u200b'];
const BREAKS = ['\n', '\n', '\n', '\n', '\r\n', '\r', '\f', '\v', '\x1c', '\x1d', '\x1e', '\x85', '\u2028', '\u2029'];

/** One generated requirements-file line, before {@link decorate}. */
function generateLine(rng: Rng): string {
  const withOptions = (line: string): string => (rng.chance(0.3) ? `${line} ${Array.from({ length: 1 + rng.int(2) }, () => rng.from(REQUIREMENT_OPTIONS)).join(' ')}` : line);
  switch (rng.int(12)) {
    case 0:
    case 1:
    case 2:
      return withOptions(`${rng.from(NAMES)}${rng.from(EXTRAS)}${rng.from(SPECIFIERS)}${rng.from(MARKERS)}`);
    case 3:
      return withOptions(`${rng.from(NAMES)}${rng.from(EXTRAS)}${rng.pick([' @ ', '@', ' @', '@ ', ' @\u00a0'])}${rng.from(URLS)}${rng.from(URL_MARKERS)}`);
    case 4:
      return withOptions(`${rng.from(BARE_URLS)}${rng.from(EGGS)}${rng.from(URL_MARKERS)}`);
    case 5:
      return withOptions(`${rng.from(VCS_URLS)}${rng.from(EGGS)}${rng.from(URL_MARKERS)}`);
    case 6:
      return withOptions(`${rng.from(LOCAL_PATHS)}${rng.chance(0.2) ? rng.from(MARKERS) : ''}`);
    case 7: {
      const line = `${rng.pick(EDITABLE_FLAGS)}${rng.from(EDITABLES)}`;
      return rng.chance(0.3) ? `${line} ${rng.from(rng.chance(0.5) ? REQUIREMENT_OPTIONS : OPTIONS)}` : line;
    }
    case 8:
    case 9:
      return Array.from({ length: 1 + rng.int(3) }, () => rng.from(OPTIONS)).join(rng.pick([' ', ' ', '  ', '\t']));
    case 10:
      return rng.from(INCLUDES);
    default:
      return rng.chance(0.5) ? rng.pick(COMMENT_LINES) : rng.pick(['${VP_LINE}', '${VP_SPACE}', '${VP_REF}', '${VP_DOLLAR}', '${VP_OPT} --no-index', '${VP_NAME}==1.0 ${VP_NAME}', 'pilotfish --hash=${VP_HASH} --hash=${VP_HASH}', '', '${VP_COMMENT}', '${VP_CONT}', '\\', '\\\\', 'requests -e ./missing', 'https://example.com/p.tar.gz ;python_version<"3"', '-r nested.txt', '-c nested.txt', '--global-option "a b" pilotfish']);
  }
}

/** Odd whitespace, a comment, a continuation: what makes a line a file format's problem. */
function decorate(rng: Rng, line: string): string {
  let text = line;
  const aSpace = (): number => rng.pick([...text.matchAll(/ /g)].map((m) => m.index));
  if (rng.chance(0.15)) text = `${rng.pick(ODD_SPACES)}${text}`;
  if (rng.chance(0.15)) text = `${text}${rng.pick(ODD_SPACES)}`;
  if (rng.chance(0.1) && text.includes(' ')) {
    const at = aSpace();
    text = `${text.slice(0, at)}${rng.pick(ODD_SPACES)}${text.slice(at + 1)}`;
  }
  if (rng.chance(0.2)) text += rng.pick(COMMENTS);
  if (rng.chance(0.15) && text.includes(' ')) {
    // A continuation at one of the spaces, the next line indented or not.
    const at = aSpace();
    text = `${text.slice(0, at)}${rng.pick([' \\', '\\', ' \\\\'])}${rng.pick(BREAKS)}${rng.pick(['', '  ', '\t', '\\'])}${text.slice(at + 1)}`;
  }
  if (rng.chance(0.05)) text += rng.pick([' \\', '\\']);
  return text;
}

/** A generated file: one to three lines, any line breaks between them. */
function generateFile(rng: Rng, dir: string): string {
  const lines = Array.from({ length: rng.pick([1, 1, 1, 2, 2, 3]) }, () => decorate(rng, generateLine(rng)));
  let text = '';
  lines.forEach((line, i) => {
    text += line;
    if (i < lines.length - 1 || rng.chance(0.7)) text += rng.pick(BREAKS);
  });
  if (rng.chance(0.02)) text = `\uFEFF${text}`;
  return text.replaceAll('@DIR@', dir);
}

/**
 * The PEP 508 strings a file holds whose validity is pep508.ts's to decide, each as a
 * requirements file of its own: every specifier (`pilotfish<specifier>`), marker
 * (`pilotfish;<marker>`) and wheel version (`pilotfish==<version>`) of a requirement, and what
 * follows the name in an `#egg=` fragment (as the fragment of a URL of its own, where pip reads it
 * as one requirement string), found in the file's logical lines as pip splits them. A file whose
 * verdicts differ, and that holds one on which pep508.ts and pip's packaging 21.3 differ, is
 * pep508.ts's difference.
 */
function pep508Probes(text: string, env: Readonly<Record<string, string>>): string[] {
  const probes: string[] = [];
  const afterName = (req: string): string => /^[\s\uFEFF]*[A-Za-z0-9][A-Za-z0-9._-]*[\s\uFEFF]*(?:\[[^\]]*\])?(.*)$/su.exec(req)?.[1] ?? '';
  const requirement = (req: string): void => {
    const cut = req.indexOf(';');
    const marker = cut < 0 ? '' : req.slice(cut + 1);
    if (marker.trim()) probes.push(`pilotfish;${marker}`);
    const spec = afterName(cut < 0 ? req : req.slice(0, cut));
    if (/^[<>=!~(]/.test(spec.trim())) probes.push(`pilotfish${spec}`);
  };
  const eggs = (where: string): void => {
    for (const [, egg] of where.matchAll(/[#&]egg=([^&]*)/g)) {
      const rest = afterName(egg as string);
      // `name @ URL` in a fragment is no specifier or marker: its URL is the file format's to check.
      if (rest.trim() && !rest.trim().startsWith('@')) probes.push(`https://example.com/p.tar.gz#egg=pilotfish${rest}`);
    }
  };
  for (const { text: line } of logicalLines(text, env)) {
    const tokens = line.split(' ');
    const firstOption = tokens.findIndex((t) => t.startsWith('-'));
    const args = (firstOption < 0 ? tokens : tokens.slice(0, firstOption)).join(' ');
    requirement(args);
    eggs(args);
    // An editable's fragment as optparse gets it: after shlex.
    const words = shellSplit(firstOption < 0 ? '' : tokens.slice(firstOption).join(' '));
    if (typeof words !== 'string') for (const word of words) eggs(word);
    for (const [, version] of line.matchAll(/[^/\s-]+-([^/\s-]*)-(?:\d[^-/]*-)?[^/\s-]+-[^/\s-]+-[^/\s-]+\.whl/g)) probes.push(`pilotfish==${(version as string).replace(/_/g, '-')}`);
  }
  return probes;
}

/**
 * Where we differ from pip on purpose. Each is a predicate on a generated file's text, with the
 * reason; a disagreement it matches is counted, not failed.
 */
const DELIBERATE: readonly { readonly reason: string; readonly matches: (text: string) => boolean }[] = [
  {
    reason:
      'a `name @ URL` whose URL starts with a control character (U+0000 to U+001F but tab, LF, CR): packaging 21.3 takes everything after `@` up to a space as the URL, and urlsplit drops leading controls, so pip accepts it; pep508.ts wants the URL to start with its scheme. The PEP 508 grammar is pep508.ts\'s; no real file has one',
    matches: (text) => /@[ \t]*[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(text),
  },
];

/**
 * Where we differ from pip on purpose in ways the generator never writes (the network, the
 * machine's limits, a hang): listed here so that the full list lives in one place, and printed
 * with each run.
 */
const DELIBERATE_NOT_GENERATED: readonly string[] = [
  'an http(s): include is never fetched (an error item); pip downloads it',
  'an include cycle is an error item; pip recurses until Python\'s recursion limit',
  'a file over 10 MiB and a set of more than 1,000 files are refused, a FIFO or device is never opened; pip reads whatever it is given',
  'UTF-32 and codecs read.ts cannot map exactly onto a decoder are refused; pip decodes them (and reads UTF-32 LE as UTF-16)',
  'a file: URL include is decoded as auto_decode decodes files (byte-order mark, coding line, locale); pip takes requests\' guess (chardet), which ignores coding lines',
  'an include inside a file reached through a file: URL resolves `..` as for any path (the kernel\'s way); pip urljoins it to that URL, which drops `..` textually',
  'a bare `file:` URL with `../` keeps its text as the item\'s url; pip replaces the link by the file: URL of the normalised path (the verdict and the path read are the same)',
];

describe('requirements parser against pip 23.2.1 on generated files', () => {
  let ask: (files: readonly OracleInput[]) => Promise<PipVerdict[]>;
  before(async () => {
    if (!noOracle) ask = await pipOracle();
  });

  it(`decides ${CASES} generated files as pip does (seed ${SEED}; REQUIREMENTS_DIFF_SEED replays it)`, { skip: noOracle, timeout: 120_000 }, async (t) => {
    t.diagnostic(`seed ${SEED}, ${CASES} files`);
    const rng = random(SEED);
    const dir = tempDir();
    for (const [name, content] of Object.entries(FILES)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), content);
    }
    const env = Object.fromEntries(Object.entries(ENV).flatMap(([k, v]) => (v === null ? [] : [[k, v]])));
    const cases = Array.from({ length: CASES }, () => {
      const text = generateFile(rng, dir);
      return { text, probes: pep508Probes(text, env) };
    });
    const probes = [...new Set(cases.flatMap((c) => c.probes))];
    const files = [...cases.map((c) => c.text), ...probes.map((p) => `${p}\n`)].map((text, i) => {
      const file = path.join(dir, `case-${String(i).padStart(5, '0')}.txt`);
      writeFileSync(file, text);
      return file;
    });
    const pip = await ask(files.map((file) => ({ file, cwd: dir, env: ENV })));
    const verdicts = files.map((file, i) => {
      // pip decodes by the locale it runs in, which is this process's.
      const items = parseRequirementsFile(file, { env: { ...env, LC_ALL: process.env.LC_ALL, LC_CTYPE: process.env.LC_CTYPE, LANG: process.env.LANG, PYTHONUTF8: process.env.PYTHONUTF8 } }).items;
      const theirs = pipSummary(pip[i] as PipVerdict, items);
      const ours = ourSummary(items, dir);
      return { same: JSON.stringify(theirs) === JSON.stringify(ours), theirs, ours, error: (pip[i] as { error?: string }).error, items };
    });
    // A probe pep508.ts decides otherwise than packaging 21.3 marks the cases that hold it.
    const contested = new Set(probes.filter((_, i) => !verdicts[cases.length + i]?.same));
    const show = (i: number, oneLine = false): string => {
      const v = verdicts[i] as (typeof verdicts)[number];
      const [newLine, between] = oneLine ? [' ', ' | '] : ['\n', '\n        '];
      const pipError = v.error ? ` (${v.error.split('\n')[0]})` : '';
      const ourError = v.ours[0] === 'ERR' ? ` (${v.items.find((it) => it.kind === 'error')?.message})` : '';
      return `${JSON.stringify(cases[i]?.text ?? probes[i - cases.length])}${newLine}  pip:  ${v.theirs.join(between)}${pipError}${newLine}  ours: ${v.ours.join(between)}${ourError}`;
    };
    const pep508: string[] = [];
    const deliberate = new Map<string, number>();
    const failures: string[] = [];
    cases.forEach((c, i) => {
      if (verdicts[i]?.same) return;
      const reason = DELIBERATE.find((d) => d.matches(c.text))?.reason;
      if (reason) deliberate.set(reason, (deliberate.get(reason) ?? 0) + 1);
      else if (c.probes.some((p) => contested.has(p))) pep508.push(show(i));
      else failures.push(show(i));
    });
    const accepted = cases.filter((_, i) => pip[i]?.ok).length;
    const compared = verdicts.slice(0, cases.length).reduce((n, v) => n + (v.theirs[0] === 'ERR' ? 0 : v.theirs.length), 0);
    t.diagnostic(`pip accepts ${accepted} of the files (${compared} requirements and option lines compared part by part) and rejects ${cases.length - accepted}; ${probes.length} specifiers, markers and versions probed alone`);
    const agreed = cases.length - pep508.length - failures.length - [...deliberate.values()].reduce((a, b) => a + b, 0);
    t.diagnostic(`${cases.length} generated files: ${agreed} decided as pip does (${((100 * agreed) / cases.length).toFixed(1)}%); ${pep508.length} differ through a specifier, version or marker pep508.ts decides otherwise than pip's packaging 21.3 (excluded); ${[...deliberate.values()].reduce((a, b) => a + b, 0)} deliberate; ${failures.length} other`);
    probes.forEach((probe, i) => {
      if (contested.has(probe)) t.diagnostic(`pep508.ts differs from pip's packaging 21.3 on ${show(cases.length + i, true)}`);
    });
    for (const [reason, count] of deliberate) t.diagnostic(`deliberate (${count}): ${reason}`);
    for (const reason of DELIBERATE_NOT_GENERATED) t.diagnostic(`deliberate, not generated: ${reason}`);
    if (process.env.REQUIREMENTS_DIFF_VERBOSE && pep508.length) t.diagnostic(`excluded:\n${pep508.join('\n')}`);
    assert.deepEqual(failures.slice(0, 30), [], `${failures.length} files decided otherwise than pip`);
  });
});
