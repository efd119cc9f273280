import os from 'node:os';
import path from 'node:path';
import { run } from '../../leaves/process';
import { describeCandidates } from './describe';
import { LOCATORS, type Locator, type LocatorContext } from './locators';
import type { DiscoveryOptions, DiscoveryResult } from './types';

export { compareInterpreters, describeCandidates } from './describe';
export type { DiscoveryOptions } from './types';

/**
 * Finds every Python interpreter on this machine and in the workspace folders: every locator's
 * candidates (or `locators`'), described by {@link describeCandidates}. Environments found twice
 * (a venv reached through PATH, `/usr/bin/python3` and `/usr/bin/python3.11`) are listed once,
 * under the path of the highest-priority locator. Broken interpreters become `problems`;
 * discovery itself only throws on abort.
 *
 * @throws {CancelledError} when `signal` aborts.
 */
export async function discoverInterpreters(options: DiscoveryOptions & { readonly locators?: readonly Locator[] } = {}): Promise<DiscoveryResult> {
  const context = await locatorContext(options);
  return describeCandidates((options.locators ?? LOCATORS).flatMap((locate) => locate(context)), options);
}

/** The locator context, with the Windows registry and py launcher read first on Windows. */
async function locatorContext(options: DiscoveryOptions): Promise<LocatorContext> {
  const platform = options.platform ?? process.platform;
  const windowsOutput = async (argv: string[]): Promise<string> =>
    platform === 'win32' && process.platform === 'win32'
      ? run(argv, { timeoutMs: options.probeTimeoutMs ?? 5000, log: options.log, signal: options.signal }).then((r) => r.stdout, () => '')
      : '';
  const [hkcu, hklm, py] = await Promise.all([
    windowsOutput(['reg', 'query', 'HKCU\\Software\\Python', '/s']),
    windowsOutput(['reg', 'query', 'HKLM\\Software\\Python', '/s']),
    windowsOutput(['py', '--list-paths']),
  ]);
  return {
    env: options.env ?? process.env,
    home: options.home ?? os.homedir(),
    platform,
    workspaceFolders: (options.workspaceFolders ?? []).map((f) => path.resolve(f)),
    workspaceSearchPaths: options.workspaceSearchPaths,
    extraSearchPaths: options.extraSearchPaths,
    registryOutput: `${hkcu}\n${hklm}`,
    pyLauncherOutput: py,
  };
}

