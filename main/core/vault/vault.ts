// A tiny secret store over the keychain: get, set, delete by name.
// Windows Credential Manager caps a secret at 2,560 bytes, and JWT access tokens
// can be larger, so long values are split into shards (one entry each) and
// reassembled on read.
//
// Every value is framed: `mkv2:<shard count>:<checksum>:<first shard>`. The frame is
// always there, so a value that merely looks like a frame (a hostile token such as
// `mkv2:99999999:…`) is never mistaken for one: the frame is read once, from the
// start, and the rest is data. The count is capped (secrets are capped in size) and
// the checksum covers the whole value, so a read racing a write is detected instead
// of returning a torn value. Values written by the previous format (mkv1, where short
// values were stored bare) stay readable: v1 stored a value bare only when it was at
// most SHARD_CHARS - 20 characters, and its shard headers were always longer than that.
import { createHash } from 'node:crypto';
import { KeyringError } from '../errors';
import { serviceName } from '../paths';
import { keychainCall } from './keychain';

/** Characters per entry: UTF-16 on Windows doubles bytes, so 1,200 chars (+ an 18-char frame) stays under 2,560 bytes. */
export const SHARD_CHARS = 1200;
/**
 * The largest secret stored, in characters. Access tokens travel in an HTTP header,
 * and common servers refuse header sections above 8–16 KiB (nginx 8 KiB per line,
 * Node 16 KiB, IIS 16 KiB), so no usable token comes near 32 KiB; the cap keeps a
 * hostile token to at most MAX_SHARDS keychain entries and a second or two of writes.
 */
export const MAX_SECRET_CHARS = 32 * 1024;
export const MAX_SHARDS = Math.ceil(MAX_SECRET_CHARS / SHARD_CHARS);
const FRAME = /^mkv2:([1-9]\d{0,2}):([0-9a-f]{8}):/;
const LEGACY_HEADER = /^mkv1:([1-9]\d{0,2}):([0-9a-f]{8}):/;
const LEGACY_BARE_MAX = SHARD_CHARS - 20;

/** Refuses a value too large to store, naming what it was; call it before writing anything. */
export function assertStorable(what: string, value: string): void {
  if (value.length > MAX_SECRET_CHARS) {
    throw new KeyringError(
      'secret-too-large',
      `The ${what} is ${value.length.toLocaleString('en-US')} characters long; MCP Keyring stores at most ${MAX_SECRET_CHARS.toLocaleString('en-US')} (32 KiB) per secret, and no server accepts a header that large. Nothing was stored.`,
    );
  }
}

export interface Vault {
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
  /** Names of every stored secret (first shards only). */
  list(): Promise<string[]>;
}

function checksum(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}

function shardName(name: string, index: number): string {
  return index === 0 ? name : `${name}#${index}`;
}

/** How to read the first entry: a whole value, or a header naming shards to fetch. */
type FirstEntry = { value: string } | { count: number; sum: string; head: string } | { unreadable: true };

export function parseFirstEntry(first: string): FirstEntry {
  const frame = FRAME.exec(first);
  if (frame) {
    const count = Number(frame[1]);
    const head = first.slice(frame[0].length);
    if (count === 1 && checksum(head) === frame[2]) return { value: head };
    if (count > 1 && count <= MAX_SHARDS && head.length === SHARD_CHARS) return { count, sum: frame[2]!, head };
  }
  // Not a v2 frame: a v1 value.
  if (first.length <= LEGACY_BARE_MAX) return { value: first };
  const legacy = LEGACY_HEADER.exec(first);
  if (legacy) {
    const count = Number(legacy[1]);
    const head = first.slice(legacy[0].length);
    if (count === 1 && checksum(head) === legacy[2]) return { value: head };
    if (count > 1 && count <= MAX_SHARDS && head.length === SHARD_CHARS) return { count, sum: legacy[2]!, head };
  }
  return { unreadable: true };
}

export class KeychainVault implements Vault {
  private readonly prefetched = new Map<string, Promise<string | null>>();

  constructor(readonly service: string = serviceName()) {}

  /**
   * Starts reading a secret now; the next get() of it uses the answer. keytar reads
   * on a worker thread, so the keychain round trip overlaps with start-up work.
   */
  prefetch(name: string): void {
    const pending = keychainCall((k) => k.getPassword(this.service, name));
    pending.catch(() => undefined); // reported by the get() that uses it
    this.prefetched.set(name, pending);
  }

  async get(name: string): Promise<string | null> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const prefetched = this.prefetched.get(name);
      this.prefetched.delete(name);
      const first = await (prefetched ?? keychainCall((k) => k.getPassword(this.service, name)));
      if (first === null) return null;
      const parsed = parseFirstEntry(first);
      if ('value' in parsed) return parsed.value;
      if ('unreadable' in parsed) return null; // nothing we wrote: treat as absent
      const parts = [parsed.head];
      for (let i = 1; i < parsed.count; i++) {
        parts.push((await keychainCall((k) => k.getPassword(this.service, shardName(name, i)))) ?? '');
      }
      const value = parts.join('');
      if (checksum(value) === parsed.sum) return value;
      // Another process rewrote the secret while we read it: read again.
    }
    return null;
  }

  async set(name: string, value: string): Promise<void> {
    assertStorable(`secret ${name}`, value);
    const chunks: string[] = [];
    for (let i = 0; i < value.length; i += SHARD_CHARS) chunks.push(value.slice(i, i + SHARD_CHARS));
    if (chunks.length === 0) chunks.push('');
    // Later shards first, the framed head last: a reader sees either the old value or the whole new one.
    for (let i = chunks.length - 1; i >= 1; i--) {
      const chunk = chunks[i]!;
      await keychainCall((k) => k.setPassword(this.service, shardName(name, i), chunk));
    }
    const head = `mkv2:${chunks.length}:${checksum(value)}:${chunks[0]}`;
    await keychainCall((k) => k.setPassword(this.service, name, head));
    await this.deleteShards(name, chunks.length);
  }

  async delete(name: string): Promise<void> {
    await keychainCall((k) => k.deletePassword(this.service, name));
    await this.deleteShards(name, 1);
  }

  async list(): Promise<string[]> {
    const all = await keychainCall((k) => k.findCredentials(this.service));
    return all.map((c) => c.account).filter((account) => !account.includes('#'));
  }

  /** Shards are numbered without gaps, so deleting stops at the first one that is not there. */
  private async deleteShards(name: string, from: number): Promise<void> {
    for (let index = from; ; index++) {
      const existed = await keychainCall((k) => k.deletePassword(this.service, shardName(name, index)));
      if (!existed) return;
    }
  }
}
