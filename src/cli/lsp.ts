/** `venv-pilot lsp --stdio`: the requirements language server, for Neovim, Helix and other editors. */
import { UsageError, type Command } from './command';

export const command: Command = {
  options: { stdio: { type: 'boolean' } },
  run: async (_positionals, values) => {
    if (!values.stdio) throw new UsageError('lsp needs --stdio (the only transport offered)');
    const { startStdioServer } = await import('../server/server');
    startStdioServer();
    // The connection keeps the process alive until the client exits.
    await new Promise<never>(() => undefined);
  },
};
