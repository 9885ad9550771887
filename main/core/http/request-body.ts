// What a fetch request body may be, and how it is sent: strings, bytes, Blobs
// and URLSearchParams become one Buffer (replayable on a retry or a redirect,
// sent with a Content-Length); an async iterable streams, with backpressure.
import type http from 'node:http';

export type RequestBody = Buffer | AsyncIterable<Uint8Array> | null;

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}

/** Turns a fetch body into bytes (or a stream), and the content type it implies. */
export async function encodeBody(body: unknown): Promise<{ data: RequestBody; contentType: string | undefined }> {
  if (body === undefined || body === null) return { data: null, contentType: undefined };
  if (typeof body === 'string') return { data: Buffer.from(body, 'utf8'), contentType: 'text/plain;charset=UTF-8' };
  if (body instanceof URLSearchParams) {
    return { data: Buffer.from(body.toString(), 'utf8'), contentType: 'application/x-www-form-urlencoded;charset=UTF-8' };
  }
  if (Buffer.isBuffer(body)) return { data: body, contentType: undefined };
  if (ArrayBuffer.isView(body)) return { data: Buffer.from(body.buffer, body.byteOffset, body.byteLength), contentType: undefined };
  if (body instanceof ArrayBuffer || body instanceof SharedArrayBuffer) return { data: Buffer.from(body), contentType: undefined };
  if (body instanceof Blob) {
    return { data: Buffer.from(await body.arrayBuffer()), contentType: body.type || undefined };
  }
  if (Object.prototype.toString.call(body) === '[object FormData]') {
    throw new TypeError('FormData bodies are not supported by the node:http fetch');
  }
  if (isAsyncIterable(body)) return { data: body, contentType: undefined };
  return { data: Buffer.from(String(body), 'utf8'), contentType: 'text/plain;charset=UTF-8' };
}

export async function pipeBody(body: AsyncIterable<Uint8Array>, request: http.ClientRequest): Promise<void> {
  try {
    for await (const chunk of body) {
      if (request.destroyed) return;
      if (!request.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            request.off('drain', done);
            request.off('close', done);
            resolve();
          };
          request.on('drain', done);
          request.on('close', done);
        });
      }
    }
    request.end();
  } catch (error) {
    request.destroy(error as Error);
  }
}
