// A small WHATWG `Headers` for the bridge process.
//
// Why this exists: in Node 20 the globals `Headers`, `Response`, `Request` and
// `FormData` are lazy getters that load Node's bundled undici the first time
// they are read, and `fetch` loads it on its first call. Measured on Node 20:
// a bare node process is ~41 MB RSS; merely touching `Headers` loads undici and
// adds ~12 MB; using the global fetch adds ~30 MB (undici's WebAssembly HTTP
// parser); requests made with node:http add almost nothing. The bridge must
// stay under 60 MB peak RSS, so it talks HTTP through `createNodeFetch()`
// (./node-fetch.ts) and must never read those globals. The MCP SDK transports
// still call `new Headers(...)` themselves, hence `installHeadersLite()`, which
// puts this class in place of the lazy global before anything reads it.
//
// Behaviour follows the Fetch standard's Headers class (guard "none"): names
// are case-insensitive and validated as tokens, values are trimmed of leading
// and trailing HTTP whitespace and may not contain NUL, CR or LF, `get()` joins
// repeated values with ", ", `getSetCookie()` returns the Set-Cookie values one
// by one, and iteration yields lowercase names in sorted order with repeated
// values combined (except Set-Cookie, which is yielded once per value).

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Leading/trailing HTTP whitespace: tab, LF, CR, space.
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;
// Forbidden inside a value after trimming; also anything outside the ByteString range.
const INVALID_VALUE = /[\0\n\r]|[^\0-\u00ff]/;

/** What `new HeadersLite(init)` accepts: another Headers (ours or undici's, no `instanceof` needed), pairs, or a record. */
export type HeadersLiteInit =
  | HeadersLite
  | Iterable<readonly [string, string] | readonly string[]>
  | string[][]
  | Record<string, string | readonly string[]>
  | { entries(): Iterable<readonly [string, string]> };

function normalizeName(name: unknown): string {
  const text = String(name);
  if (!TOKEN.test(text)) throw new TypeError(`Invalid header name: "${text}"`);
  return text.toLowerCase();
}

function normalizeValue(name: string, value: unknown): string {
  const text = String(value).replace(EDGE_WHITESPACE, '');
  if (INVALID_VALUE.test(text)) throw new TypeError(`Invalid value for header "${name}"`);
  return text;
}

