// Where a response body comes from: the live node:http message (decompressed,
// metered against the body limits, tied to the call's abort and deadline), or a
// buffer shared by a response and its clones; and how a body nobody reads is
// got rid of without losing the keep-alive connection when it can be kept.
// The web ReadableStream over a message is a small adapter rather than
// Readable.toWeb(), whose cancel() destroys the message and with it the
// keep-alive socket even when the whole body had already arrived: here cancel()
// drains a complete body (the socket goes back to the pool) and closes the
// connection only for a body still coming (an endless SSE stream).
import type http from 'node:http';
import zlib from 'node:zlib';
import type { Duplex, Readable } from 'node:stream';
import type { BodyMeter } from './body-limits';
import { terminated, type CallState } from './call-state';

/** Where a response body comes from: the live message, or a buffer shared with clones. */
export interface BodySource {
  readAll(): Promise<Buffer>;
  toWeb(): ReadableStream<Uint8Array>;
}

const DECODED_ENCODINGS = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

export function isDecoded(encoding: string | null): boolean {
  return DECODED_ENCODINGS.has(encoding?.trim().toLowerCase() ?? '');
}

function decoderFor(encoding: string | null): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(flush);
    case 'deflate':
      return zlib.createInflate(flush);
    case 'br':
      return zlib.createBrotliDecompress({
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    default:
      return undefined;
  }
}

export class MessageBody implements BodySource {
  readonly #message: http.IncomingMessage;
  readonly #stream: Readable;
  readonly #state: CallState;
  readonly #meter: BodyMeter;
  #error: unknown;
  #settled = false;
  /** Settles once the body has: undefined when it ended or was cancelled, else the error that ended it. */
  readonly outcome: Promise<unknown>;
  #reportOutcome!: (error: unknown) => void;

  constructor(message: http.IncomingMessage, state: CallState, encoding: string | null, meter: BodyMeter) {
    this.outcome = new Promise((resolve) => (this.#reportOutcome = resolve));
    this.#message = message;
    this.#state = state;
    this.#meter = meter;
    const decoder = decoderFor(encoding);
    if (decoder) {
      message.on('error', (error) => decoder.destroy(error));
      decoder.on('error', () => message.destroy()); // a corrupt body: give up the connection
      message.on('data', (chunk: Buffer) => meter.compressed(chunk.length)); // next to pipe(): both see every chunk
      message.pipe(decoder);
      this.#stream = decoder;
    } else {
      this.#stream = message;
    }
    // Always listening: an unhandled 'error' (abort, connection reset) would crash the process.
    this.#stream.on('error', (error) => {
      if (this.#error === undefined) this.#error = terminated(state, error);
      this.#settle();
    });
    this.#stream.once('end', () => this.#settle());
    const early = meter.early(message.headers['content-length'] ?? null);
    if (early) state.fail(early); // refused before a byte of it is read
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#state.release();
    this.#reportOutcome(this.#error);
  }

  /** Meters a decoded chunk; false when it put the body over a limit (the call then fails with the reason). */
  #accept(chunk: Buffer): boolean {
    const refused = this.#meter.check(chunk);
    if (!refused) return true;
    this.#state.fail(refused);
    return false;
  }

  readAll(): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.#error !== undefined) {
        reject(this.#error);
        return;
      }
      const chunks: Buffer[] = [];
      let length = 0;
      let refused = false;
      const stream = this.#stream;
      stream.on('data', (chunk: Buffer) => {
        if (refused) return;
        if (!this.#accept(chunk)) {
          refused = true;
          chunks.length = 0; // let it go now, not when the promise settles
          return;
        }
        chunks.push(chunk);
        length += chunk.length;
      });
      stream.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length)));
      stream.once('error', () => reject(this.#error));
    });
  }

  toWeb(): ReadableStream<Uint8Array> {
    const stream = this.#stream;
    let open = true;
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          if (this.#error !== undefined) {
            open = false;
            controller.error(this.#error);
            return;
          }
          stream.on('data', (chunk: Buffer) => {
            if (!open || !this.#accept(chunk)) return;
            controller.enqueue(chunk);
            if ((controller.desiredSize ?? 1) <= 0) stream.pause();
          });
          stream.once('end', () => {
            if (!open) return;
            open = false;
            controller.close();
          });
          stream.once('error', () => {
            if (!open) return;
            open = false;
            controller.error(this.#error);
          });
        },
        pull: () => {
          if (open && stream.isPaused()) stream.resume();
        },
        cancel: () => {
          open = false;
          return this.cancel();
        },
      },
      { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
    );
  }

  /**
   * Gives the connection back: if the whole body has arrived it is drained, and
   * the promise settles once the socket is back in the keep-alive pool; if not
   * (an endless SSE stream, say) the connection is closed.
   */
  cancel(): Promise<void> {
    if (this.#settled) return Promise.resolve();
    const message = this.#message;
    if (this.#stream !== message) {
      message.unpipe(this.#stream as Duplex);
      (this.#stream as Duplex).destroy();
    }
    this.#settle();
    if (message.complete) return drain(message);
    message.destroy();
    return Promise.resolve();
  }
}

/** Reads a message to its end, discarding it; settles on end, close or error (never rejects). */
function drain(message: http.IncomingMessage): Promise<void> {
  if (message.readableEnded || message.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      message.off('end', done);
      message.off('close', done);
      message.off('error', done);
      resolve();
    };
    message.on('end', done);
    message.on('close', done);
    message.on('error', done);
    message.resume();
  });
}

export class BufferedBody implements BodySource {
  readonly #data: Promise<Buffer>;

  constructor(data: Promise<Buffer>) {
    this.#data = data;
    data.catch(() => undefined); // observed by whoever reads it
  }

  readAll(): Promise<Buffer> {
    return this.#data;
  }

  toWeb(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      start: async (controller) => {
        try {
          const data = await this.#data;
          if (data.length > 0) controller.enqueue(data);
          controller.close();
        } catch (error) {
          controller.error(error);
        }
      },
    });
  }

}

/**
 * Gets rid of a body nobody will read (a redirect's, a 204's): drained when it is
 * small, so the socket goes back to the pool before the next request; the
 * connection is closed otherwise.
 */
export async function discard(message: http.IncomingMessage): Promise<void> {
  message.on('error', () => undefined);
  const length = Number(message.headers['content-length'] ?? Number.NaN);
  if (message.complete || length <= 64 * 1024) await drain(message);
  else message.destroy();
}
