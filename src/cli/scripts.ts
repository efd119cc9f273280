/**
 * `venv-pilot scripts list [--json]` and `venv-pilot scripts prune [--max-age DAYS]`: the
 * script environments in the cache (with their script, size and last use), and deleting those
 * unused for longer than the validity period (default 30 days).
 */
import { listScriptEnvs, pruneScriptEnvs, type ScriptEnvInfo } from '../core/orchestrations/scriptEnv';
import { print, printJson, UsageError, type Command } from './command';

/** The default validity period, days: the `venvPilot.scripts.maxAgeDays` setting's default too. */
const DEFAULT_MAX_AGE_DAYS = 30;

const MiB = 1024 * 1024;

function describe(env: ScriptEnvInfo): string {
  const used = new Date(env.lastUsed).toISOString().replace(/\.\d+Z$/, 'Z');
  const what = env.manifest ? `${env.manifest.script} (Python ${env.manifest.interpreter.version}, ${env.manifest.requirements.length} requirements)` : 'unfinished first run';
  return `${env.dir}  ${(env.size / MiB).toFixed(1)} MiB  last used ${used}  ${what}`;
}

export const command: Command = {
  options: { 'max-age': { type: 'string' } },
  run: async (positionals, values) => {
    const [action] = positionals;
    if (action === 'list') {
      const envs = listScriptEnvs();
      if (values.json) return printJson(envs.map((e) => ({ dir: e.dir, script: e.manifest?.script ?? null, interpreter: e.manifest?.interpreter ?? null, requirements: e.manifest?.requirements ?? null, lastUsed: new Date(e.lastUsed).toISOString(), sizeBytes: e.size })));
      for (const env of envs) print(describe(env));
      return;
    }
    if (action === 'prune') {
      const given = values['max-age'] as string | undefined;
      const days = given === undefined ? DEFAULT_MAX_AGE_DAYS : Number(given);
      if (given !== undefined && (!/^\d+(\.\d+)?$/.test(given) || !Number.isFinite(days))) throw new UsageError(`--max-age takes a number of days, not ${given}`);
      const removed = pruneScriptEnvs(days);
      if (values.json) return printJson(removed.map((e) => ({ dir: e.dir, script: e.manifest?.script ?? null, sizeBytes: e.size })));
      print(removed.length ? `Removed ${removed.length} environment${removed.length === 1 ? '' : 's'} unused for over ${days} days (${(removed.reduce((n, e) => n + e.size, 0) / MiB).toFixed(1)} MiB)` : `No environment has been unused for over ${days} days`);
      return;
    }
    throw new UsageError('scripts needs list or prune');
  },
};
