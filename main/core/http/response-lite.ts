// ResponseLite: the `Response` the node:http fetch returns (./node-fetch.ts),
// with the members the MCP SDK, eventsource and oauth4webapi use, so that the
// bridge never reads undici's global Response (see ./headers-lite.ts).
// response.body is a web ReadableStream made on first access; text()/json()
// read the message directly and never make one (./response-body.ts).
import { HeadersLite } from './headers-lite';
import { BufferedBody, MessageBody, type BodySource } from './response-body';

function consumedStream(): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start: (controller) => controller.error(new TypeError('Body is unusable: Body has already been read')),
  });
}

function decodeUtf8(data: Buffer): string {
  const text = data.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

async function readWebStream(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
  }
  return Buffer.concat(chunks, length);
}

export interface ResponseInit {
  status: number;
  statusText: string;
  headers: HeadersLite;
  url: string;
  redirected: boolean;
}

/**
 * @internal Not part of fetch: `response[bodyOutcome]()` settles once the body is
 * done, with undefined (read to its end, cancelled, or no body) or the error that
 * ended it (a refused size, a deadline, a broken connection) — for a caller that
 * must react to a body failing while someone else reads it (the bridge answers
 * the requests of an event stream that was cut off).
 */
export const bodyOutcome = Symbol('bodyOutcome');

/** The Response members the MCP SDK, eventsource and oauth4webapi use, over a node:http IncomingMessage. */
export class ResponseLite implements Response {
  readonly status: number;
  readonly statusText: string;
  readonly headers: HeadersLite;
  readonly url: string;
  readonly redirected: boolean;
  readonly type: ResponseType = 'basic';
  #source: BodySource | null;
  #stream: ReadableStream<Uint8Array> | null | undefined; // undefined: not created yet
  #used = false;
  readonly #outcome: Promise<unknown>;

  /** @internal Made by createNodeFetch(). */
  constructor(init: ResponseInit, source: BodySource | null, outcome?: Promise<unknown>) {
    this.status = init.status;
    this.statusText = init.statusText;
    this.headers = init.headers;
    this.url = init.url;
    this.redirected = init.redirected;
    this.#source = source;
    this.#outcome = outcome ?? (source instanceof MessageBody ? source.outcome : Promise.resolve(undefined));
  }

  /** @internal See bodyOutcome. */
  [bodyOutcome](): Promise<unknown> {
    return this.#outcome;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  /** A web ReadableStream over the body, made on first access; null for HEAD, 204, 205 and 304. */
  get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    if (this.#stream === undefined) {
      // After text()/json()/..., the body is gone: hand out a stream that says so instead of a second reader of the same message.
      this.#stream = !this.#source ? null : this.#used ? consumedStream() : this.#source.toWeb();
    }
    return this.#stream as ReadableStream<Uint8Array<ArrayBuffer>> | null;
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#stream?.locked ?? false);
  }

  get [Symbol.toStringTag](): string {
    return 'Response';
  }

  async #consume(): Promise<Buffer> {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    if (this.#stream) return readWebStream(this.#stream); // the stream was handed out: read through it
    if (!this.#source) return Buffer.alloc(0);
    return this.#source.readAll(); // fast path: straight from the IncomingMessage
  }

  async text(): Promise<string> {
    return decodeUtf8(await this.#consume());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const data = await this.#consume();
    return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  async blob(): Promise<Blob> {
    const data = await this.arrayBuffer();
    return new Blob([data], { type: this.headers.get('content-type') ?? '' });
  }

  async formData(): Promise<FormData> {
    throw new TypeError('formData() is not supported by the node:http fetch');
  }

  /**
   * Clones a response whose body has not been touched: the body is then read
   * to its end into memory and shared by both (fine for the small JSON bodies
   * oauth4webapi clones; do not clone an endless event stream).
   */
  clone(): ResponseLite {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    if (this.#stream !== undefined && this.#stream !== null) {
      throw new TypeError('Response.clone is not supported once the body stream was accessed');
    }
    if (this.#source instanceof MessageBody) this.#source = new BufferedBody(this.#source.readAll());
    return new ResponseLite(
      { status: this.status, statusText: this.statusText, headers: new HeadersLite(this.headers), url: this.url, redirected: this.redirected },
      this.#source,
      this.#outcome,
    );
  }
}
