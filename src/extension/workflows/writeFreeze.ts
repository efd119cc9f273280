import * as vscode from 'vscode';
import { writeFileAtomically } from '../../core/leaves/atomicWrite';
import { freezeVenv } from '../../core/orchestrations/freeze';
import { logCommand } from '../log';
import type { Services } from '../services';

/**
 * Writes the venv's freeze to `file`: through a WorkspaceEdit (undoable) when the file is open,
 * else atomically (temporary file, then rename). Records the write so watchers ignore it.
 */
export async function writeFreeze(services: Services, venv: string, file: string): Promise<void> {
  const text = await freezeVenv(venv, { log: logCommand(services.log) });
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
  services.ownWrites.record(file, text);
  if (open) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(open.uri, new vscode.Range(open.positionAt(0), open.positionAt(open.getText().length)), text);
    await vscode.workspace.applyEdit(edit);
    await open.save();
  } else {
    await writeFileAtomically(file, text);
  }
  services.log.info(`Froze ${venv} into ${file}`);
}
