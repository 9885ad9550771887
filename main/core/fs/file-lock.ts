// Cross-process mutual exclusion on a lock directory (proper-lockfile: mkdir is
// atomic everywhere, and a holder that dies leaves a lock that turns stale).
import fs from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';

export interface LockOptions {
  /** How long to keep trying before giving up, in ms. */
  waitMs?: number;
}

export async function withFileLock<T>(target: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const waitMs = options.waitMs ?? 30_000;
  const started = Date.now();
  let release: (() => Promise<void>) | undefined;
  for (;;) {
    try {
      release = await lockfile.lock(target, { realpath: false, stale: 15_000, update: 5_000 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED' || Date.now() - started > waitMs) throw error;
      // Short, jittered waits: a refresh usually takes tens of milliseconds.
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
    }
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
