/**
 * The requirements parser against hostile files: special files, huge files, include fan-out,
 * other encodings and huge lines. Real files in temporary folders. A case that could hang or
 * crash Node runs the parser in a child process with a deadline, so it fails instead.
 */
import assert from 'node:assert/strict';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { run } from '../../src/core/leaves/process';
import { MAX_EXPANDED_ITEMS, parseRequirementsFile, parseRequirementSet, type ParsedRequirements, type RequirementsItem } from '../../src/core/leaves/requirements/parser';
import { decodeRequirementsBytes, localeEncoding, MAX_REQUIREMENTS_FILE_BYTES, readRequirementsFile } from '../../src/core/leaves/requirements/read';
import { tempDir } from '../fixtures/machine';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const PARSER = path.join(REPO, 'src', 'core', 'leaves', 'requirements', 'parser.ts');
const MiB = 1024 * 1024;

/** parseRequirementSet(roots, {}) in a child Node: a hang or a crash there fails the test, not the run. */
async function parseApart(roots: readonly string[], signal: AbortSignal): Promise<ParsedRequirements> {
  const script = `import { parseRequirementSet } from ${JSON.stringify(PARSER)};\nprocess.stdout.write(JSON.stringify(parseRequirementSet(${JSON.stringify(roots)}, {})));`;
  const { stdout } = await run([process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, timeoutMs: 8_000, signal });
  return JSON.parse(stdout) as ParsedRequirements;
}

const errors = (items: readonly RequirementsItem[]): { file: string; line: number; message: string }[] =>
  items.flatMap((i) => (i.kind === 'error' ? [{ file: path.basename(i.range.file), line: i.range.startLine, message: i.message }] : []));
const names = (items: readonly RequirementsItem[]): (string | undefined)[] => items.flatMap((i) => (i.kind === 'requirement' ? [i.name] : []));

