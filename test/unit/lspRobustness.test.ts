import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Hover, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { startLsp, type LspSession } from '../fixtures/lspClient';
import { tempDir } from '../fixtures/machine';

/** `promise`, or a failure naming `what` after `ms`: a server that went deaf must fail the test, not hang it. */
async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The server process's resident set, in MiB, as the kernel counts it. */
function rssMiB(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  assert.ok(kib, `VmRSS of ${pid}`);
  return Number(kib) / 1024;
}

describe('language server robustness', () => {
  for (const entry of ['cli', 'server'] as const) {
    it(`logs and skips a malformed frame, then answers and exits on request (${entry === 'cli' ? 'venv-pilot lsp --stdio' : 'dist/server.js --stdio'})`, { timeout: 60_000 }, async () => {
      const root = tempDir();
      const session = await startLsp(root, undefined, { entry });
      try {
        const uri = await session.open(path.join(root, 'requirements.txt'), '--pre\n');
        const hoverPre = (): Promise<Hover | null> => session.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 2 } });
        assert.match(JSON.stringify((await hoverPre())?.contents), /--pre/);
        const stdin = session.server.stdin;
        assert.ok(stdin);
        // A non-numeric length with a body (which must not run: it asks for shutdown), then a header without any length.
        stdin.write('Content-Length: abc\r\n\r\n{"jsonrpc":"2.0","id":99,"method":"shutdown"}');
        stdin.write('Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n');
        assert.match(JSON.stringify((await within(10_000, hoverPre(), 'hover after a malformed frame'))?.contents), /--pre/);
        assert.ok(session.stderr.some((line) => /Content-Length: abc/.test(line)), `the malformed frame is logged: ${session.stderr.join('\n')}`);
        assert.equal(await within(10_000, session.connection.sendRequest('shutdown'), 'shutdown'), null);
        await session.connection.sendNotification('exit');
        assert.equal(await within(10_000, session.server.exited, 'the process to end on exit'), 0);
      } finally {
        await session.close();
      }
    });
  }

  it('keeps its memory bounded over 2,000 full-document edits of a 200 KB line', { timeout: 300_000 }, async (t) => {
    const root = tempDir();
    const session: LspSession = await startLsp(root);
    try {
      const file = path.join(root, 'requirements.txt');
      // An invalid requirement (an unknown marker variable) of 200 KB, different in every version.
      const padding = 'x'.repeat(200_000);
      const textOf = (version: number): string => `pilotfish==1.0; ${padding} ${version}\n`;
      let version = 1;
      const opened = session.nextDiagnostics(`file://${file}`);
      const uri = await session.open(file, textOf(version));
      assert.equal((await opened).diagnostics.length, 1);
      const edit = async (count: number): Promise<void> => {
        for (let i = 0; i < count; i++) {
          version++;
          await session.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text: textOf(version) }] });
        }
        // Answered only after every notification before it was handled.
        await session.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 2 } });
      };
      await edit(100);
      const early = rssMiB(session.server.pid);
      // Listening from before the last edit: the latest version must be the one analysed in the end.
      const last = version + 1_900;
      const final = (async (): Promise<PublishDiagnosticsParams> => {
        for (;;) {
          const published = await session.nextDiagnostics(uri);
          if (published.version === last) return published;
        }
      })();
      await edit(1_900);
      const late = rssMiB(session.server.pid);
      // Right after the burst, RSS also holds garbage V8 has not collected yet: a burst of 200 KB
      // messages grows its young generation to the maximum, and V8 gives that back (its memory
      // reducer) some seconds after allocation stops. A leak is what stays.
      const burstEnd = Date.now();
      let settled = late;
      while (settled > early * 1.5 && Date.now() < burstEnd + 30_000) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        settled = rssMiB(session.server.pid);
      }
      const ratio = (rss: number): string => `${rss.toFixed(1)} MiB (${(rss / early).toFixed(2)}x)`;
      const figures = `server RSS after 100 edits: ${early.toFixed(1)} MiB; right after 2,000 edits: ${ratio(late)}; ${((Date.now() - burstEnd) / 1000).toFixed(1)} s later: ${ratio(settled)}`;
      t.diagnostic(figures);
      console.log(figures);
      assert.ok(settled <= early * 1.5, figures);
      const published = await within(10_000, final, `diagnostics of version ${last}`);
      assert.equal(published.diagnostics.length, 1);
      assert.match(published.diagnostics[0]?.message ?? '', /^Invalid requirement/);
    } finally {
      await session.close();
    }
  });
});
