/** Composition root: builds the services, registers commands and watchers, returns the test-facing API. */
import path from 'node:path';
import * as vscode from 'vscode';
import { FileMemento } from './fileMemento';
import { cleanUpEnvironments } from './commands/cleanUpEnvironments';
import { createEnvironment } from './commands/createEnvironment';
import { freezeEnvironment } from './commands/freezeEnvironment';
import { recreateEnvironment } from './commands/recreateEnvironment';
import { rediscover } from './commands/rediscover';
import { runScript } from './commands/runScript';
import { selectInterpreter } from './commands/selectInterpreter';
import { showLog } from './commands/showLog';
import { syncEnvironment } from './commands/syncEnvironment';
import { FailureReporter } from './feedback';
import { InterpreterService } from './interpreters';
import { startLanguageClient } from './languageClient';
import { registerPythonExtensionInterop } from './pythonExtensionInterop';
import { createLog } from './log';
import { publicApi } from './publicApi';
import { QuickInputs } from './quickInput';
import { createRequirementsWatcher } from './watchers/requirementsWatcher';
import { registerSitePackagesWatcher } from './watchers/sitePackagesWatcher';
import { EnvironmentHealth } from './environmentHealth';
import { OwnWrites } from './ownWrites';
import { adoptOrReportMissing, SelectionStore } from './selection';
import type { PublicApi } from './api';
import type { CommandHandler, Services } from './services';
import type { VenvPilotApi } from './testApi';
import { createStatusBar } from './statusBar';
import { trackedSources } from './trackedSources';
import { registerTerminalEnvironment } from './terminalEnvironment';
import { registerScriptEnvironments } from './scripts/scriptEnvironments';
import { registerViews } from './views';
import * as view from './views/commands';
import { ViewedEnvironment } from './views/viewed';

/** Every command, by the id package.json contributes: one place to see what the extension offers. */
const COMMANDS: Readonly<Record<string, (services: Services) => CommandHandler>> = {
  'venvPilot.createEnvironment': createEnvironment,
  'venvPilot.selectInterpreter': selectInterpreter,
  'venvPilot.rediscover': rediscover,
  'venvPilot.showLog': showLog,
  'venvPilot.syncEnvironment': syncEnvironment,
  'venvPilot.recreateEnvironment': recreateEnvironment,
  'venvPilot.cleanUpEnvironments': cleanUpEnvironments,
  'venvPilot.freezeEnvironment': freezeEnvironment,
  'venvPilot.runScript': runScript,
  'venvPilot.views.selectEnvironment': view.selectEnvironment,
  'venvPilot.views.revealEnvironment': view.revealEnvironment,
  'venvPilot.views.openTerminal': view.openEnvironmentTerminal,
  'venvPilot.views.deleteEnvironment': view.deleteEnvironment,
  'venvPilot.packages.install': view.installPackage,
  'venvPilot.packages.uninstall': view.uninstallPackage,
  'venvPilot.packages.changeVersion': view.changePackageVersion,
  'venvPilot.packages.openHomePage': view.openPackageHomePage,
  'venvPilot.packages.revealFiles': view.revealPackageFiles,
};

export function activate(context: vscode.ExtensionContext): PublicApi | VenvPilotApi {
  const started = performance.now();
  const log = createLog();
  const failures = new FailureReporter(log);
  const quickInputs = new QuickInputs();
  const interpreters = new InterpreterService(context.globalStorageUri, log);
  const state = new FileMemento(context.storageUri && path.join(context.storageUri.fsPath, 'state.json'));
  const selections = new SelectionStore(state);
  const health = new EnvironmentHealth(state, selections, interpreters);
  const statusBar = createStatusBar(selections, health);
  const viewed = new ViewedEnvironment(selections);
  const services: Services = { context, state, log, failures, quickInputs, interpreters, selections, health, ownWrites: new OwnWrites(), viewed };
  const requirementsWatcher = createRequirementsWatcher(services);
  const views = registerViews(services);

  context.subscriptions.push(
    ...[log, failures, quickInputs, interpreters, selections, health, viewed, views],
    ...statusBar.disposables,
    ...Object.entries(COMMANDS).map(([id, handler]) => vscode.commands.registerCommand(id, handler(services))),
    registerSitePackagesWatcher(services),
    startLanguageClient(services),
    registerPythonExtensionInterop(services),
    registerTerminalEnvironment(services),
    registerScriptEnvironments(services),
    requirementsWatcher,
    // A folder without a stored choice uses the venv discovery finds inside it.
    interpreters.onDidChange(() => health.refresh()),
    interpreters.onDidChange((result) => adoptOrReportMissing(services, result.interpreters)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void interpreters.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('venvPilot.discovery') && void interpreters.refresh()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void interpreters.refresh()),
  );
  // Discovery runs in the background: activation never waits for an interpreter.
  void interpreters.refresh();
  // `npm run bench -- activation` reads this line from the log file (the target is activate() <= 50 ms; ARCHITECTURE.md, "Bundles and start-up").
  log.info(`Activated in ${(performance.now() - started).toFixed(1)} ms`);
  const api = publicApi(services);
  // The test-facing parts reach only the extension's own tests, never another extension.
  if (context.extensionMode !== vscode.ExtensionMode.Test) return api;
  return {
    ...api,
    quickInputs,
    statusBarItem: statusBar.item,
    interpreters,
    selections,
    requirementsWatcher,
    failures,
    trackedSources: (folder) => trackedSources(state, folder),
    logUri: context.logUri,
    terminalEnvironment: (workspaceFolder) => context.environmentVariableCollection.getScoped({ workspaceFolder }),
    views,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