/** Writes files (name -> text or bytes) under a fresh folder and returns the folder. */
function folderWith(files: Record<string, string | Uint8Array>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

describe('requirements files that are not plain text files', () => {
  it('reports an included FIFO at the include line and never opens it', { timeout: 10_000 }, async (t) => {
    const dir = folderWith({ 'requirements.txt': 'requests\n-r pipe\nflask\n' });
    await run(['mkfifo', path.join(dir, 'pipe')]);
    const { items, files } = await parseApart([path.join(dir, 'requirements.txt')], t.signal);
    assert.deepEqual(errors(items), [{ file: 'requirements.txt', line: 1, message: 'Could not open requirements file: pipe is not a regular file (a FIFO)' }]);
    assert.deepEqual(names(items), ['requests', 'flask']);
    assert.deepEqual(files, [path.join(dir, 'requirements.txt')]);
  });

  it('reports /dev/zero, as a root or as an include, without reading it', { timeout: 10_000 }, async (t) => {
    const dir = folderWith({ 'requirements.txt': '-r /dev/zero\nrequests\n' });
    const { items } = await parseApart(['/dev/zero', path.join(dir, 'requirements.txt')], t.signal);
    assert.deepEqual(errors(items), [
      { file: 'zero', line: 0, message: 'Could not open requirements file: /dev/zero is not a regular file (a character device)' },
      { file: 'requirements.txt', line: 0, message: 'Could not open requirements file: /dev/zero is not a regular file (a character device)' },
    ]);
    assert.deepEqual(names(items), ['requests']);
  });

  it('reports a directory given as an include', () => {
    const dir = folderWith({ 'requirements.txt': '-r sub\n', 'sub/x.txt': 'requests\n' });
    assert.deepEqual(errors(parseRequirementsFile(path.join(dir, 'requirements.txt')).items), [{ file: 'requirements.txt', line: 0, message: 'Could not open requirements file: sub is not a regular file (a directory)' }]);
  });

  it('refuses files over 10 MiB with their size, as a root or as an include', { timeout: 10_000 }, () => {
    const dir = folderWith({ 'requirements.txt': 'requests\n-r big.txt\n', 'big.txt': '' });
    // Sparse: 11 MiB of NUL bytes that take no disk.
    truncateSync(path.join(dir, 'big.txt'), 11 * MiB);
    const { items, files } = parseRequirementSet([path.join(dir, 'big.txt'), path.join(dir, 'requirements.txt')]);
    assert.deepEqual(errors(items), [
      { file: 'big.txt', line: 0, message: `Could not open requirements file: ${path.join(dir, 'big.txt')} is 11.0 MiB; requirements files over 10 MiB are refused` },
      { file: 'requirements.txt', line: 1, message: 'Could not open requirements file: big.txt is 11.0 MiB; requirements files over 10 MiB are refused' },
    ]);
    assert.deepEqual(names(items), ['requests']);
    // A regular file the set names stays in `files` (watchers and the sync stamp follow it), unread.
    assert.deepEqual(files, [path.join(dir, 'big.txt'), path.join(dir, 'requirements.txt')]);
  });

  it('reports a missing root and a missing include in the same words', () => {
    const dir = folderWith({ 'requirements.txt': '-r nope.txt\n' });
    const { items, files } = parseRequirementSet([path.join(dir, 'gone.txt'), path.join(dir, 'requirements.txt')]);
    assert.deepEqual(errors(items), [
      { file: 'gone.txt', line: 0, message: `Could not open requirements file: ${path.join(dir, 'gone.txt')} (no such file)` },
      { file: 'requirements.txt', line: 0, message: 'Could not open requirements file: nope.txt (no such file)' },
    ]);
    assert.deepEqual(files, [path.join(dir, 'gone.txt'), path.join(dir, 'requirements.txt')], 'roots are always listed');
  });
});

describe('requirements includes', () => {
  it('parses 31 files that each include the next twice in linear time, with the items of one inclusion each (2^31 repeats are too many)', { timeout: 10_000 }, async (t) => {
    const files: Record<string, string> = { 'f31.txt': 'requests==2.31.0\n' };
    for (let i = 0; i < 31; i++) files[`f${i}.txt`] = `-r f${i + 1}.txt\n-r f${i + 1}.txt\n`;
    const dir = folderWith(files);
    const started = Date.now();
    const parsed = await parseApart([path.join(dir, 'f0.txt')], t.signal);
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
    assert.deepEqual(errors(parsed.items), []);
    assert.deepEqual(names(parsed.items), ['requests']);
    assert.equal(parsed.items.filter((i) => i.kind === 'include').length, 62, 'every include line is an item');
    assert.deepEqual(parsed.files.map((f) => path.basename(f)), Array.from({ length: 32 }, (_, i) => `f${i}.txt`));
  });

  it('reads a file included twice once, and repeats its items where pip re-reads it', () => {
    const dir = folderWith({
      'requirements.txt': '-r a.txt\n-r b.txt\n-c common.txt\n',
      'a.txt': '-r common.txt\nflask\n',
      'b.txt': '-r common.txt\nclick\n',
      'common.txt': 'requests\n',
    });
    const { items, files } = parseRequirementsFile(path.join(dir, 'requirements.txt'));
    assert.deepEqual(errors(items), []);
    // pip 23.2.1 yields requests, flask, requests, click, requests (a constraint): the same.
    assert.deepEqual(items.flatMap((i) => (i.kind === 'requirement' ? [`${i.name}${i.constraint ? ' (constraint)' : ''}`] : [])), ['requests', 'flask', 'requests', 'click', 'requests (constraint)']);
    assert.deepEqual(files.map((f) => path.basename(f)), ['requirements.txt', 'a.txt', 'common.txt', 'b.txt']);
    const [first, again] = items.filter((i) => i.kind === 'requirement' && !i.constraint && i.name === 'requests');
    assert.equal(first, again, 'the same item, not a second parse');
  });

  it(`repeats a twice-included file's items while the whole stays within ${MAX_EXPANDED_ITEMS} items, and gives them once past it`, { timeout: 10_000 }, () => {
    const lines = (n: number): string => Array.from({ length: n }, (_, i) => `pkg${i}\n`).join('');
    // Two include items, plus the included file's items twice.
    const within = (MAX_EXPANDED_ITEMS - 2) / 2;
    const dir = folderWith({ 'within.txt': '-r a.txt\n-r a.txt\n', 'past.txt': '-r b.txt\n-r b.txt\n', 'a.txt': lines(within), 'b.txt': lines(within + 1) });
    assert.equal(parseRequirementsFile(path.join(dir, 'within.txt')).items.length, MAX_EXPANDED_ITEMS);
    assert.equal(parseRequirementsFile(path.join(dir, 'past.txt')).items.length, 2 + within + 1);
  });

  it('still reports include cycles through a shared file', () => {
    const dir = folderWith({ 'a.txt': '-r b.txt\n-r c.txt\n', 'b.txt': '-r c.txt\n', 'c.txt': '-r b.txt\nrequests\n' });
    const { items } = parseRequirementsFile(path.join(dir, 'a.txt'));
    // c.txt is parsed once, under a.txt -> b.txt, and given again as it was.
    const cycle = { file: 'c.txt', line: 0, message: 'Include cycle: a.txt -> b.txt -> c.txt -> b.txt' };
    assert.deepEqual(errors(items), [cycle, cycle]);
    assert.deepEqual(names(items), ['requests', 'requests']);
  });

  it('stops following includes after 1,000 distinct files, at the include that would read one more', { timeout: 10_000 }, () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 1_001; i++) files[`f${i}.txt`] = `-r f${i + 1}.txt\npkg${i}\n`;
    const dir = folderWith(files);
    const { items, files: read } = parseRequirementsFile(path.join(dir, 'f0.txt'));
    assert.deepEqual(errors(items), [{ file: 'f999.txt', line: 0, message: 'Too many requirements files: f1000.txt would be file 1001 of this set; venv-pilot follows at most 1000' }]);
    assert.equal(read.length, 1_000);
    assert.equal(names(items).length, 1_000);
  });
});

