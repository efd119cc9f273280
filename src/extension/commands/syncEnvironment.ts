import { folderOf } from '../folders';
import type { CommandHandler, Services } from '../services';
import { syncFolder } from '../workflows/syncFolder';

/** "Venv Pilot: Sync Environment with Requirements" for the active folder, or the folder of the view row it was invoked on. */
export function syncEnvironment(services: Services): CommandHandler {
  return (arg?: unknown) => {
    const folder = folderOf(arg);
    return folder ? syncFolder(services, folder) : undefined;
  };
}
