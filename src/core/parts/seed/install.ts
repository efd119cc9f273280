import { chmodSync, copyFileSync, linkSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cacheKey, uniqueSuffix } from '../../leaves/cacheKey';
import { consoleScriptFileName, venvPlatformOf, type VenvLayout } from '../../leaves/layout';
import type { CommandLogger } from '../../leaves/process';
import { readImage, type ConsoleScript, type SeedImage } from './image';
import { buildLauncher, launcherDate, missingLauncherTemplate, readLauncherTemplate, seedWithEnsurepip } from './launchers';
import type { SeedWheel } from './wheels';

/** How image files get into a venv: hard links (default), copies, or symlinks (`--symlink-app-data`). */
export type AppDataMode = 'hardlink' | 'copy' | 'symlink';

/**
 * The first lines of a console script running `python`. A plain shebang when the path allows it;
 * otherwise (spaces, quotes, over 127 bytes) a `/bin/sh` line that re-executes the file with the
 * interpreter, which Python then reads past as a string literal.
 */
export function scriptShebang(python: string): string {
  if (/^[\w@%+=:,./-]+$/.test(python) && Buffer.byteLength(python) <= 125) return `#!${python}\n`;
  return `#!/bin/sh\n'''exec' '${python.replace(/'/g, `'"'"'`)}' "$0" "$@"\n' '''\n`;
}

/**
 * The Python text of a console script, after its shebang: distlib's `SCRIPT_TEMPLATE` (pip 23-24),
 * which strips `-script.pyw` or `.exe` from `argv[0]` so `pip.exe` names itself `pip`.
 */
export function consoleScriptBody(script: ConsoleScript): string {
  const [first] = script.attr.split('.');
  return `# -*- coding: utf-8 -*-
import re
import sys
from ${script.module} import ${first}
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(${script.attr}())
`;
}

/** A console script as pip writes one on POSIX. */
export function consoleScript(script: ConsoleScript, python: string): string {
  return `${scriptShebang(python)}${consoleScriptBody(script)}`;
}

/** Copies a file keeping its mtime, so precompiled `.pyc` files stay valid. */
function copyPreservingTime(source: string, target: string): void {
  copyFileSync(source, target);
  const { atime, mtime } = statSync(source);
  utimesSync(target, atime, mtime);
}

/**
 * Lays an image's files into `siteDir` (a venv's site-packages, or a spare being staged). Folders
 * are always created, never linked, so nothing a later `pip install`, `pip uninstall` or `.pyc`
 * rewrite does inside the venv can reach the shared image. Hard links fall back to copies
 * across devices.
 *
 * @throws {Error} (a Node file-system error) when the folder cannot be written.
 */
