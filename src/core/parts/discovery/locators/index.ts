/** Every locator, in {@link LOCATOR_ORDER}: the first to find an environment decides the path shown for it. */
import type { Locator } from './context';
import { condaLocator } from './conda';
import { envManagersLocator } from './envManagers';
import { pathLocator, systemLocator } from './path';
import { asdfLocator, miseLocator, pyenvLocator, uvLocator } from './versionManagers';
import { windowsLocator } from './windows';
import { settingsLocator, workspaceLocator } from './workspace';

export * from './context';
export { condaLocator } from './conda';
export { envManagersLocator } from './envManagers';
export { pathLocator, shimDirectories, systemInstallations, systemLocator } from './path';
export { asdfLocator, miseLocator, parsePythonVersionFile, pyenvLocator, uvLocator } from './versionManagers';
export { parsePyLauncherOutput, parseRegistryOutput, windowsLocator } from './windows';
export { settingsLocator, workspaceLocator } from './workspace';

export const LOCATORS: readonly Locator[] = [
  workspaceLocator,
  settingsLocator,
  pyenvLocator,
  asdfLocator,
  miseLocator,
  uvLocator,
  condaLocator,
  envManagersLocator,
  windowsLocator,
  pathLocator,
  systemLocator,
];