describe('requirements file encodings (pip: auto_decode)', () => {
  const utf16le = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const utf16be = (text: string): Buffer => Buffer.from(utf16le(text)).swap16();

  it('reads UTF-16 files with a byte-order mark, either byte order, roots and includes', () => {
    const dir = folderWith({ 'requirements.txt': utf16le('--no-index\r\n-r be.txt\r\nrequests==2.31.0  # caf\u00e9\r\n'), 'be.txt': utf16be('flask\n') });
    const { items } = parseRequirementsFile(path.join(dir, 'requirements.txt'));
    assert.deepEqual(errors(items), []);
    assert.deepEqual(items.map((i) => i.kind), ['option', 'include', 'requirement', 'requirement']);
    assert.deepEqual(names(items), ['flask', 'requests']);
    assert.deepEqual(items[2]?.range, { file: path.join(dir, 'be.txt'), startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 5 });
  });

  it('follows a coding declaration in the first two lines, else the locale, else UTF-8', () => {
    const latin1 = Buffer.from('requests  # caf\u00e9\n', 'latin1');
    const dir = folderWith({
      'declared.txt': Buffer.concat([Buffer.from('#!/not/a/shebang\n# -*- coding: latin-1 -*-\n'), latin1]),
      'third-line.txt': Buffer.concat([Buffer.from('\n\n# -*- coding: latin-1 -*-\n'), latin1]),
      'plain.txt': latin1,
      'unknown.txt': '# coding=klingon\nrequests\n',
      'utf32.txt': Buffer.from([0x00, 0x00, 0xfe, 0xff, 0, 0, 0, 0x61]),
    });
    const parse = (name: string, env: Record<string, string> = {}): ReturnType<typeof errors> => errors(parseRequirementsFile(path.join(dir, name), { env }).items);
    assert.deepEqual(parse('declared.txt'), []);
    assert.deepEqual(parse('plain.txt', { LANG: 'de_DE.ISO-8859-1' }), [], "the locale's codeset");
    assert.deepEqual(parse('plain.txt', { LC_ALL: 'C.UTF-8', LANG: 'de_DE.ISO-8859-1' }), [{ file: 'plain.txt', line: 0, message: `Could not decode requirements file: ${path.join(dir, 'plain.txt')} is not valid UTF-8 (the locale's encoding)` }]);
    assert.deepEqual(parse('third-line.txt'), [{ file: 'third-line.txt', line: 0, message: `Could not decode requirements file: ${path.join(dir, 'third-line.txt')} is not valid utf-8 (the locale's encoding)` }]);
    assert.deepEqual(parse('unknown.txt'), [{ file: 'unknown.txt', line: 0, message: `Could not decode requirements file: ${path.join(dir, 'unknown.txt')} declares the encoding klingon (line 1), which venv-pilot cannot decode` }]);
    assert.deepEqual(parse('utf32.txt'), [{ file: 'utf32.txt', line: 0, message: `Could not decode requirements file: ${path.join(dir, 'utf32.txt')} is in UTF-32-BE (its byte-order mark), which venv-pilot cannot decode; save it as UTF-8` }]);
  });
});