export function layImage(image: SeedImage, siteDir: string, mode: AppDataMode = 'hardlink'): void {
  const site = path.join(image.dir, 'site');
  for (const dir of image.manifest.dirs) mkdirSync(path.join(siteDir, dir));
  let place = mode === 'symlink' ? symlinkSync : mode === 'copy' ? copyPreservingTime : linkSync;
  for (const file of image.manifest.files) {
    const source = path.join(site, file);
    const target = path.join(siteDir, file);
    try {
      place(source, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      place = copyPreservingTime;
      place(source, target);
    }
  }
}

/**
 * Writes an image's console scripts into the venv's scripts folder, naming the venv's
 * interpreter: shebang scripts on POSIX; on Windows `NAME.exe` launchers built from the template
 * found in `images` (pip's wheel carries them; see `launchers.ts`), as pip itself writes them.
 *
 * @throws {UserError} on Windows when no image holds the launcher template.
 */
export function writeConsoleScripts(image: SeedImage, layout: VenvLayout, images: readonly SeedImage[] = [image]): void {
  const platform = layout.platform ?? venvPlatformOf();
  const python = layout.python ?? path.join(layout.bin, consoleScriptFileName('python', platform));
  if (image.manifest.scripts.length === 0) return;
  if (layout.scripts?.kind === 'launcher') {
    const template = readLauncherTemplate(images, layout);
    const date = launcherDate();
    for (const script of image.manifest.scripts) {
      writeFileSync(path.join(layout.bin, consoleScriptFileName(script.name, platform)), buildLauncher(template, python, consoleScriptBody(script), date));
    }
    return;
  }
  for (const script of image.manifest.scripts) {
    const file = path.join(layout.bin, script.name);
    writeFileSync(file, consoleScript(script, python));
    chmodSync(file, 0o755);
  }
}

/** Lays every image into the venv and writes their console scripts. */
export function installImages(images: readonly SeedImage[], layout: VenvLayout, mode: AppDataMode = 'hardlink'): void {
  for (const image of images) {
    layImage(image, layout.purelib, mode);
    writeConsoleScripts(image, layout, images);
  }
}

/** How {@link seedImages} seeded a venv. */
export type SeedMethod = 'spare' | 'images' | 'ensurepip';

/**
 * Seeds a venv from its images: a staged spare renamed into place (hard links only), else the
 * images laid file by file. On Windows, when the images hold no launcher template for the
 * console scripts (Debian-style stripped wheels), the venv's own `python -m ensurepip` seeds
 * instead, and `onFallback` hears why.
 *
 * @throws {ProcessError} when the ensurepip fallback fails.
 * @throws {Error} (a Node file-system error) when the venv cannot be written.
 */
export async function seedImages(
  images: readonly SeedImage[],
  seeds: readonly SeedWheel[],
  layout: VenvLayout,
  options: { cacheDir: string; mode?: AppDataMode; log?: CommandLogger; signal?: AbortSignal; onFallback?: (message: string) => void },
): Promise<SeedMethod> {
  const missing = missingLauncherTemplate(images, layout);
  if (missing) {
    options.onFallback?.(`The seed wheels hold no console-script launcher template (${missing}); seeding with python -m ensurepip instead`);
    await seedWithEnsurepip(layout, seeds, options);
    return 'ensurepip';
  }
  if (images.length === 0) return 'images';
  if ((options.mode ?? 'hardlink') === 'hardlink' && takeSpare(options.cacheDir, images, layout)) return 'spare';
  installImages(images, layout, options.mode);
  return 'images';
}

/**
 * Spares: complete, hard-linked site-packages folders for a seed set, staged in the cache ahead
 * of time. Creating a venv then renames one into place instead of making a hundred folders and a
 * thousand links, which is what makes a warm creation take a few milliseconds. A spare is used
 * at most once (rename is atomic, so two processes never get the same one).
 */
function sparesDir(cacheDir: string, images: readonly SeedImage[]): string {
  const key = cacheKey(images.map((i) => i.dir).join('\n'));
  return path.join(cacheDir, 'spares', key);
}

/**
 * Spares staged per seed set at a time. Restaging waits until the last one is taken, so two
 * creations in three need none at all (the CLI then starts no background process).
 */
export const SPARES_KEPT = 3;

/** A `.building-*` folder older than this was left by a stager that was killed (a CI container ending, say). */
const ABANDONED_MS = 10 * 60 * 1000;

/** Stages spare site-packages for `images` (hard links) until {@link SPARES_KEPT} are waiting. */
export function stageSpare(cacheDir: string, images: readonly SeedImage[]): void {
  const dir = sparesDir(cacheDir, images);
  removeAbandoned(dir);
  while (listSpares(dir).length < SPARES_KEPT) {
    const building = path.join(dir, `.building-${uniqueSuffix()}`);
    mkdirSync(building, { recursive: true });
    try {
      for (const image of images) layImage(image, building, 'hardlink');
      renameSync(building, path.join(dir, `spare-${uniqueSuffix()}`));
    } catch (error) {
      rmSync(building, { recursive: true, force: true });
      throw error;
    }
  }
}

/** How many spares wait for `images`. */
export function sparesWaiting(cacheDir: string, images: readonly SeedImage[]): number {
  return listSpares(sparesDir(cacheDir, images)).length;
}

/**
 * {@link stageSpare} from image folders alone, as a separate process does it (the CLI's
 * `__stage-spare`). An image that is gone (a cache clean-up) means nothing is staged.
 *
 * @throws {Error} (a Node file-system error) when the cache cannot be written.
 */
export function stageSpareFromDirs(cacheDir: string, imageDirs: readonly string[]): void {
  const images = imageDirs.map(readImage);
  if (images.length > 0 && images.every((i) => i !== undefined)) stageSpare(cacheDir, images as SeedImage[]);
}

function removeAbandoned(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((name) => name.startsWith('.building-'));
  } catch {
    return;
  }
  for (const name of entries) {
    const folder = path.join(dir, name);
    try {
      if (Date.now() - statSync(folder).mtimeMs > ABANDONED_MS) rmSync(folder, { recursive: true, force: true });
    } catch {
      // Another stager removed or finished it meanwhile.
    }
  }
}

function listSpares(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.startsWith('spare-'));
  } catch {
    return [];
  }
}

/**
 * Moves a staged spare into place as the venv's (empty) site-packages. False when there is none,
 * another process took it first, or it lives on another file system; the caller then lays the
 * images itself.
 */
export function takeSpare(cacheDir: string, images: readonly SeedImage[], layout: VenvLayout): boolean {
  const dir = sparesDir(cacheDir, images);
  for (const name of listSpares(dir)) {
    try {
      rmdirSync(layout.purelib);
      renameSync(path.join(dir, name), layout.purelib);
      for (const image of images) writeConsoleScripts(image, layout, images);
      return true;
    } catch {
      mkdirSync(layout.purelib, { recursive: true });
    }
  }
  return false;
}
