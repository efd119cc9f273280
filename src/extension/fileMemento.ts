import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type * as vscode from 'vscode';
import { writeFileAtomically } from '../core/leaves/atomicWrite';

/**
 * Workspace state in a JSON file under the extension's workspace storage, written atomically on
 * every update. VS Code's own workspaceState is flushed lazily, so a choice made just before a
 * window reload could be lost; this one is on disk when `update` resolves.
 */
export class FileMemento implements vscode.Memento {
  private readonly values: Record<string, unknown>;

  /** `file` undefined (no folder open): kept in memory only. */
  constructor(private readonly file: string | undefined) {
    let values: Record<string, unknown> = {};
    try {
      values = file ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    } catch {
      // Missing or unreadable: start empty.
    }
    this.values = values;
  }

  keys(): readonly string[] {
    return Object.keys(this.values);
  }

  get<T>(key: string): T | undefined;
  get<T>(key: string, defaultValue: T): T;
  get<T>(key: string, defaultValue?: T): T | undefined {
    return key in this.values ? (this.values[key] as T) : defaultValue;
  }

  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) delete this.values[key];
    else this.values[key] = value;
    if (!this.file) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    await writeFileAtomically(this.file, JSON.stringify(this.values, null, 2));
  }
}
