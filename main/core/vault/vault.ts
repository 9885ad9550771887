// A tiny secret store over the keychain: get, set, delete by name.
// Windows Credential Manager caps a secret at 2,560 bytes, and JWT access tokens
// can be larger, so long values are split into shards (one entry each) and
// reassembled on read. A header on the first shard names how many there are and
// a checksum, so a read racing a write is detected instead of returning a torn value.
import { createHash } from 'node:crypto';
import { serviceName } from '../paths';
import { keychainCall } from './keychain';

/** Characters per entry: UTF-16 on Windows doubles bytes, so 1,200 chars stays under 2,560 bytes. */
export const SHARD_CHARS = 1200;
const HEADER = /^mkv1:(\d+):([0-9a-f]{8}):/;

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
      const header = HEADER.exec(first);
      if (!header) return first; // a value written in one piece
      const count = Number(header[1]);
      const parts = [first.slice(header[0].length)];
      for (let i = 1; i < count; i++) {
        parts.push((await keychainCall((k) => k.getPassword(this.service, shardName(name, i)))) ?? '');
      }
      const value = parts.join('');
      if (checksum(value) === header[2]) return value;
      // Another process rewrote the secret while we read it: read again.
    }
    return null;
  }

  async set(name: string, value: string): Promise<void> {
    if (value.length + 20 <= SHARD_CHARS) {
      await keychainCall((k) => k.setPassword(this.service, name, value));
      await this.deleteShards(name, 1);
      return;
    }
    const chunks: string[] = [];
    for (let i = 0; i < value.length; i += SHARD_CHARS) chunks.push(value.slice(i, i + SHARD_CHARS));
    // Later shards first, the header last: a reader sees either the old value or the whole new one.
    for (let i = chunks.length - 1; i >= 1; i--) {
      const chunk = chunks[i]!;
      await keychainCall((k) => k.setPassword(this.service, shardName(name, i), chunk));
    }
    const head = `mkv1:${chunks.length}:${checksum(value)}:${chunks[0]}`;
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
