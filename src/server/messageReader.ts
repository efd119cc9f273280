/**
 * The stdio transport's message reader. vscode-jsonrpc's own reader gives up on the stream after
 * one malformed frame: it reports the bad header, then reads that frame's body as the next header,
 * and from there never finds a frame again, `exit` included. This one logs the bad frame, drops
 * it, and reads on from the next `Content-Length:` header.
 */
import { AbstractMessageReader, Disposable, type DataCallback, type Message, type MessageReader } from 'vscode-languageserver/node';

const HEADER_END = Buffer.from('\r\n\r\n', 'ascii');
const CONTENT_LENGTH = 'content-length:';
/** A header section is a line or two; a longer run without its blank line is not one. */
const MAX_HEADER_BYTES = 8 * 1024;
/** The receive buffer's first size, and the size it returns to when idle after a large message. */
const INITIAL_BUFFER_BYTES = 64 * 1024;
/** Above this, an emptied receive buffer is given back rather than kept for the next message. */
const MAX_IDLE_BUFFER_BYTES = 4 * 1024 * 1024;
/** Input quoted in a log line: enough to recognise it. */
const QUOTED_BYTES = 200;

/** The body length a header section declares, or why it declares none. */
function contentLength(headers: string): number | string {
  let length: number | undefined;
  for (const line of headers.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) return `a header line without "name: value"`;
    if (line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    // parseInt would take "12abc" for 12 and read the frame's end in the wrong place.
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) return `Content-Length is not a number`;
    length = Number(value);
  }
  return length ?? 'no Content-Length header';
}

/**
 * Reads LSP base-protocol frames (`Content-Length: N`, a blank line, N bytes of JSON) from a
 * stream. A frame whose header is malformed, or whose body is not a JSON object, is logged
 * through `log` and skipped; reading resumes at the next `Content-Length:` header.
 */
export class ResyncingMessageReader extends AbstractMessageReader implements MessageReader {
  /**
   * Bytes received and not yet consumed are `buffer[start, end)`. One buffer, reused from message
   * to message, rather than a new one joined for each: a client that resends a large document on
   * every keystroke would otherwise have the server allocate (and later free) a copy of each.
   */
  private buffer = Buffer.allocUnsafe(INITIAL_BUFFER_BYTES);
  private start = 0;
  private end = 0;
  /** The length of the body being awaited, once its header is read. */
  private bodyLength: number | undefined;

  /**
   * @param readable the client's side of the transport (the process's stdin)
   * @param log where a skipped frame is reported (never stdout: that is the protocol's)
   */
  constructor(
    private readonly readable: NodeJS.ReadableStream,
    private readonly log: (message: string) => void,
  ) {
    super();
  }

  /** Starts delivering messages to `callback`; the returned disposable stops it. */
  listen(callback: DataCallback): Disposable {
    let closed = false;
    const onData = (data: Buffer | string): void => this.receive(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, callback);
    const onError = (error: Error): void => this.fireError(error);
    // 'end' and 'close' both come when the client goes: report one close.
    const onClose = (): void => {
      if (closed) return;
      closed = true;
      this.fireClose();
    };
    this.readable.on('data', onData);
    this.readable.on('error', onError);
    this.readable.on('end', onClose);
    this.readable.on('close', onClose);
    return Disposable.create(() => {
      this.readable.off('data', onData);
      this.readable.off('error', onError);
      this.readable.off('end', onClose);
      this.readable.off('close', onClose);
    });
  }

  private receive(data: Buffer, callback: DataCallback): void {
    this.append(data);
    for (;;) {
      if (this.bodyLength === undefined) {
        const pending = this.pending();
        const end = pending.indexOf(HEADER_END);
        if (end < 0) {
          if (pending.length > MAX_HEADER_BYTES) this.resync(pending, `${pending.length} bytes without the blank line that ends a header`);
          return;
        }
        const headers = pending.toString('latin1', 0, end);
        const length = contentLength(headers);
        if (typeof length === 'string') {
          this.resync(pending, `${length} in ${JSON.stringify(headers.slice(0, QUOTED_BYTES))}`);
          continue;
        }
        this.consume(end + HEADER_END.length);
        this.bodyLength = length;
      }
      if (this.end - this.start < this.bodyLength) return;
      const body = this.pending().subarray(0, this.bodyLength);
      const message = this.decode(body);
      this.consume(this.bodyLength);
      this.bodyLength = undefined;
      if (message) callback(message);
    }
  }

  private decode(body: Buffer): Message | undefined {
    let message: unknown;
    try {
      message = JSON.parse(body.toString('utf8'));
    } catch (error) {
      this.log(`skipped a frame whose body is not JSON (${(error as Error).message}): ${JSON.stringify(body.toString('utf8', 0, QUOTED_BYTES))}`);
      return undefined;
    }
    if (typeof message === 'object' && message !== null && !Array.isArray(message)) return message as Message;
    this.log(`skipped a frame whose body is not a JSON-RPC message: ${JSON.stringify(body.toString('utf8', 0, QUOTED_BYTES))}`);
    return undefined;
  }

  /** Drops the bad frame at the front of `pending`: everything up to the next `Content-Length:` header. */
  private resync(pending: Buffer, why: string): void {
    // latin1 maps each byte to one character, so string offsets are byte offsets.
    const text = pending.toString('latin1').toLowerCase();
    let drop = text.indexOf(CONTENT_LENGTH, 1);
    if (drop < 0) {
      // No next header yet: keep only a tail that may be the start of one, split across chunks.
      let tail = Math.min(CONTENT_LENGTH.length - 1, text.length - 1);
      while (tail > 0 && !CONTENT_LENGTH.startsWith(text.slice(text.length - tail))) tail--;
      drop = text.length - tail;
    }
    this.log(`skipped ${drop} bytes of a malformed frame (${why})`);
    this.consume(drop);
  }

  /** The unconsumed bytes, without copying. */
  private pending(): Buffer {
    return this.buffer.subarray(this.start, this.end);
  }

  private append(data: Buffer): void {
    const pending = this.end - this.start;
    if (this.end + data.length > this.buffer.length) {
      const needed = pending + data.length;
      if (needed <= this.buffer.length) this.buffer.copy(this.buffer, 0, this.start, this.end);
      else {
        const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.buffer.length));
        this.buffer.copy(grown, 0, this.start, this.end);
        this.buffer = grown;
      }
      this.start = 0;
      this.end = pending;
    }
    data.copy(this.buffer, this.end);
    this.end += data.length;
  }

  private consume(bytes: number): void {
    this.start += bytes;
    if (this.start < this.end) return;
    this.start = this.end = 0;
    // One huge message must not pin its buffer for the rest of the session.
    if (this.buffer.length > MAX_IDLE_BUFFER_BYTES) this.buffer = Buffer.allocUnsafe(INITIAL_BUFFER_BYTES);
  }
}