describe('decodeRequirementsBytes and localeEncoding', () => {
  const text = (bytes: number[] | Buffer, fallback?: string): string => {
    const decoded = decodeRequirementsBytes(Buffer.from(bytes), fallback);
    return decoded.ok ? decoded.text : `${decoded.reason} ${decoded.encoding} ${JSON.stringify(decoded.source)}`;
  };

  it('takes a byte-order mark first, and drops it', () => {
    assert.equal(text([0xef, 0xbb, 0xbf, 0x61]), 'a');
    assert.equal(text([0xff, 0xfe, 0x61, 0x00]), 'a');
    assert.equal(text([0xfe, 0xff, 0x00, 0x61]), 'a');
    assert.equal(text([0xef, 0xbb, 0xbf, 0xe9], 'latin-1'), 'undecodable utf-8 {"from":"byte-order mark"}', 'the mark wins over the locale');
    // pip checks FF FE before FF FE 00 00 and misreads UTF-32 LE as UTF-16; we refuse it.
    assert.equal(text([0xff, 0xfe, 0x00, 0x00, 0x61, 0, 0, 0]), 'unsupported-encoding utf-32-le {"from":"byte-order mark"}');
    assert.equal(text([0xff, 0xfe, 0x00, 0xd8, 0x61, 0x00]), 'undecodable utf-16-le {"from":"byte-order mark"}', 'a lone surrogate');
  });

  it('then a coding declaration in a # line among the first two, with Python codec names', () => {
    assert.equal(text(Buffer.from('# coding: latin-1\n\u00e9\n', 'latin1')), '# coding: latin-1\n\u00e9\n');
    assert.equal(text(Buffer.from('x\n#coding=ISO_8859-1\n\u00e9', 'latin1')), 'x\n#coding=ISO_8859-1\n\u00e9');
    assert.equal(text(Buffer.from('# coding: ascii\n\u00e9', 'latin1')), 'undecodable ascii {"from":"declaration","line":1}');
    assert.equal(text([...Buffer.from('# coding: cp1252\n'), 0x80, 0x92, 0xe9]), '# coding: cp1252\n\u20ac\u2019\u00e9');
    assert.equal(text([...Buffer.from('# coding: windows-1252\n'), 0x81]), 'undecodable windows-1252 {"from":"declaration","line":1}', 'a byte cp1252 leaves undefined');
    assert.equal(text([...Buffer.from('# coding: cp1251\n'), 0xc0]), '# coding: cp1251\n\u0410');
    assert.equal(text([...Buffer.from('# coding: shift-jis\n'), 0x82, 0xa0]), '# coding: shift-jis\n\u3042');
    assert.equal(text(Buffer.from('# coding: utf-8-sig\n')), '# coding: utf-8-sig\n');
    // WHATWG reads iso-8859-9 as windows-1254, which Python does not: refused, not misread.
    assert.equal(text(Buffer.from('# coding: iso-8859-9\n')), 'unsupported-encoding iso-8859-9 {"from":"declaration","line":1}');
    assert.equal(text(Buffer.from(' # coding: latin-1\n\u00e9', 'latin1')), 'undecodable utf-8 {"from":"locale"}', 'the line must start with #');
    assert.equal(text(Buffer.from('# coding:\u00a0latin-1\n\u00e9', 'latin1')), 'undecodable utf-8 {"from":"locale"}', "Python's \\s on bytes is ASCII");
  });

  it("then the locale's codeset, else UTF-8", () => {
    assert.equal(text(Buffer.from('\u00e9', 'latin1'), 'ISO-8859-1'), '\u00e9');
    assert.equal(text(Buffer.from('\u00e9', 'latin1')), 'undecodable utf-8 {"from":"locale"}');
    assert.equal(localeEncoding({ LANG: 'de_DE.ISO-8859-1' }, 'linux'), 'ISO-8859-1');
    assert.equal(localeEncoding({ LC_ALL: 'ja_JP.eucJP@euro', LANG: 'de_DE.ISO-8859-1' }, 'linux'), 'eucJP');
    assert.equal(localeEncoding({ LC_CTYPE: 'C' }, 'linux'), 'utf-8', 'Python coerces the C locale to UTF-8');
    assert.equal(localeEncoding({ LANG: 'de_DE.ISO-8859-1', PYTHONUTF8: '1' }, 'linux'), 'utf-8');
    assert.equal(localeEncoding({ LANG: 'de_DE.ISO-8859-1' }, 'win32'), 'utf-8');
  });

  it('reads a file of exactly the limit, and refuses one byte more', () => {
    const dir = folderWith({ 'limit.txt': '', 'over.txt': '' });
    truncateSync(path.join(dir, 'limit.txt'), MAX_REQUIREMENTS_FILE_BYTES);
    truncateSync(path.join(dir, 'over.txt'), MAX_REQUIREMENTS_FILE_BYTES + 1);
    const limit = readRequirementsFile(path.join(dir, 'limit.txt'), {});
    assert.equal(limit.ok && limit.text.length, MAX_REQUIREMENTS_FILE_BYTES);
    assert.deepEqual(readRequirementsFile(path.join(dir, 'over.txt'), {}), { ok: false, reason: 'too-large', bytes: MAX_REQUIREMENTS_FILE_BYTES + 1 });
  });
});

