import path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../core/leaves/errors';
import { scriptInTerminalArgv } from '../../core/leaves/pythonScripts';
import { ensureScriptEnv, scriptRequirements } from '../../core/orchestrations/scriptEnv';
import { withCancellableProgress } from '../feedback';
import { logCommand } from '../log';
import { scriptInterpreter, scriptPipSettings } from '../scripts/scriptEnvironments';
import type { CommandHandler, Services } from '../services';

/** What a run started: the script's environment and the terminal running it. */
export interface ScriptRun {
  readonly env: string;
  readonly created: boolean;
  readonly terminal: vscode.Terminal;
}

/**
 * "Venv Pilot: Run Script in Its Own Environment": saves the script, makes (first run, with
 * progress) or reuses its environment, and runs it in a new integrated terminal whose process
 * is that environment's Python itself (nothing is typed into a shell), which waits for Enter
 * after the script ends so its output stays on screen. Takes the script's URI
 * (from the CodeLens or the editor title), else the active editor's file. Resolves to the run,
 * or `undefined` after showing why it could not start.
 */
export function runScript(services: Services): CommandHandler {
  return async (uri?: unknown): Promise<ScriptRun | undefined> => {
    const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    try {
      if (!target || target.scheme !== 'file') throw new UserError('Open a Python script (a file on disk) to run it in its own environment.');
      // Running a workspace's code is what restricted mode exists to prevent.
      if (!vscode.workspace.isTrusted) throw new UserError('This workspace is not trusted: venv-pilot does not run its scripts. Trust the workspace to run it.');
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
      if (document?.isDirty) await document.save();
      const script = target.fsPath;
      const requirements = scriptRequirements(script);
      const discovered = services.interpreters.current ?? (await services.interpreters.ready());
      const interpreter = scriptInterpreter(discovered.interpreters, requirements.requiresPython);
      if (!interpreter) throw new UserError(requirements.requiresPython ? `No Python found satisfies ${path.basename(script)}'s requires-python ${requirements.requiresPython}; install one and run Rediscover Interpreters.` : 'No Python interpreter was found.');
      const env = await withCancellableProgress(`Preparing the environment of ${path.basename(script)}`, (signal, report) =>
        ensureScriptEnv({
          requirements,
          interpreter,
          pip: scriptPipSettings(script),
          signal,
          log: logCommand(services.log),
          onProgress: (message) => {
            services.log.info(message);
            report(message);
          },
        }),
      );
      services.log.info(`Running ${script} with ${env.python}`);
      const [python, ...args] = scriptInTerminalArgv(env.python, script);
      const terminal = vscode.window.createTerminal({
        name: path.basename(script),
        shellPath: python,
        shellArgs: args,
        cwd: path.dirname(script),
        env: { VIRTUAL_ENV: env.dir },
        iconPath: new vscode.ThemeIcon('play'),
      });
      terminal.show();
      return { env: env.dir, created: env.created, terminal };
    } catch (error) {
      void services.failures.show(error);
      return undefined;
    }
  };
}
