import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { looksFrozen } from '../../core/orchestrations/freeze';
import { readRequirementsFile } from '../../core/leaves/requirements/read';
import { activeFolder } from '../folders';
import type { CommandHandler, Services } from '../services';
import { writeFreeze } from '../workflows/writeFreeze';
import { readSettings } from '../settings';

/**
 * "Venv Pilot: Freeze Environment": the selected venv's `pip freeze` (computed without pip) into
 * `venvPilot.freeze.file` (default requirements.lock) or requirements.txt. A file with ranges,
 * comments or options is never overwritten without asking. Resolves to the file written.
 */
export function freezeEnvironment(services: Services): CommandHandler {
  return async (): Promise<string | undefined> => {
    const folder = activeFolder();
    const venv = folder && services.selections.get(folder)?.venv;
    if (!folder || !venv) {
      void vscode.window.showWarningMessage('Select or create a virtual environment first: there is nothing to freeze.');
      return undefined;
    }
    const lock = readSettings(folder).freezeFile;
    const picked = await services.quickInputs.pickOne({
      title: 'Freeze Environment: file',
      placeholder: 'Where to write the installed packages',
      items: [...new Set([lock, 'requirements.txt'])].map((label) => ({ label, description: existsSync(path.join(folder.uri.fsPath, label)) ? 'replace' : 'create' })),
    });
    if (!picked) return undefined;
    const file = path.resolve(folder.uri.fsPath, picked.label);
    // Read as pip would (a FIFO is never opened; UTF-16 is decoded); anything unreadable counts as hand-written.
    const current = existsSync(file) ? readRequirementsFile(file) : undefined;
    if (current && !services.ownWrites.isOurs(file) && !(current.ok && looksFrozen(current.text))) {
      const answer = await services.quickInputs.pickOne({
        title: `${picked.label} is written by hand`,
        placeholder: 'It has ranges, comments or options that a freeze would replace',
        items: [{ label: 'Overwrite', description: 'replace it with exact pins' }, { label: 'Cancel' }],
      });
      if (answer?.label !== 'Overwrite') return undefined;
    }
    try {
      await writeFreeze(services, venv, file);
      return file;
    } catch (error) {
      void services.failures.show(error);
      return undefined;
    }
  };
}
