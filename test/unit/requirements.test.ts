import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { evaluateMarker, parsePep508 } from '../../src/core/leaves/requirements/pep508';
import { REQUIREMENTS_OPTIONS } from '../../src/core/leaves/requirements/options';
import { logicalLines, parseRequirementsFile, parseRequirementsText, type RequirementsItem } from '../../src/core/leaves/requirements/parser';
import { tempDir } from '../fixtures/machine';
import { oraclePython, pipOracle, type PipVerdict } from '../fixtures/pipOracle';
import { ourSummary, pipSummary } from '../fixtures/requirementsVerdict';

// A copy of shared/data/requirements-corpus (byte for byte, CRLF kept), so a clone anywhere has it.
const CORPUS = path.resolve(import.meta.dirname, '..', 'data', 'requirements-corpus');
const noOracle = !oraclePython() && 'no interpreter here bundles pip 23.2.1, the oracle';

/** Our verdict in pip's terms: OK with the requirements (constraints included), or ERR. */
function verdict(items: readonly RequirementsItem[]): { ok: boolean; count: number; reqs: { name: string | null; specifier: string; constraint: boolean; editable: boolean }[] } {
  const reqs = items.filter((i) => i.kind === 'requirement').map((r) => ({ name: r.name ?? null, specifier: r.specifier, constraint: r.constraint, editable: r.editable }));
  return { ok: !items.some((i) => i.kind === 'error'), count: reqs.length, reqs };
}

/** pip's specifier strings sort the clauses; compare sets. */
const clauses = (s: string): string => s.split(',').filter(Boolean).sort().join(',');