describe('messages that quote requirements files', () => {
  it('strip comments after a million spaces in linear time', { timeout: 10_000 }, async (t) => {
    const dir = folderWith({ 'requirements.txt': `requests${' '.repeat(1_000_000)}# pinned\nflask${'\t'.repeat(1_000_000)}\nclick #${' '.repeat(1_000_000)}x\n` });
    const { items } = await parseApart([path.join(dir, 'requirements.txt')], t.signal);
    assert.deepEqual(errors(items), []);
    assert.deepEqual(names(items), ['requests', 'flask', 'click']);
  });

  it('quote at most 200 characters of the input, then say how much is left out', () => {
    // Twelve half-megabyte lines stay under the 10 MiB limit.
    const long = 'x'.repeat(500_000);
    const lines = [
      `requests ${long}`,
      `${long}=1`,
      `./${long}`,
      `--${long}`,
      `-e ${long}`,
      `-e git+https://h/r.git#egg=${long}!`,
      `https://h/x.whl#egg=${long}!`,
      `-r ${long}.txt`,
      `-r https://h/${long}.txt`,
      `pkg[${long}!]`,
      `pkg; python_version ${long}`,
      `pkg @ ${long}`,
    ];
    const dir = folderWith({ 'requirements.txt': lines.join('\n') + '\n' });
    const found = errors(parseRequirementsFile(path.join(dir, 'requirements.txt')).items);
    assert.deepEqual(found.map((e) => e.line), lines.map((_, i) => i), 'one error per line');
    for (const { line, message } of found) {
      assert.ok(message.length < 700, `line ${line + 1}: a message of ${message.length} characters: ${message.slice(0, 300)}`);
      assert.match(message, /…\(\d{6} more characters\)/, `line ${line + 1}: ${message}`);
    }
  });
});
