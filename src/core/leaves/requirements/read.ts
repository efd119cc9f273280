/**
 * Reading a requirements file as pip would, minus what would hang or exhaust us: only regular
 * files are opened, their size is bounded, and bytes are decoded as pip's `auto_decode`
 * (pip/_internal/utils/encoding.py) decodes them. The parser reads every file, root or include,
 * through {@link readRequirementsFile}, and so should anything else that reads a requirements
 * file. Nothing here throws on user content: failures are values.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

/**
 * The largest requirements file read, in bytes (10 MiB). Real files, even hash-pinned lock
 * files with thousands of lines, stay well under 1 MiB; anything larger is a mistake or an
 * attack, and parsing it whole would stall the language server on every keystroke. pip itself
 * has no limit.
 */
export const MAX_REQUIREMENTS_FILE_BYTES = 10 * 1024 * 1024;

/** Where the encoding came from, in pip's order of precedence. */
export type EncodingSource = { readonly from: 'byte-order mark' } | { readonly from: 'declaration'; readonly line: number } | { readonly from: 'locale' };

/** Why a requirements file gave no text. `bytes` is the size (for a file that grew while read, the bytes read so far); `line` is 1-based. */
export type ReadFailure =
  | { readonly reason: 'missing' }
  | { readonly reason: 'unreadable'; readonly code: string }
  | { readonly reason: 'not-regular'; readonly kind: string }
  | { readonly reason: 'too-large'; readonly bytes: number }
  | { readonly reason: 'unsupported-encoding'; readonly encoding: string; readonly source: EncodingSource }
  | { readonly reason: 'undecodable'; readonly encoding: string; readonly source: EncodingSource };

/** Why a file gave no bytes: the failures before decoding. */
export type OpenFailure = Extract<ReadFailure, { readonly reason: 'missing' | 'unreadable' | 'not-regular' | 'too-large' }>;

/** A decoded file, or why there is none. */
export type ReadResult = { readonly ok: true; readonly text: string } | ({ readonly ok: false } & ReadFailure);

/** Decoded text, or a decoding failure. */
export type DecodeResult = { readonly ok: true; readonly text: string } | ({ readonly ok: false } & Extract<ReadFailure, { readonly source: EncodingSource }>);

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and decodes one requirements file: {@link readRequirementsBytes}, then
 * {@link decodeRequirementsBytes} with the locale's encoding as the fallback.
 *
 * @param file Absolute path (relative paths resolve against the process's folder).
 * @param env The environment pip would run in: its locale decides the encoding of a file with
 *   neither a byte-order mark nor a coding declaration (see {@link localeEncoding}).
 * @returns The text, or a {@link ReadFailure}; never throws.
 */
export function readRequirementsFile(file: string, env: Env = process.env): ReadResult {
  const bytes = readRequirementsBytes(file);
  if ('reason' in bytes) return { ok: false, ...bytes };
  return decodeRequirementsBytes(bytes, localeEncoding(env));
}

/**
 * The bytes of a requirements file, undecoded (for a hash, say). The path is checked with `stat`
 * before anything opens it, so a FIFO, a device or a directory is reported, never read (opening a
 * FIFO blocks until a writer comes; `/dev/zero` never ends). The open itself is non-blocking and
 * re-checked with `fstat`, so a file swapped for a FIFO in between cannot block either, and at
 * most {@link MAX_REQUIREMENTS_FILE_BYTES} + 1 bytes are read whatever the file does meanwhile.
 *
 * @param file Absolute path (relative paths resolve against the process's folder).
 * @returns The whole file, at most {@link MAX_REQUIREMENTS_FILE_BYTES} bytes, or why not; never throws.
 */
export function readRequirementsBytes(file: string): Buffer | OpenFailure {
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (error) {
    return openFailure(error);
  }
  return refusal(stats) ?? readBounded(file);
}

/** The failure for a stat or open error. */
function openFailure(error: unknown): OpenFailure {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' ? { reason: 'missing' } : { reason: 'unreadable', code: code ?? String(error) };
}

/** Why a file with these stats is not read, if it is not. */
function refusal(stats: Stats): OpenFailure | undefined {
  if (!stats.isFile()) return { reason: 'not-regular', kind: fileKind(stats) };
  if (stats.size > MAX_REQUIREMENTS_FILE_BYTES) return { reason: 'too-large', bytes: stats.size };
  return undefined;
}

/** What a non-regular file is, as an article and a noun. */
function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'of an unknown kind';
}

/**
 * The file's bytes, reading at most one byte past the limit: its size may have grown since
 * `stat`, and files such as those in /proc report size 0 whatever they hold.
 */