// Each case is a requirements file (and any files it includes); pip 23.2.1 decides the expected outcome.
const CASES: [title: string, text: string, extra?: Record<string, string>][] = [
  ['a bare name', 'requests\n'],
  ['a pinned version', 'requests==2.31.0\n'],
  ['a range', 'requests>=2.0,<3\n'],
  ['spaces around operators', 'requests >= 2.0 , < 3\n'],
  ['compatible release', 'requests~=2.31\n'],
  ['arbitrary equality', 'requests===2.31.0\n'],
  ['exclusion', 'requests!=2.30.0\n'],
  ['a wildcard', 'django==4.2.*\n'],
  ['a local version', 'torch==2.1.2+cu118\n'],
  ['a pre-release', 'black==24.1a1\n'],
  ['a post-release', 'xformers==0.0.23.post1\n'],
  ['a dev release', 'pip==24.1.dev0\n'],
  ['extras', 'requests[socks,security]>=2\n'],
  ['empty extras', 'requests[]\n'],
  ['parenthesised specifier', 'requests (>=2.0)\n'],
  ['a marker', 'pywin32>=300; sys_platform == "win32"\n'],
  ['a marker without a space', 'pywin32>=300;sys_platform=="win32"\n'],
  ['a compound marker', 'tomli; python_version < "3.11" and (platform_system == "Linux" or os_name == "nt")\n'],
  ['a marker with in', 'colorama; "win" in sys_platform\n'],
  ['a marker with not in', 'uvloop; sys_platform not in "win32 cygwin"\n'],
  ['an unknown marker variable', 'foo; color == "red"\n'],
  ['a marker missing its value', 'foo; python_version <\n'],
  ['name @ URL', 'pip @ https://example.com/pip-23.2.1-py3-none-any.whl\n'],
  ['name @ URL ; marker', 'pip @ https://example.com/pip-23.2.1-py3-none-any.whl ; python_version >= "3.8"\n'],
  ['name @ file URL', 'mylib @ file:///tmp/mylib\n'],
  ['a bare wheel URL', 'https://example.com/wheels/pilotfish-1.0.0-py3-none-any.whl\n'],
  ['a bare sdist URL', 'https://example.com/pilotfish-1.0.0.tar.gz\n'],
  ['a VCS URL with egg', 'git+https://github.com/pallets/flask.git@3.0.0#egg=flask\n'],
  ['a VCS URL without egg', 'git+https://github.com/pallets/flask.git\n'],
  ['a VCS URL with egg and version', 'git+https://github.com/x/y.git#egg=y==1.0\n'],
  ['an editable VCS URL with egg', '-e git+https://github.com/pallets/flask.git#egg=flask\n'],
  ['an editable VCS URL without egg', '-e git+https://github.com/pallets/flask.git\n'],
  ['an editable local project', '-e ./proj\n', { 'proj/pyproject.toml': '[project]\nname = "proj"\n' }],
  ['an editable local project with extras', '-e ./proj[dev]\n', { 'proj/setup.py': 'from setuptools import setup\nsetup()\n' }],
  ['an editable path that does not exist', '-e ./missing\n'],
  ['a local project directory', './proj\n', { 'proj/setup.py': 'from setuptools import setup\nsetup()\n' }],
  ['a directory that is not a project', './empty/\n', { 'empty/README': 'x' }],
  ['a local wheel that exists', './dist/pilotfish-1.0.0-py3-none-any.whl\n', { 'dist/pilotfish-1.0.0-py3-none-any.whl': 'x' }],
  ['a local wheel that does not exist', './dist/remora-0.3.0-py3-none-any.whl\n'],
  ['a local sdist', 'pkgs/pilotfish-1.0.0.tar.gz\n'],
  ['a path that is neither', './not-a-thing\n'],
  ['a comment line', '# just a comment\nrequests\n'],
  ['a trailing comment', 'requests==2.31.0  # pinned\n'],
  ['a hash sign without a space', 'requests==2.31.0#notacomment\n'],
  ['a line continuation', 'requests\\\n==2.31.0\n'],
  ['a continuation of options', 'requests==2.31.0 \\\n    --hash=sha256:aaaa \\\n    --hash=sha256:bbbb\n'],
  ['a trailing continuation at the end of the file', 'requests\\\n'],
  ['a comment ending in a backslash', '# comment \\\nrequests\n'],
  ['blank lines and CRLF', '\r\nrequests\r\n\r\nflask\r\n'],
  ['environment variables', 'https://${HOST}/pilotfish-1.0.0-py3-none-any.whl\n'],
  ['an index URL', '-i https://example.com/simple\nrequests\n'],
  ['an index URL with =', '--index-url=https://example.com/simple\nrequests\n'],
  ['an extra index URL', '--extra-index-url https://example.com/simple\nrequests\n'],
  ['no index and find links', '--no-index\n--find-links ./wheels\n-f https://example.com/links\nrequests\n'],
  ['trusted host, pre, prefer-binary', '--trusted-host example.com\n--pre\n--prefer-binary\nrequests\n'],
  ['binary options', '--only-binary :all:\n--no-binary=lxml\nrequests\n'],
  ['require hashes', '--require-hashes\nrequests==2.31.0 --hash=sha256:aaaa\n'],
  ['use-feature', '--use-feature=truststore\nrequests\n'],
  ['an abbreviated long option', '--extra-index https://example.com/simple\nrequests\n'],
  ['an ambiguous abbreviation', '--no https://example.com\nrequests\n'],
  ['an unknown option', '--frobnicate\nrequests\n'],
  ['a removed option', 'requests --install-option="--prefix=/x"\n'],
  ['an option missing its value', 'requests\n--index-url\n'],
  ['config settings per requirement', 'requests --config-settings=key=value\n'],
  ['global option per requirement', 'requests --global-option=--no-user-cfg\n'],
  ['a -r include', '-r base.txt\nflask\n', { 'base.txt': 'requests\nclick\n' }],
  ['a --requirement= include', '--requirement=base.txt\n', { 'base.txt': 'requests\n' }],
  ['a -c constraint', '-c constraints.txt\nrequests\n', { 'constraints.txt': 'requests==2.31.0\nurllib3<2\n' }],
  ['nested includes relative to each file', '-r sub/a.txt\n', { 'sub/a.txt': '-r ../b.txt\nflask\n', 'b.txt': 'requests\n' }],
  ['a missing include', '-r nope.txt\n'],
  ['several requirements on one line', 'requests flask\n'],
  ['a Jinja template line', '{% if x %}\nrequests\n'],
  ['= instead of ==', 'requests=2.31.0\n'],
  ['an invalid version', 'requests==not.a.version!\n'],
  ['an invalid name', '-requests\n'],
  ['unbalanced quotes in options', "requests --hash='sha256:aaaa\n"],
  ['a UTF-8 BOM', '\uFEFFrequests\n'],
];

