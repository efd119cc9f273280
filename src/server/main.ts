/** dist/server.js: the language server process the extension starts (transport chosen by its arguments). */
import { startServer } from './server';

startServer();
