import { rm } from 'node:fs/promises';
import { statSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { readPyvenvCfg } from '../../core/leaves/layout';
import { venvHealth } from '../../core/parts/venv/health';
import { folderSize } from '../../core/leaves/folders';
import { listScriptEnvs } from '../../core/orchestrations/scriptEnv';
import { localFolders } from '../folders';
import type { CommandHandler, Services } from '../services';


const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * "Venv Pilot: Clean Up Environments": every venv discovery knows (workspace, pyenv-virtualenv,
 * WORKON_HOME, pipenv, poetry, hatch) plus broken ones it reported, with size, last change and
 * health, and the script environments in the cache with their script and last run; deletes the ticked ones after confirmation. Never deletes a folder without pyvenv.cfg.
 * Resolves to the folders deleted.
 */
export function cleanUpEnvironments(services: Services): CommandHandler {
  return async (): Promise<string[]> => {
    const result = await services.interpreters.refresh();
    const broken = result.problems.flatMap((p) => (p.code === 'broken-venv' && p.venv ? [p.venv] : []));
    const venvs = [...new Set([...result.interpreters.filter((i) => i.isVenv).map((i) => i.prefix), ...broken])].filter((dir) => readPyvenvCfg(dir));
    const items = venvs.map((dir) => {
      const health = venvHealth(dir);
      const changed = statSync(dir).mtime.toISOString().slice(0, 10);
      return { label: path.basename(dir), description: [megabytes(folderSize(dir)), `changed ${changed}`, health.ok ? '' : '$(error) broken'].filter(Boolean).join(' · '), detail: dir, dir, picked: !health.ok };
    });
    // Script environments live in the cache, one per script and requirement set: name the script and the last run.
    for (const env of listScriptEnvs()) {
      if (!readPyvenvCfg(env.dir)) continue;
      const script = env.manifest?.script;
      items.push({
        label: script ? `$(play) ${path.basename(script)}` : `$(warning) ${path.basename(env.dir)}`,
        description: [megabytes(env.size), `last run ${new Date(env.lastUsed).toISOString().slice(0, 10)}`, script ? `script environment of ${script}` : 'unfinished script environment'].join(' · '),
        detail: env.dir,
        dir: env.dir,
        picked: !script,
      });
    }
    const picked = await services.quickInputs.pickMany({ title: 'Clean Up Environments', placeholder: 'Tick the environments to delete (broken ones are ticked)', items });
    if (!picked?.length) return [];
    const answer = await services.quickInputs.pickOne({
      title: `Delete ${picked.length} environment${picked.length > 1 ? 's' : ''}?`,
      placeholder: picked.map((p) => p.detail).join(', '),
      items: [{ label: 'Delete', description: 'this cannot be undone' }, { label: 'Cancel' }],
    });
    if (answer?.label !== 'Delete') return [];
    const deleted: string[] = [];
    for (const { dir } of picked) {
      if (!readPyvenvCfg(dir)) continue;
      await rm(dir, { recursive: true, force: true });
      deleted.push(dir);
      for (const folder of localFolders()) if (services.selections.get(folder)?.venv === dir) await services.selections.set(folder, undefined);
    }
    void services.interpreters.refresh();
    void vscode.window.showInformationMessage(`Deleted ${deleted.length} environment${deleted.length === 1 ? '' : 's'}.`);
    return deleted;
  };
}