describe('requirements parser agrees with pip 23.2.1', () => {
  let ask: (files: { file: string; cwd: string }[]) => Promise<PipVerdict[]>;
  before(async () => {
    if (!noOracle) ask = await pipOracle();
  });

  it(`on a table of ${CASES.length} cases from pip's documented format`, { skip: noOracle }, async () => {
    assert.ok(CASES.length >= 60);
    const root = tempDir();
    const files = CASES.map(([, text, extra], i) => {
      const dir = path.join(root, `case-${i}`);
      for (const [name, content] of Object.entries({ ...extra, 'requirements.txt': text })) {
        mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        writeFileSync(path.join(dir, name), content);
      }
      return { file: path.join(dir, 'requirements.txt'), cwd: dir };
    });
    const pip = await ask(files);
    const env = { HOST: 'example.com' };
    const disagreements = CASES.flatMap(([title], i) => {
      const expected = pip[i] as PipVerdict;
      const ours = verdict(parseRequirementsFile(files[i]?.file ?? '', { env }).items);
      const same = expected.ok === ours.ok && (!expected.ok || (expected.count === ours.count && expected.reqs.every((r, j) => r.name?.toLowerCase() === ours.reqs[j]?.name?.toLowerCase() && clauses(r.specifier) === clauses(ours.reqs[j]?.specifier ?? '') && r.editable === ours.reqs[j]?.editable && r.constraint === ours.reqs[j]?.constraint)));
      return same ? [] : [`${title}: pip ${JSON.stringify(expected)} / ours ${JSON.stringify(ours)}`];
    });
    assert.deepEqual(disagreements, []);
  });

  it('on files in other encodings than UTF-8, decoded as pip.utils.encoding.auto_decode does', { skip: noOracle }, async () => {
    const utf16le = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const cases: [title: string, bytes: Buffer][] = [
      ['UTF-16 LE with a BOM', utf16le('--no-index\r\nrequests==2.31.0  # caf\u00e9\r\nflask\r\n')],
      ['UTF-16 BE with a BOM', Buffer.from(utf16le('requests>=2\n-c c.txt\n')).swap16()],
      ['UTF-8 with a BOM and a coding line', Buffer.from('\uFEFF# -*- coding: latin-1 -*-\nrequests  # caf\u00e9\n')],
      ['latin-1 declared on the first line', Buffer.from('# -*- coding: latin-1 -*-\nrequests  # caf\u00e9\n', 'latin1')],
      ['latin-1 declared on the second line', Buffer.from('# header\n# vim: set fileencoding=iso-8859-1 :\nflask  # na\u00efve\n', 'latin1')],
      ['cp1252 declared', Buffer.concat([Buffer.from('# coding: cp1252\nrequests  # '), Buffer.from([0x80, 0x0a])])],
      ['koi8-r declared', Buffer.concat([Buffer.from('# coding=koi8-r\nrequests  # '), Buffer.from([0xf0, 0xd2, 0xc9, 0x0a])])],
      ['latin-1 bytes and no declaration', Buffer.from('requests  # caf\u00e9\n', 'latin1')],
      ['a declaration on the third line', Buffer.from('\n\n# -*- coding: latin-1 -*-\nrequests  # caf\u00e9\n', 'latin1')],
      ['a declaration in a requirement line', Buffer.from('requests  # -*- coding: latin-1 -*- caf\u00e9\n', 'latin1')],
      ['an unknown encoding declared', Buffer.from('# coding: klingon\nrequests\n')],
      ['UTF-16 with an odd byte', Buffer.concat([utf16le('requests\n'), Buffer.from([0x41])])],
    ];
    const root = tempDir();
    const files = cases.map(([, bytes], i) => {
      const dir = path.join(root, `case-${i}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'requirements.txt'), bytes);
      writeFileSync(path.join(dir, 'c.txt'), 'requests<3\n');
      return { file: path.join(dir, 'requirements.txt'), cwd: dir };
    });
    const pip = await ask(files);
    // pip falls back to its locale's encoding: give ours the locale the oracle runs in.
    const env = { LC_ALL: process.env.LC_ALL, LC_CTYPE: process.env.LC_CTYPE, LANG: process.env.LANG, PYTHONUTF8: process.env.PYTHONUTF8 };
    const disagreements = cases.flatMap(([title], i) => {
      const expected = pip[i] as PipVerdict;
      const ours = verdict(parseRequirementsFile(files[i]?.file ?? '', { env }).items);
      const same = expected.ok === ours.ok && (!expected.ok || (expected.count === ours.count && expected.reqs.every((r, j) => r.name === ours.reqs[j]?.name && r.constraint === ours.reqs[j]?.constraint)));
      return same ? [] : [`${title}: pip ${JSON.stringify(expected)} / ours ${JSON.stringify(ours)}`];
    });
    assert.deepEqual(disagreements, []);
    assert.deepEqual(pip.map((v) => v.ok), [true, true, true, true, true, true, true, false, false, false, false, false], 'the cases cover both verdicts');
  });

  it('on all 45 files of the real-world corpus, and on SOURCES.md', { skip: noOracle }, async () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir).sort()) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (/\.(txt|in)$/.test(name)) files.push(file);
      }
    };
    walk(CORPUS);
    assert.equal(files.length, 45);
    const pip = await ask(files.map((file) => ({ file, cwd: path.dirname(file) })));
    const sources = readFileSync(path.join(CORPUS, 'SOURCES.md'), 'utf8');
    files.forEach((file, i) => {
      const expected = pip[i] as PipVerdict;
      const ours = verdict(parseRequirementsFile(file, { env: {} }).items);
      const name = path.relative(CORPUS, file);
      assert.equal(ours.ok, expected.ok, `${name}: pip says ${expected.ok ? 'OK' : (expected as { error: string }).error}`);
      if (expected.ok) assert.equal(ours.count, expected.count, `${name}: requirement count`);
      // The static record, so a broken oracle cannot make this pass.
      const row = new RegExp(`^\\| ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\| (OK (\\d+)|ERR)`, 'm').exec(sources);
      if (row?.[2]) assert.equal(ours.count, Number(row[2]), `${name}: SOURCES.md count`);
      else if (row) assert.equal(ours.ok, false, `${name}: SOURCES.md says ERR`);
    });
  });
});

/** Files every class case finds beside it: a project, a folder that is none, requirements files to include. */
const CLASS_FILES: Record<string, string> = {
  'proj/pyproject.toml': '[project]\nname = "proj"\n',
  'empty/README': 'x',
  'sub/README': 'x',
  'dist/pilotfish-1.0.0-1-py3-none-any.whl': 'x',
  'a.txt': 'alpha\n',
  'b.txt': 'beta\n',
  'c.txt': 'gamma<2\n',
  'd.txt': 'delta<2\n',
  'n.txt': '-r a.txt\ndelta<2\n',
  'sub/local.txt': './proj\n',
};

/** The variables both parsers see in the class cases; VP_UNSET is unset for pip too. */
const CLASS_ENV = { VP_NAME: 'pilotfish', VP_EMPTY: '', VP_REF: '${VP_NAME}', VP_DOLLAR: '$&', VP_OPT: '--pre' };

/**
 * Each known difference from pip, class by class: the file, and the verdict pip 23.2.1 gives
 * (recorded, so that a broken oracle cannot make a case pass). `@DIR@` is the case's folder.
 */
const CLASSES: Record<string, [title: string, text: string, pip: 'OK' | 'ERR'][]> = {
  "lines end where Python's str.splitlines ends them (req_file.preprocess)": [
    ['a form feed', 'requests\fflask\n', 'OK'],
    ['a vertical tab', 'requests\vflask\n', 'OK'],
    ['file, group and record separators', 'requests\x1cflask\x1dclick\x1erich\n', 'OK'],
    ['U+0085', 'requests\x85flask\n', 'OK'],
    ['line and paragraph separators', 'requests\u2028flask\u2029click\n', 'OK'],
    ['a continuation ended by a form feed', 'requests\\\f==2.31.0\n', 'OK'],
    ['a comment line ended by U+2028', '# comment\u2028requests\n', 'OK'],
    ['a trailing comment ended by a vertical tab', 'requests # pinned\vflask\n', 'OK'],
    ['an operator cut by a form feed', 'requests=\f=2.31.0\n', 'ERR'],
    ['U+001F ends no line', 'requests\x1fflask\n', 'ERR'],
  ],
  "whitespace is Python's Unicode whitespace for comments and stripping, ASCII for splitting options": [
    ['a no-break space before a comment', 'requests\u00a0# pinned\n', 'OK'],
    ['U+001F before a comment', 'requests\x1f#c\n', 'OK'],
    ['an ideographic space at both ends', '\u3000requests\u3000\n', 'OK'],
    ['a byte-order mark after the name', 'requests\uFEFF\n', 'ERR'],
    ['a second byte-order mark at the start', '\uFEFF\uFEFFrequests\n', 'ERR'],
    ['a zero-width space', 'requests\u200b\n', 'ERR'],
    ['a no-break space between options', '--pre\u00a0--no-index\n', 'ERR'],
    ['a tab between options', '--pre\t--no-index\n', 'OK'],
    ['a tab before the options of a requirement', 'requests\t--hash=sha256:abc\n', 'ERR'],
    ['an en space as the marker', 'requests;\u2002\n', 'OK'],
  ],
  '--hash takes algo:digest with sha256, sha384 or sha512 (cmdoptions._handle_merge_hash)': [
    ['sha256', 'requests --hash=sha256:abc\n', 'OK'],
    ['no algorithm', 'requests --hash=abc\n', 'ERR'],
    ['md5', 'requests --hash=md5:abc\n', 'ERR'],
    ['an upper-case algorithm', 'requests --hash=SHA256:abc\n', 'ERR'],
    ['an empty digest', 'requests --hash=sha512:\n', 'OK'],
    ['alone on a line, ignored', '--hash=sha256:abc\nrequests\n', 'OK'],
    ['alone on a line without an algorithm', '--hash=abc\n', 'ERR'],
  ],
  '-e lines: options are parsed (and checked), then dropped (req_file.handle_requirement_line)': [
    ['--hash', '-e ./proj --hash=sha256:abc\n', 'OK'],
    ['--config-settings on a VCS URL', '-e git+https://github.com/o/r.git#egg=r --config-settings=k=v\n', 'OK'],
    ['-C', '-e ./proj -Ck=v\n', 'OK'],
    ['--config-settings without =', '-e ./proj --config-settings=kv\n', 'ERR'],
    ['--hash without an algorithm', '-e ./proj --hash=abc\n', 'ERR'],
    ['-r beside -e', '-e ./proj -r nope.txt\n', 'OK'],
    ['two -e: the first', '-e ./proj -e ./missing\n', 'OK'],
    ['--global-option alone on a line', '--global-option=--x\nrequests\n', 'OK'],
    ['a requirement before -e', 'requests -e ./missing\n', 'OK'],
  ],
  'an empty marker is no marker (constructors.parse_req_from_line)': [
    ['name;', 'requests;\n', 'OK'],
    ['name ;', 'requests ;\n', 'OK'],
    ['name==version; and a comment', 'requests==2.31.0;  # pinned\n', 'OK'],
    ['a URL and "; " before options', 'https://example.com/pilotfish-1.0.0-py3-none-any.whl ;  --pre\n', 'OK'],
    ['a path and ;', './proj;\n', 'OK'],
    ['name; and a marker of nothing but a no-break space', 'requests;\u00a0\n', 'OK'],
    ['an invalid marker is still one', 'requests; bogus\n', 'ERR'],
  ],
  '${VAR} is replaced only by a non-empty value (req_file.expand_env_variables)': [
    ['a set variable', '${VP_NAME}==1.0\n', 'OK'],
    ['an empty variable stays as written', 'pilotfish${VP_EMPTY}\n', 'ERR'],
    ['an unset variable stays as written', 'pilotfish${VP_UNSET}\n', 'ERR'],
    ['an empty variable in a URL stays as written', 'pilotfish @ https://example.com/${VP_EMPTY}p.tar.gz\n', 'OK'],
    ['lower-case names are no variables', '${vp_name}\n', 'ERR'],
    ['a value naming a later variable', '${VP_REF} ${VP_NAME}\n', 'ERR'],
    ['a value naming a variable not on the line', '${VP_REF}\n', 'ERR'],
    ['a value with $&', 'https://example.com/${VP_DOLLAR}.tar.gz\n', 'OK'],
    ['none in a comment', 'pilotfish # ${VP_UNSET}\n', 'OK'],
    ['a value that is an option', '${VP_OPT}\n', 'OK'],
  ],
  '#egg= is a whole requirement, marker and specifier included (models.link.Link.egg_fragment)': [
    ['a marker after ;', 'git+https://github.com/o/r.git#egg=r;python_version>"3"\n', 'OK'],
    ['a marker after "; "', 'git+https://github.com/o/r.git#egg=r; python_version>"3"\n', 'OK'],
    ['an invalid marker', 'git+https://github.com/o/r.git#egg=r;bogus\n', 'ERR'],
    ['; and no marker', 'git+https://github.com/o/r.git#egg=r;\n', 'ERR'],
    ['a specifier', 'https://example.com/r.tar.gz#egg=r>=1,<2\n', 'OK'],
    ['-e and a marker whose quotes shlex takes', '-e git+https://github.com/o/r.git#egg=r;python_version>"3"\n', 'ERR'],
    ['-e and a marker in quotes', `-e 'git+https://github.com/o/r.git#egg=r;python_version>"3"'\n`, 'OK'],
  ],
  'a wheel URL is named by its file name, not #egg= (constructors.parse_req_from_line, models.wheel.Wheel)': [
    ['#egg= naming another project', 'https://example.com/pilotfish-1.0.0-py3-none-any.whl#egg=other\n', 'OK'],
    ['an invalid #egg=', 'https://example.com/pilotfish-1.0.0-py3-none-any.whl#egg=-bad\n', 'OK'],
    ['an invalid wheel file name', 'https://example.com/bad.whl#egg=pilotfish\n', 'ERR'],
    ['underscores in name and version', 'https://example.com/x_y-1_0-py3-none-any.whl\n', 'OK'],
    ['.WHL is no wheel: #egg= names it', 'https://example.com/pilotfish-1.0-py3-none-any.WHL#egg=pilotfish\n', 'OK'],
    ['.tar.whl is no wheel', 'https://example.com/x.tar.whl\n', 'OK'],
    ['a quoted file name', 'https://example.com/%70ilotfish-1.0.0-py3-none-any.whl\n', 'OK'],
    ['a local wheel with a build tag', './dist/pilotfish-1.0.0-1-py3-none-any.whl\n', 'OK'],
  ],
  'option lines as optparse and ParsedLine take them (req_file.build_parser, _parse_and_recurse)': [
    ['-r, -c, -r: the first -r only', '-r a.txt -c c.txt -r b.txt\n', 'OK'],
    ['-c, -c: the first -c', '-c c.txt -c d.txt\n', 'OK'],
    ['-- ends the options', '--pre -- --frobnicate\n', 'OK'],
    ['--pypi-url', '--pypi-url https://example.com/simple\n', 'OK'],
    ['-C', 'requests -C k=v\n', 'OK'],
    ['--use-feature with an unknown feature', '--use-feature=bogus\n', 'ERR'],
    ['--no-binary with a value like an option', '--no-binary -x\n', 'ERR'],
    ['an ambiguous prefix', '--p\n', 'ERR'],
    ['a final lone backslash', '--pre \\ #c\n', 'ERR'],
  ],
  'includes: file: URLs and .. as pip opens them, -r and -c whatever includes them (req_file.get_file_content, _parse_and_recurse, network.session.LocalFSAdapter)': [
    ['a file:// URL', '-r file://@DIR@/a.txt\n', 'OK'],
    ['a file: URL without //', '-r file:@DIR@/a.txt\n', 'OK'],
    ['FILE:', '-r FILE://@DIR@/a.txt\n', 'OK'],
    ['a file: URL of another host', '-r file://example.com@DIR@/a.txt\n', 'ERR'],
    ['.. after a folder that does not exist', '-r nosuch/../a.txt\n', 'ERR'],
    ['.. after a folder that exists', '-r sub/../a.txt\n', 'OK'],
    ['-r inside a constraints file reads requirements', '-c n.txt\n', 'OK'],
    ['a relative path in an included file, from the working folder', '-r sub/local.txt\n', 'OK'],
  ],
  'local paths and file: links (constructors._get_url_from_path, parse_editable, utils.urls.url_to_path)': [
    ['-e and .. after a folder that does not exist', '-e nosuch/../proj\n', 'ERR'],
    ['a path and .. after a folder that does not exist, normalised first', 'nosuch/../proj\n', 'OK'],
    ['a file: URL of another host', 'file://example.com/p.zip\n', 'ERR'],
    ['name @ file:/path', 'pilotfish @ file:/tmp/p\n', 'ERR'],
    ['name @ a URL without a host', 'pilotfish @ https:///p\n', 'ERR'],
    ['a folder that is no project', './empty\n', 'ERR'],
    ['-e and empty extras', '-e ./proj[]\n', 'ERR'],
    ['extras after a path, lowered', './proj[Dev]\n', 'OK'],
  ],
};

describe('requirements files, class by class, as pip 23.2.1 reads them', () => {
  const results = new Map<string, string[]>();
  before(async () => {
    if (noOracle) return;
    const ask = await pipOracle();
    const root = tempDir();
    const cases = Object.entries(CLASSES).flatMap(([klass, rows]) => rows.map(([title, text, expected]) => ({ klass, title, text, expected })));
    const files = cases.map(({ text }, i) => {
      const dir = path.join(root, `case-${i}`);
      for (const [name, content] of Object.entries({ ...CLASS_FILES, 'requirements.txt': text.replaceAll('@DIR@', dir) })) {
        mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        writeFileSync(path.join(dir, name), content);
      }
      return { file: path.join(dir, 'requirements.txt'), cwd: dir, env: { ...CLASS_ENV, VP_UNSET: null } };
    });
    const pip = await ask(files);
    cases.forEach(({ klass, title, expected }, i) => {
      const { file, cwd } = files[i] as (typeof files)[number];
      const verdict = pip[i] as PipVerdict;
      const items = parseRequirementsFile(file, { env: CLASS_ENV }).items;
      const [theirs, ours] = [pipSummary(verdict, items), ourSummary(items, cwd)];
      const problems = [
        ...(verdict.ok === (expected === 'OK') ? [] : [`pip now says ${verdict.ok ? 'OK' : `ERR (${verdict.error})`}, not ${expected}`]),
        ...(JSON.stringify(theirs) === JSON.stringify(ours) ? [] : [`pip ${theirs.join(' | ')}${verdict.ok ? '' : ` (${verdict.error.split('\n')[0]})`}; ours ${ours.join(' | ')}${ours[0] === 'ERR' ? ` (${items.find((it) => it.kind === 'error')?.message})` : ''}`]),
      ];
      results.set(klass, [...(results.get(klass) ?? []), ...problems.map((p) => `${title}: ${p}`)]);
    });
  });

  for (const klass of Object.keys(CLASSES)) {
    it(klass, { skip: noOracle }, () => {
      assert.deepEqual(results.get(klass), []);
    });
  }
});

describe('requirements parser details', () => {
  it('gives every item its file and range, continuations spanning lines', () => {
    const items = parseRequirementsText('# top\nrequests==2.31.0 \\\n  --hash=sha256:aaaa\n\n-i https://example.com/simple\n', '/p/requirements.txt');
    assert.deepEqual(items.map((i) => [i.kind, i.range.startLine, i.range.endLine]), [['requirement', 1, 2], ['option', 4, 4]]);
    const [req, option] = items;
    assert.equal(req?.kind === 'requirement' && req.hashes[0], 'sha256:aaaa');
    assert.equal(option?.kind === 'option' && option.value, 'https://example.com/simple');
    assert.equal(req?.range.file, '/p/requirements.txt');
  });

  it('reuses parsed lines from a cache, with the ranges of where they stand now', () => {
    const lineCache = new Map<string, readonly RequirementsItem[]>();
    const before = parseRequirementsText('requests==2.31.0\nflask\n', '/p/r.txt', { lineCache });
    assert.equal(lineCache.size, 2);
    const after = parseRequirementsText('# added\nrequests==2.31.0\nflask\n', '/p/r.txt', { lineCache });
    assert.deepEqual(after.map((i) => [i.kind === 'requirement' && i.name, i.range.startLine]), [['requests', 1], ['flask', 2]]);
    assert.deepEqual({ ...after[0], range: undefined }, { ...before[0], range: undefined }, 'the same item, moved');
  });

  it('detects include cycles instead of recursing forever', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.txt'), '-r b.txt\nrequests\n');
    writeFileSync(path.join(dir, 'b.txt'), '-r a.txt\nflask\n');
    const { items, files } = parseRequirementsFile(path.join(dir, 'a.txt'));
    assert.deepEqual(files.map((f) => path.basename(f)), ['a.txt', 'b.txt']);
    assert.deepEqual(items.filter((i) => i.kind === 'error').map((i) => (i as { message: string }).message), ['Include cycle: a.txt -> b.txt -> a.txt']);
    assert.deepEqual(items.filter((i) => i.kind === 'requirement').map((i) => (i as { name: string }).name), ['flask', 'requests']);
  });

  it('says what kind of problem each error is, so no caller reads it out of the message', () => {
    const dir = tempDir();
    const cases: [line: string, code: string, option?: string][] = [
      ['requests >= 1.0 <= 2', 'invalid-specifier'],
      ['requests>=1.0]', 'invalid-specifier'],
      ['requests; python_version ~ "3"', 'invalid-marker'],
      ['-e git+https://x/y#egg=foo;os_name=="nt" or', 'invalid-marker'],
      ['requests[', 'invalid-requirement'],
      ['./not-a-project', 'invalid-requirement'],
      ['--hsah=sha256:00', 'unknown-option', '--hsah'],
      ['requests -x', 'unknown-option', '-x'],
      ['--index', 'syntax'],
      ['--hash=md5:00', 'syntax'],
      ['-i "unclosed', 'syntax'],
      ['-r missing.txt', 'include'],
    ];
    for (const [line, code, option] of cases) {
      writeFileSync(path.join(dir, 'r.txt'), `${line}\n`);
      const { items } = parseRequirementsFile(path.join(dir, 'r.txt'), { env: {} });
      const errors = items.filter((i) => i.kind === 'error');
      assert.deepEqual(errors.map((e) => [e.code, e.option]), [[code, option]], line);
    }
  });

  it('reads every option of its one option table, long, short and as an old spelling', () => {
    for (const option of REQUIREMENTS_OPTIONS) {
      const value = option.flag ? '' : option.name === '--hash' ? '=sha256:00' : option.name === '--config-settings' ? '=k=v' : option.name === '--use-feature' ? '=truststore' : option.name === '--editable' ? '=git+https://example.com/y#egg=y' : '=x';
      const spellings = [option.name, ...(option.aliases ?? [])].map((s) => `${s}${value}`);
      if (option.short) spellings.push(`${option.short}${value.slice(1)}`);
      for (const spelling of spellings) {
        const items = parseRequirementsText(option.perRequirement ? `requests ${spelling}\n` : `${spelling}\n`, '/p/r.txt');
        assert.ok(!items.some((i) => i.kind === 'error'), `${spelling}: ${JSON.stringify(items)}`);
      }
    }
  });

  it('leaves ${VAR} alone when the variable is unset, and expands it when set', () => {
    assert.deepEqual(logicalLines('x @ https://${TOKEN}@h/x.whl\n', {}).map((l) => l.text), ['x @ https://${TOKEN}@h/x.whl']);
    assert.deepEqual(logicalLines('x @ https://${TOKEN}@h/x.whl\n', { TOKEN: 't0k' }).map((l) => l.text), ['x @ https://t0k@h/x.whl']);
  });

  it('evaluates markers against an interpreter environment', () => {
    const env = { python_version: '3.12', python_full_version: '3.12.1', sys_platform: 'linux', platform_system: 'Linux', os_name: 'posix', implementation_name: 'cpython', platform_machine: 'x86_64' };
    assert.equal(evaluateMarker('python_version < "3.11"', env), false);
    assert.equal(evaluateMarker('python_version >= "3.8" and sys_platform == "linux"', env), true);
    assert.equal(evaluateMarker('sys_platform == "win32" or (os_name == "posix" and "86" in platform_machine)', env), true);
    assert.equal(evaluateMarker('python_full_version != "3.12.1"', env), false);
    assert.equal(evaluateMarker('nonsense ==', env), undefined);
    assert.deepEqual(parsePep508('Flask_Login[a, b] >=1 ; python_version>"3"'), { ok: true, requirement: { name: 'Flask_Login', normalizedName: 'flask-login', extras: ['a', 'b'], specifier: '>=1', marker: 'python_version>"3"' } });
  });

  it('survives 10,000 generated inputs: no throw, no hang, ranges inside the text', () => {
    const pieces = ['requests', 'flask', '==', '>=', '<', '~=', '1.0', '2.*', '[', ']', ',', ';', ' ', '  ', '\t', '\n', '\r\n', '\\', '#', '-r', '-c', '-e', '-i', '--hash', '=', 'sha256:ab', '--index-url', '--pre', '"', "'", '(', ')', '@', 'https://h/x.whl', 'git+https://h/r.git', '#egg=', 'python_version', 'and', 'or', 'in', '${VAR}', '.', '/', './x', '\u00e9', '\uFEFF', '{%', '%}'];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 6 })), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const items = parseRequirementsText(text, '/virtual/requirements.txt', { env: { VAR: 'v' } });
        const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).length;
        return items.every((i) => i.range.startLine <= i.range.endLine && i.range.endLine < lines);
      }),
      { numRuns: 10_000 },
    );
  });
});
