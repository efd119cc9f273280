import type { CommandHandler, Services } from '../services';

/** "Venv Pilot: Show Log": every command line venv-pilot ran, and pip's output. */
export function showLog(services: Services): CommandHandler {
  return () => services.log.show();
}
