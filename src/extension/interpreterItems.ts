import * as vscode from 'vscode';
import { recommendInterpreter } from '../core/parts/discovery/recommend';
import type { Interpreter } from '../core/parts/discovery/types';

/** A picker row for one interpreter. */
export type InterpreterItem = vscode.QuickPickItem & { readonly interpreter: Interpreter };

/**
 * Maps interpreters to picker rows, recommended one first (marked with the reason), the rest
 * newest first. Rows are reused per path, so a row a user (or a test) has focused stays the same
 * object while discovery streams in more.
 */
export function interpreterRows(folder: string, options: { forCreate?: boolean; current?: string } = {}): (interpreters: readonly Interpreter[]) => InterpreterItem[] {
  const rows = new Map<string, InterpreterItem & { interpreter: Interpreter }>();
  return (interpreters) => {
    const recommended = recommendInterpreter(interpreters, folder, { forCreate: options.forCreate });
    const ordered = recommended ? [recommended.interpreter, ...interpreters.filter((i) => i !== recommended.interpreter)] : interpreters;
    return ordered.map((interpreter) => {
      const row = rows.get(interpreter.path) ?? { label: '', interpreter };
      row.interpreter = interpreter;
      row.label = `${interpreter.path === options.current ? '$(check) ' : ''}Python ${interpreter.version}`;
      const facts = [interpreter.implementation, interpreter.kind, interpreter.envName && interpreter.envName !== interpreter.version ? interpreter.envName : '', interpreter.probed ? '' : 'not run: the workspace is untrusted'];
      row.description = [interpreter === recommended?.interpreter ? `$(star-full) Recommended: ${recommended.reason}` : '', ...facts].filter(Boolean).join(' · ');
      row.detail = interpreter.path;
      rows.set(interpreter.path, row);
      return row;
    });
  };
}

/** Picker groups, in order: where an interpreter comes from, as a user thinks of it. */
const GROUPS = ['Workspace', 'pyenv', 'asdf', 'mise', 'uv', 'conda', 'Environments', 'Windows', 'System'] as const;

/** The picker group of an interpreter. */
export function groupOf(interpreter: Interpreter): (typeof GROUPS)[number] {
  if (interpreter.inWorkspace) return 'Workspace';
  switch (interpreter.kind) {
    case 'pyenv':
    case 'asdf':
    case 'mise':
    case 'uv':
    case 'conda':
      return interpreter.kind;
    case 'venv':
    case 'virtualenv':
    case 'pipenv':
    case 'poetry':
    case 'hatch':
      return 'Environments';
    case 'registry':
    case 'store':
      return 'Windows';
    default:
      return 'System';
  }
}

/**
 * Rows grouped by {@link groupOf} under separators, newest first within each group, with the
 * recommended row alone on top. Rows come from {@link interpreterRows}, so they keep their identity.
 */
export function groupedRows(rows: (interpreters: readonly Interpreter[]) => InterpreterItem[]): (interpreters: readonly Interpreter[]) => vscode.QuickPickItem[] {
  return (interpreters) => {
    const all = rows(interpreters);
    const [first, ...rest] = all;
    const recommended = first?.description?.includes('Recommended') ? first : undefined;
    const others = recommended ? rest : all;
    const out: vscode.QuickPickItem[] = recommended ? [recommended] : [];
    for (const group of GROUPS) {
      const members = others.filter((row) => groupOf(row.interpreter) === group);
      if (members.length) out.push({ label: group, kind: vscode.QuickPickItemKind.Separator }, ...members);
    }
    return out;
  };
}
