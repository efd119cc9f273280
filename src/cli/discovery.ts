/** Discovery options shared by the commands that find or probe interpreters. */
import type { DiscoveryOptions } from '../core/parts/discovery/types';
import { probeCacheFile, userCacheDir } from '../core/leaves/paths';
import { warn, type Values } from './command';

/**
 * The CLI's discovery: the per-user probe cache, and the `--workspace` folders given. With
 * `--untrusted`, interpreters inside those folders are described from `pyvenv.cfg` and never
 * run, the rule the extension applies to an untrusted workspace.
 */
export function discoveryOptions(values: Values, signal: AbortSignal): DiscoveryOptions {
  return { cacheFile: probeCacheFile(userCacheDir()), workspaceFolders: (values.workspace as string[] | undefined) ?? [], trustedWorkspace: values.untrusted !== true, signal, onWarning: (message) => warn(`warning: ${message}`) };
}
