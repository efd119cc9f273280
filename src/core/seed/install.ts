import { chmodSync, copyFileSync, linkSync, mkdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { VenvLayout } from '../venv/builtin';
import type { ConsoleScript, SeedImage } from './image';

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

/** A console script as pip writes one. */
export function consoleScript(script: ConsoleScript, python: string): string {
  const [first] = script.attr.split('.');
  return `${scriptShebang(python)}# -*- coding: utf-8 -*-
import re
import sys
from ${script.module} import ${first}
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(${script.attr}())
`;
}

/** Copies a file keeping its mtime, so precompiled `.pyc` files stay valid. */
function copyPreservingTime(source: string, target: string): void {
  copyFileSync(source, target);
  const { atime, mtime } = statSync(source);
  utimesSync(target, atime, mtime);
}

/**
 * Lays an image into the venv's site-packages and writes its console scripts into `bin`.
 * Folders are always the venv's own, so nothing a later `pip install`, `pip uninstall` or
 * `.pyc` rewrite does inside the venv can reach the shared image. Hard links fall back to
 * copies across devices.
 *
 * @throws {Error} (a Node file-system error) when the venv cannot be written.
 */
export function installImage(image: SeedImage, layout: VenvLayout, mode: AppDataMode = 'hardlink'): void {
  const site = path.join(image.dir, 'site');
  for (const dir of image.manifest.dirs) mkdirSync(path.join(layout.purelib, dir));
  let place = mode === 'symlink' ? symlinkSync : mode === 'copy' ? copyPreservingTime : linkSync;
  for (const file of image.manifest.files) {
    const source = path.join(site, file);
    const target = path.join(layout.purelib, file);
    try {
      place(source, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      place = copyPreservingTime;
      place(source, target);
    }
  }
  const python = path.join(layout.bin, 'python');
  for (const script of image.manifest.scripts) {
    const file = path.join(layout.bin, script.name);
    writeFileSync(file, consoleScript(script, python));
    chmodSync(file, 0o755);
  }
}
