// How much a server may send back, by kind (DESIGN "Security baseline").
//
// A hostile or broken server must not be able to make MCP Keyring allocate
// without bound: a 50 MB metadata document, a 400 MB JSON reply or a gzip bomb
// were all read whole before. The fetch (./response-body.ts) meters every body as
// it arrives and fails it with ResponseTooLargeError as soon as it goes over:
// - OAuth JSON (discovery, registration, token, revocation): 1 MiB. Real
//   documents are a few KiB; 1 MiB leaves room for the largest OIDC metadata.
// - One MCP message: 64 MiB, the whole body of a JSON reply, or one event of an
//   event stream (the SDK parses either whole, so that is what must be bounded;
//   a stream itself may last for ever). 64 MiB holds a resource of ~48 MB in
//   base64, well above what an MCP client puts into a conversation, and still
//   keeps a hostile reply within a few hundred MB of memory while it is parsed.
// - Compressed bodies: the inflated size counts against the limits above, and
//   after the first MiB more than 100 bytes out per byte in is refused (real
//   JSON inflates 5–20×; gzip bombs ~1000×), so a bomb costs neither memory nor
//   the CPU time of inflating it up to the size limit.

export interface BodyLimits {
  /** Largest body after decompression (anything but an event stream). */
  readonly maxBodyBytes: number;
  /** Largest single event of a text/event-stream body (bytes up to its blank line). */
  readonly maxEventBytes: number;
  /** Most inflated bytes per compressed byte, checked once `inflateGraceBytes` came out. */
  readonly maxInflateRatio: number;
  readonly inflateGraceBytes: number;
}

const MiB = 1024 * 1024;

export const MCP_BODY_LIMITS: BodyLimits = { maxBodyBytes: 64 * MiB, maxEventBytes: 64 * MiB, maxInflateRatio: 100, inflateGraceBytes: MiB };
export const OAUTH_BODY_LIMITS: BodyLimits = { maxBodyBytes: MiB, maxEventBytes: MiB, maxInflateRatio: 100, inflateGraceBytes: MiB };

export function formatBytes(bytes: number): string {
  return bytes >= MiB ? `${Math.round((bytes / MiB) * 10) / 10} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/** A body went over a limit; `code` lets error handlers recognise it without instanceof. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  constructor(
    readonly code: 'ERR_RESPONSE_TOO_LARGE' | 'ERR_INFLATE_RATIO',
    message: string,
  ) {
    super(message);
  }
}

/** Where an event stream is: an event begun (its first byte came) or ended (its blank line came). */
export interface EventWatcher {
  begun(): void;
  ended(): void;
}

/**
 * Meters one response body: the compressed bytes from the network, and the
 * decoded bytes the reader sees. For an event stream it also finds the start
 * and end of each event (a blank line, with LF, CR or CRLF line ends, as the SSE
 * parser does) so that one event, not the stream, is bounded, and tells the
 * watcher (the fetch's deadline for finishing an event).
 */
export class BodyMeter {
  #compressed = 0;
  #decoded = 0;
  #sinceEvent = 0;
  #lineLength = 0;
  #afterCR = false;

  constructor(
    private readonly limits: BodyLimits,
    private readonly origin: string,
    private readonly eventStream: boolean,
    private readonly compressedBody: boolean,
    private readonly events?: EventWatcher,
  ) {}

  /** The declared length already says no (an uncompressed, non-stream body). */
  early(contentLength: string | null): ResponseTooLargeError | undefined {
    if (this.eventStream || this.compressedBody || contentLength === null) return undefined;
    const length = Number(contentLength);
    return Number.isFinite(length) && length > this.limits.maxBodyBytes ? this.#tooLarge(length) : undefined;
  }

  /** Bytes as they came off the network (before decompression). */
  compressed(length: number): void {
    this.#compressed += length;
  }

  /** Decoded bytes the reader is about to get; an error means: stop, the body is refused. */
  check(chunk: Uint8Array): ResponseTooLargeError | undefined {
    this.#decoded += chunk.byteLength;
    if (!this.compressedBody) this.#compressed = this.#decoded;
    else if (this.#decoded > this.limits.inflateGraceBytes && this.#decoded > this.#compressed * this.limits.maxInflateRatio) {
      return new ResponseTooLargeError(
        'ERR_INFLATE_RATIO',
        `${this.origin} sent a compressed body that inflates more than ${this.limits.maxInflateRatio} times (${formatBytes(this.#decoded)} from ${formatBytes(this.#compressed)}): refused as a decompression bomb`,
      );
    }
    if (!this.eventStream) return this.#decoded > this.limits.maxBodyBytes ? this.#tooLarge() : undefined;
    return this.#scanEvents(chunk);
  }

  #tooLarge(declared?: number): ResponseTooLargeError {
    const size = declared === undefined ? `more than ${formatBytes(this.limits.maxBodyBytes)}` : formatBytes(declared);
    return new ResponseTooLargeError('ERR_RESPONSE_TOO_LARGE', `${this.origin} sent a response of ${size}, over MCP Keyring's limit of ${formatBytes(this.limits.maxBodyBytes)} for it: refused`);
  }

  #scanEvents(chunk: Uint8Array): ResponseTooLargeError | undefined {
    // Jumps from line end to line end with the native indexOf: the bridge runs in V8's lite mode (no
    // optimising compiler), where a loop over every byte of a 64 MiB event would take seconds.
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const length = bytes.length;
    let at = 0;
    let nextLF = bytes.indexOf(0x0a, at);
    let nextCR = bytes.indexOf(0x0d, at);
    while (at < length) {
      if (this.#afterCR && bytes[at] === 0x0a) {
        this.#afterCR = false; // the LF of a CRLF: the line already ended at the CR
        at++;
        if (nextLF !== -1 && nextLF < at) nextLF = bytes.indexOf(0x0a, at);
        continue;
      }
      const end = Math.min(nextLF === -1 ? length : nextLF, nextCR === -1 ? length : nextCR);
      if (end > at) {
        if (this.#sinceEvent === 0) this.events?.begun();
        this.#lineLength += end - at;
        this.#sinceEvent += end - at;
        this.#afterCR = false;
      }
      if (end === length) break;
      if (this.#lineLength === 0 && this.#sinceEvent > 0) {
        this.#sinceEvent = 0;
        this.events?.ended();
      }
      this.#lineLength = 0;
      this.#afterCR = bytes[end] === 0x0d;
      at = end + 1;
      if (nextLF !== -1 && nextLF < at) nextLF = bytes.indexOf(0x0a, at);
      if (nextCR !== -1 && nextCR < at) nextCR = bytes.indexOf(0x0d, at);
    }
    if (this.#sinceEvent > this.limits.maxEventBytes) {
      return new ResponseTooLargeError(
        'ERR_RESPONSE_TOO_LARGE',
        `${this.origin} sent an event of more than ${formatBytes(this.limits.maxEventBytes)} on its event stream, over MCP Keyring's limit for one message: refused`,
      );
    }
    return undefined;
  }
}
