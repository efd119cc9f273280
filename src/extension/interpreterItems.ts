import * as vscode from 'vscode';
import { recommendInterpreter } from '../core/discovery/recommend';
import type { Interpreter } from '../core/discovery/types';

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