function readBounded(file: string): Buffer | OpenFailure {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return openFailure(error);
  }
  try {
    const refused = refusal(fstatSync(fd));
    if (refused) return refused;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 * 1024);
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) return Buffer.concat(chunks, total);
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > MAX_REQUIREMENTS_FILE_BYTES) return { reason: 'too-large', bytes: total };
    }
  } catch (error) {
    return openFailure(error);
  } finally {
    closeSync(fd);
  }
}

/**
 * Byte-order marks and their encodings, longest first where one is a prefix of another. pip lists
 * UTF-16 LE's `FF FE` before UTF-32 LE's `FF FE 00 00`, so it reads UTF-32 LE as UTF-16 (text
 * with NULs between the characters); here UTF-32 LE is recognised, and refused.
 */
const BOMS: readonly (readonly [bom: readonly number[], encoding: string])[] = [
  [[0xef, 0xbb, 0xbf], 'utf-8'],
  [[0xff, 0xfe, 0x00, 0x00], 'utf-32-le'],
  [[0x00, 0x00, 0xfe, 0xff], 'utf-32-be'],
  [[0xff, 0xfe], 'utf-16-le'],
  [[0xfe, 0xff], 'utf-16-be'],
];

/** pip's ENCODING_RE (PEP 263). On bytes Python's `\s` and `\w` are ASCII only, as JavaScript's `\w` is; its `\s` is not. */
const CODING = /coding[:=][ \t\n\r\f\v]*([-\w.]+)/;

/**
 * Decodes a requirements file's bytes as pip's `auto_decode` does (pip 23,
 * pip/_internal/utils/encoding.py): a byte-order mark first (UTF-8, UTF-16 LE/BE, UTF-32), then a
 * PEP 263 `coding[:=]NAME` in either of the first two lines when the line starts with `#`, then
 * `fallback` (pip: the locale's preferred encoding). Decoding is strict, as Python's `bytes.decode`
 * is: invalid bytes are a failure, not U+FFFD.
 *
 * Differences from pip: UTF-32 (which Node's TextDecoder lacks) is refused, and so is any codec
 * name this module cannot map exactly onto a decoder (see {@link decoderFor}).
 *
 * @param bytes The whole file.
 * @param fallback A Python codec name, for a file with no byte-order mark or declaration.
 * @returns The text (without the byte-order mark), or why it could not be decoded; never throws.
 */
export function decodeRequirementsBytes(bytes: Uint8Array, fallback = 'utf-8'): DecodeResult {
  const bom = BOMS.find(([mark]) => mark.every((byte, i) => bytes[i] === byte));
  if (bom) return decodeAs(bytes.subarray(bom[0].length), bom[1], { from: 'byte-order mark' });
  const declared = codingDeclaration(bytes);
  if (declared) return decodeAs(bytes, declared.encoding, { from: 'declaration', line: declared.line });
  return decodeAs(bytes, fallback, { from: 'locale' });
}

