/**
 * Windows console-script launchers, built the way pip builds them. pip writes a console script on
 * Windows through distlib's `ScriptMaker._write_script`: the bytes of a launcher template
 * (`t64.exe` and friends, from `pip/_vendor/distlib/`), then a shebang line naming the venv's
 * interpreter, then a zip archive whose `__main__.py` imports and calls the entry point. The
 * launcher finds the archive's end, reads the shebang just before it, and runs that interpreter
 * with the `.exe` itself as the script (Python runs a zip with a `__main__.py`).
 *
 * The templates are never vendored here: they come from the seed images, which are pip's own
 * wheel unpacked. Debian strips them from its pip wheel; without one, creation falls back to
 * `python -m ensurepip` (see {@link seedWithEnsurepip}).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { ScriptStyle, VenvLayout } from '../../leaves/layout';
import { UserError } from '../../leaves/errors';
import { run, type CommandLogger } from '../../leaves/process';
import { isolatedEnv, isolatedModule } from '../../leaves/pythonScripts';
import type { SeedImage } from './image';
import type { SeedWheel } from './wheels';

/** A console (`t`) or GUI (`w`) launcher: distlib's `_get_launcher(kind)`. */
export type LauncherKind = 't' | 'w';

/**
 * The template distlib's `_get_launcher` picks: `KIND` + `32`/`64` (pointer size) + `-arm` on
 * win-arm64, `.exe`: `t64.exe`, `t32.exe`, `t64-arm.exe`, `w64.exe`...
 */
export function launcherTemplateName(tag: Extract<ScriptStyle, { kind: 'launcher' }>['tag'], kind: LauncherKind = 't'): string {
  return `${kind}${tag === 'win32' ? '32' : '64'}${tag === 'win-arm64' ? '-arm' : ''}.exe`;
}

/** Where a template sits inside an unpacked wheel: pip's vendored distlib, or a distlib wheel of its own. */
const TEMPLATE_FOLDERS: readonly (readonly string[])[] = [
  ['pip', '_vendor', 'distlib'],
  ['distlib'],
];