function isIterable(value: object): value is Iterable<unknown> {
  return typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

const appendTrusted = Symbol('appendTrusted');

export class HeadersLite implements Headers {
  // Lowercase name -> values in insertion order. A Map keeps first-insertion order;
  // iteration sorts anyway, as the standard says.
  readonly #map = new Map<string, string[]>();

  constructor(init?: HeadersLiteInit | null) {
    if (init === undefined || init === null) return;
    if (typeof init !== 'object' && typeof init !== 'function') {
      throw new TypeError("Failed to construct 'Headers': The provided value is not of type 'HeadersInit'");
    }
    if (init instanceof HeadersLite) {
      for (const [name, values] of init.#map) this.#map.set(name, values.slice());
      return;
    }
    // Anything iterable (undici's Headers, Map, arrays of pairs...). Deliberately no
    // `instanceof Headers`: reading the global would load undici.
    const source: unknown = isIterable(init)
      ? init
      : typeof (init as { entries?: unknown }).entries === 'function' && !isPlainRecord(init)
        ? (init as { entries(): Iterable<unknown> }).entries()
        : undefined;
    if (source !== undefined) {
      for (const pair of source as Iterable<unknown>) {
        if (pair === null || typeof pair !== 'object' || !isIterable(pair)) {
          throw new TypeError("Failed to construct 'Headers': The provided value cannot be converted to a sequence.");
        }
        const items = Array.from(pair as Iterable<unknown>);
        if (items.length !== 2) {
          throw new TypeError("Failed to construct 'Headers': Invalid value (each header must be a [name, value] pair)");
        }
        this.append(String(items[0]), String(items[1]));
      }
      return;
    }
    for (const key of Object.keys(init)) {
      const value = (init as Record<string, unknown>)[key];
      // A record's values are strings; arrays (as in Node's IncomingHttpHeaders) are appended one by one.
      if (Array.isArray(value)) for (const item of value) this.append(key, String(item));
      else this.append(key, String(value));
    }
  }

  append(name: string, value: string): void {
    const key = normalizeName(name);
    const normalized = normalizeValue(key, value);
    const values = this.#map.get(key);
    if (values) values.push(normalized);
    else this.#map.set(key, [normalized]);
  }

  /** @internal Appends a name/value pair that came from Node's HTTP parser, skipping validation (it is already valid). */
  [appendTrusted](name: string, value: string): void {
    const key = name.toLowerCase();
    const values = this.#map.get(key);
    if (values) values.push(value);
    else this.#map.set(key, [value]);
  }

  delete(name: string): void {
    this.#map.delete(normalizeName(name));
  }

  get(name: string): string | null {
    const values = this.#map.get(normalizeName(name));
    return values ? values.join(', ') : null;
  }

  getSetCookie(): string[] {
    return this.#map.get('set-cookie')?.slice() ?? [];
  }

  has(name: string): boolean {
    return this.#map.has(normalizeName(name));
  }

  set(name: string, value: string): void {
    const key = normalizeName(name);
    this.#map.set(key, [normalizeValue(key, value)]);
  }

  forEach(callbackfn: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    if (typeof callbackfn !== 'function') throw new TypeError("Headers.forEach: argument 1 is not a function");
    for (const [name, value] of this.#pairs()) callbackfn.call(thisArg, value, name, this);
  }

  *entries(): HeadersIterator<[string, string]> {
    yield* this.#pairs();
  }

  *keys(): HeadersIterator<string> {
    for (const [name] of this.#pairs()) yield name;
  }

  *values(): HeadersIterator<string> {
    for (const [, value] of this.#pairs()) yield value;
  }

  [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'Headers';
  }

  /** Sort-and-combine, as the standard defines it; a snapshot taken when iteration starts. */
  #pairs(): Array<[string, string]> {
    const names = Array.from(this.#map.keys()).sort();
    const pairs: Array<[string, string]> = [];
    for (const name of names) {
      const values = this.#map.get(name) ?? [];
      if (name === 'set-cookie') for (const value of values) pairs.push([name, value]);
      else pairs.push([name, values.join(', ')]);
    }
    return pairs;
  }

  /** Plain-object view, handy for logs and node:http (repeated values already combined). */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.#pairs());
  }
}

function isPlainRecord(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** @internal Builds response headers from `IncomingMessage.rawHeaders` ([name, value, name, value, ...]). */
export function headersFromRaw(raw: readonly string[]): HeadersLite {
  const headers = new HeadersLite();
  for (let i = 0; i + 1 < raw.length; i += 2) headers[appendTrusted](raw[i] as string, raw[i + 1] as string);
  return headers;
}

/** True once Node has loaded its bundled undici (through `fetch()`, or a read of `Headers`, `Response`, ...). */
export function isUndiciLoaded(): boolean {
  const list = (process as unknown as { moduleLoadList?: readonly string[] }).moduleLoadList;
  return Array.isArray(list) && list.some((name) => name.includes('undici'));
}

/**
 * Makes `globalThis.Headers` the lightweight HeadersLite, so that code which
 * calls `new Headers()` (the MCP SDK transports, oauth4webapi) does not load
 * undici. Call it at the very start of the bridge process.
 *
 * Node 20 defines `Headers` on globalThis as an accessor (get/set, configurable)
 * whose getter loads undici and then replaces itself with a data property. So:
 * - still an accessor -> undici's Headers was never read: replace it with a data property;
 * - already a data property -> undici's class (or someone's polyfill) is there: leave it.
 * The descriptor is inspected, never the value: reading the getter is what loads undici.
 * Calling `fetch()` loads undici too but leaves the `Headers` accessor in place, so the
 * module load list is checked as well; once undici is in memory there is nothing to save.
 */
export function installHeadersLite(): void {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'Headers');
  if (descriptor) {
    if ('value' in descriptor) return; // a data property: undici's class, ours, or a polyfill
    if (!descriptor.configurable) return;
  }
  if (isUndiciLoaded()) return;
  Object.defineProperty(globalThis, 'Headers', {
    value: HeadersLite,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