/** The encoding a `#` line among the first two declares (pip: data.split(b"\n")[:2]), with its 1-based line. */
function codingDeclaration(bytes: Uint8Array): { encoding: string; line: number } | undefined {
  let start = 0;
  for (let line = 1; line <= 2 && start <= bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    if (bytes[start] === 0x23) {
      // latin1 maps each byte to one character, so the ASCII-only pattern sees exactly the bytes.
      const name = CODING.exec(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1'))?.[1];
      if (name) return { encoding: name, line };
    }
    if (newline < 0) break;
    start = newline + 1;
  }
  return undefined;
}

/** Decodes with a Python codec name, or says why not. */
function decodeAs(bytes: Uint8Array, encoding: string, source: EncodingSource): DecodeResult {
  const decoder = decoderFor(encoding);
  if (!decoder) return { ok: false, reason: 'unsupported-encoding', encoding, source };
  const text = decoder(bytes);
  return text === undefined ? { ok: false, reason: 'undecodable', encoding, source } : { ok: true, text };
}

/** Python's codec lookup key: lower case, runs of other characters than [a-z0-9.] as one `_` (encodings.normalize_encoding). */
function normalizeCodecName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Python codec names (normalised, aliases from Python's encodings/aliases.py) whose decoders are defined here rather than by a TextDecoder label. */
const PYTHON_CODECS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(['utf_8', 'utf8', 'u8', 'utf', 'utf8_ucs2', 'utf8_ucs4', 'cp65001'].map((n) => [n, 'utf-8'])),
  utf_8_sig: 'utf-8-sig',
  ...Object.fromEntries(['utf_16', 'utf16', 'u16'].map((n) => [n, 'utf-16'])),
  ...Object.fromEntries(['utf_16_le', 'utf_16le'].map((n) => [n, 'utf-16le'])),
  ...Object.fromEntries(['utf_16_be', 'utf_16be'].map((n) => [n, 'utf-16be'])),
  ...Object.fromEntries(['latin_1', 'latin1', 'latin', 'l1', 'iso_8859_1', 'iso8859_1', 'iso_8859_1_1987', '8859', 'cp819', 'ibm819', 'iso_ir_100', 'csisolatin1'].map((n) => [n, 'latin-1'])),
  ...Object.fromEntries(['ascii', 'us_ascii', 'us', '646', 'ansi_x3.4_1968', 'ansi_x3_4_1968', 'ansi_x3.4_1986', 'cp367', 'csascii', 'ibm367', 'iso646_us', 'iso_646.irv_1991', 'iso_ir_6'].map((n) => [n, 'ascii'])),
  ...Object.fromEntries(['cp1252', 'windows_1252'].map((n) => [n, 'cp1252'])),
  ...Object.fromEntries([0, 1, 3, 4, 5, 6, 7, 8].flatMap((i) => [[`cp125${i}`, `windows-125${i}`], [`windows_125${i}`, `windows-125${i}`]])),
};

/** Python's cp1252 for bytes 0x80-0x9F; U+FFFD marks the five it leaves undefined (an error, as in Python). */
const CP1252_HIGH = '\u20AC\uFFFD\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\uFFFD\u017D\uFFFD\uFFFD\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\uFFFD\u017E\u0178';

type Decoder = (bytes: Uint8Array) => string | undefined;

/** A strict TextDecoder as a {@link Decoder}; the byte-order mark, if any, stays in the text as Python leaves it. */
const textDecoder =
  (label: string): Decoder =>
  (bytes) => {
    try {
      return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      return undefined;
    }
  };

/**
 * A decoder for a Python codec name, or `undefined` when there is none we trust. UTF-8, UTF-16,
 * Latin-1, ASCII and the Windows code pages are mapped explicitly, because WHATWG labels differ
 * from Python's names for them (WHATWG reads `latin-1` and `ascii` as windows-1252, `utf-16` as LE
 * without BOM sniffing). Other names go to TextDecoder only when its canonical name for the label
 * is the same name (`koi8-r`, `shift_jis`, `iso-8859-2`), never when WHATWG aliases it to another
 * encoding (WHATWG's `iso-8859-9` is windows-1254; Python's is not).
 */
function decoderFor(encoding: string): Decoder | undefined {
  const normalized = normalizeCodecName(encoding);
  const known = PYTHON_CODECS[normalized];
  if (known === 'latin-1') return latin1;
  if (known === 'ascii') return (bytes) => (bytes.every((b) => b < 0x80) ? latin1(bytes) : undefined);
  if (known === 'utf-8-sig') return (bytes) => textDecoder('utf-8')(bytes)?.replace(/^\uFEFF/, '');
  if (known === 'utf-16') return utf16;
  if (known === 'cp1252') return cp1252;
  if (known) return textDecoder(known);
  if (normalized.startsWith('utf_32') || normalized === 'utf32' || normalized === 'u32') return undefined;
  const squash = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');
  for (const label of new Set([encoding, normalized, normalized.replace(/_/g, '-')])) {
    let canonical: string;
    try {
      canonical = new TextDecoder(label).encoding;
    } catch {
      continue;
    }
    if (squash(canonical) === squash(encoding)) return textDecoder(canonical);
  }
  return undefined;
}

/** Bytes as Latin-1: one character per byte. */
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** Python's cp1252, decoded here because Node 20's TextDecoder decodes windows-1252 as Latin-1. */
const cp1252: Decoder = (bytes) => {
  if (bytes.some((b) => b >= 0x80 && b < 0xa0 && CP1252_HIGH[b - 0x80] === '\uFFFD')) return undefined;
  return latin1(bytes).replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] as string);
};

/** Python's `utf-16` codec: a byte-order mark picks the order (and is dropped), else the machine's, little-endian everywhere Node runs. */
const utf16: Decoder = (bytes) => {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return textDecoder('utf-16be')(bytes.subarray(2));
  return textDecoder('utf-16le')(bytes[0] === 0xff && bytes[1] === 0xfe ? bytes.subarray(2) : bytes);
};

/**
 * The Python codec pip falls back to: `locale.getpreferredencoding(False)`, i.e. the codeset of
 * `LC_ALL`, else `LC_CTYPE`, else `LANG` (`de_DE.ISO-8859-1` is ISO-8859-1). UTF-8 when
 * `PYTHONUTF8=1`, when the locale names no codeset (right for `C` and `POSIX`, which Python 3.7+
 * reads as UTF-8, PEP 538/540; a guess for names such as `en_US`, whose codeset only the C library
 * knows), and on Windows, whose ANSI code page Node cannot see.
 *
 * @param env The environment pip runs in.
 * @param platform `process.platform` of the machine pip runs on.
 * @returns A Python codec name, as the locale spells it.
 */
export function localeEncoding(env: Env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32' || env.PYTHONUTF8 === '1') return 'utf-8';
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /\.([^@]+)/.exec(locale)?.[1] ?? 'utf-8';
}