/** The launcher template `name` inside one of `images` (their `site/` folders), or `undefined` when none has it. */
export function findLauncherTemplate(images: readonly SeedImage[], name: string): string | undefined {
  for (const image of images) {
    for (const folder of TEMPLATE_FOLDERS) {
      const candidate = path.join(image.dir, 'site', ...folder, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * The template a venv's console scripts need that `images` lack: `undefined` when the venv takes
 * shebang scripts (POSIX), when no image has console scripts, or when the template is there.
 */
export function missingLauncherTemplate(images: readonly SeedImage[], layout: VenvLayout): string | undefined {
  if (layout.scripts?.kind !== 'launcher') return undefined;
  if (!images.some((image) => image.manifest.scripts.length > 0)) return undefined;
  const name = launcherTemplateName(layout.scripts.tag);
  return findLauncherTemplate(images, name) ? undefined : name;
}

/**
 * distlib's `enquote_executable`: an interpreter path with a space is put in double quotes (unless
 * it already starts with one), so the launcher reads it as one path.
 */
export function enquoteExecutable(executable: string): string {
  return executable.includes(' ') && !executable.startsWith('"') ? `"${executable}"` : executable;
}

/**
 * The shebang a Windows launcher carries, byte for byte as distlib writes it: `_build_shebang`
 * gives `#!` + the (enquoted) interpreter + `\n`, and `_write_script` then appends `os.linesep`
 * (`\r\n` on Windows) because the line does not already end with it. The launcher stops reading
 * the line at the first line break, so the extra `\r\n` is harmless; it is kept for fidelity.
 */
export function launcherShebang(python: string): Buffer {
  return Buffer.from(`#!${enquoteExecutable(python)}\n\r\n`, 'utf8');
}

/** An MS-DOS date and time (the zip format's), from a `Date` read in UTC as distlib reads SOURCE_DATE_EPOCH. */
function dosDateTime(date: Date): { time: number; day: number } {
  const year = Math.max(1980, date.getUTCFullYear());
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    day: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

/**
 * A zip archive (PKWARE APPNOTE 4.3) holding one stored (uncompressed) file, as Python's
 * `zipfile.ZipFile.writestr(name, data)` writes it with the default `ZIP_STORED`: local header,
 * data, central directory entry, end record. Offsets are relative to the archive's own start, as
 * zipfile writes them into a fresh stream; readers find the archive from its end, so bytes before
 * it (the launcher and the shebang) are skipped.
 */
export function storedZip(name: string, data: Uint8Array, date: Date = new Date()): Buffer {
  const fileName = Buffer.from(name, 'utf8');
  const crc = crc32(data);
  const { time, day } = dosDateTime(date);
  // Flag bit 11: the name is UTF-8 (zipfile sets it only for a non-ASCII name).
  const flags = /^[\x00-\x7f]*$/.test(name) ? 0 : 0x800;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed: 2.0
  local.writeUInt16LE(flags, 6);
  local.writeUInt16LE(0, 8); // stored
  local.writeUInt16LE(time, 10);
  local.writeUInt16LE(day, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // made by: MS-DOS/Windows (0), version 2.0, as zipfile on Windows
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(flags, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt16LE(time, 12);
  central.writeUInt16LE(day, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  // Extra, comment, disk start, internal attributes: none; external: 0o600 << 16, as writestr sets.
  central.writeUInt32LE((0o600 << 16) >>> 0, 38);
  central.writeUInt32LE(0, 42); // the local header's offset
  const centralOffset = local.length + fileName.length + data.length;
  const centralSize = central.length + fileName.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}

/**
 * The date distlib stamps `__main__.py` with: `SOURCE_DATE_EPOCH` (seconds) when set, for
 * reproducible builds; otherwise now.
 */
export function launcherDate(env: Readonly<Record<string, string | undefined>> = process.env): Date {
  const epoch = Number(env.SOURCE_DATE_EPOCH);
  return env.SOURCE_DATE_EPOCH && Number.isFinite(epoch) ? new Date(epoch * 1000) : new Date();
}

/**
 * A console-script launcher: `template` + {@link launcherShebang} + a zip holding `__main__.py`
 * (`script`, the same text a POSIX console script has after its shebang). Exactly the bytes
 * distlib's `_write_script` writes for `pip.exe`.
 */
export function buildLauncher(template: Uint8Array, python: string, script: string, date: Date = launcherDate()): Buffer {
  return Buffer.concat([template, launcherShebang(python), storedZip('__main__.py', Buffer.from(script, 'utf8'), date)]);
}

/**
 * Reads the console-launcher template a Windows venv needs from `images`.
 *
 * @throws {UserError} when no image holds it (pip's wheel ships them; Debian's does not).
 */
export function readLauncherTemplate(images: readonly SeedImage[], layout: VenvLayout): Buffer {
  const name = layout.scripts?.kind === 'launcher' ? launcherTemplateName(layout.scripts.tag) : 't64.exe';
  const file = findLauncherTemplate(images, name);
  if (!file) throw new UserError(`Cannot write Windows launchers for the seeds' console scripts: no ${name} in the seed wheels (pip's wheel ships them); seed pip, or add a folder with an unmodified pip wheel with --find-links`);
  return readFileSync(file);
}

/**
 * The fallback when the seed wheels hold no launcher template: the venv's own `python -m
 * ensurepip --default-pip` installs pip with pip's own launchers (ensurepip bundles its pip
 * wheel in the standard library), then the other seeds are installed from their local wheels
 * by that pip, offline (`--no-index --no-deps`).
 *
 * @throws {ProcessError} when ensurepip or pip fails.
 * @throws {CancelledError} when `signal` aborts.
 */
export async function seedWithEnsurepip(layout: VenvLayout, seeds: readonly SeedWheel[], options: { log?: CommandLogger; signal?: AbortSignal } = {}): Promise<void> {
  const python = layout.python ?? path.join(layout.bin, 'python.exe');
  const ensurepip = isolatedModule(python, 'ensurepip', ['--default-pip'], ['-E', '-s']);
  await run(ensurepip.argv, { display: ensurepip.display, env: isolatedEnv(), log: options.log, signal: options.signal, what: `Seeding pip with ensurepip into ${layout.dir}` });
  const others = seeds.filter((seed) => seed.project !== 'pip').map((seed) => seed.path);
  if (others.length === 0) return;
  const pip = isolatedModule(python, 'pip', ['install', '--no-index', '--no-deps', '--disable-pip-version-check', ...others], ['-E', '-s']);
  await run(pip.argv, { display: pip.display, env: isolatedEnv(), log: options.log, signal: options.signal, what: `Seeding ${others.map((w) => path.basename(w)).join(', ')} into ${layout.dir}` });
}
