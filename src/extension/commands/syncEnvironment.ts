import { activeFolder } from '../folders';
import type { CommandHandler, Services } from '../services';
import { syncFolder } from '../workflows/syncFolder';

/** "Venv Pilot: Sync Environment with Requirements" for the active folder. */
export function syncEnvironment(services: Services): CommandHandler {
  return () => {
    const folder = activeFolder();
    return folder ? syncFolder(services, folder) : undefined;
  };
}
