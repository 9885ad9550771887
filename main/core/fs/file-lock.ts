// Cross-process mutual exclusion on a lock directory.
//
// Why not proper-lockfile (which this replaced): its stale-lock takeover is
// stat → rmdir → mkdir, so two processes that both judge a lock stale can both
// "take it over" (the second rmdir removes the first one's fresh lock), and a lock
// found compromised (directory removed, mtime changed after a laptop slept) throws
// ECOMPROMISED from a timer, which crashed `serve`. Its owner cannot be asked
// "do I still hold it?" right before a side effect either.
//
// Here a lock is a directory `<target>.lock` holding an `owner` file with a random
// token: a process holds the lock exactly while that file holds its token. Taking
// a lock is mkdir + an exclusive create of `owner`. A stale lock (its owner process
// on this machine is gone, or its heartbeat is seen standing still) is taken over atomically: rename it to a
// unique name — only one contender's rename can move it — then check that what was
// moved is the lock that was judged stale; if a live lock was moved instead, it is
// put back (a rename that cannot replace a non-empty lock). A holder that loses
// its lock is told through `signal` and `assertHeld()`, never by a throw from a timer.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KeyringError } from '../errors';

export interface LockOptions {
  /** How long to keep trying before giving up, in ms (default 30 s). */
  waitMs?: number;
  /** A lock whose heartbeat is older than this is stale (default 15 s). */
  staleMs?: number;
  /** Heartbeat interval (default 5 s). */
  updateMs?: number;
}

/** What the function run under the lock gets: a way to check the lock is still its own. */
export interface HeldLock {
  /** Aborted as soon as the lock is found lost (removed, replaced or taken over). */
  readonly signal: AbortSignal;
  /** Re-checks on disk that the lock is still held; throws `lock-lost` otherwise. Call it right before a side effect. */
  assertHeld(): Promise<void>;
}

interface Owner {
  token: string;
  pid: number;
  host: string;
}

const OWNER_FILE = 'owner';

export function lockDirOf(target: string): string {
  return `${target}.lock`;
}

function lockLost(dir: string, why: string): KeyringError {
  return new KeyringError('lock-lost', `Lost the lock ${dir} (${why}); stopped without saving anything.`);
}

async function readOwner(dir: string): Promise<Owner | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(path.join(dir, OWNER_FILE), 'utf8')) as Partial<Owner>;
    return typeof parsed.token === 'string' ? { token: parsed.token, pid: Number(parsed.pid), host: String(parsed.host) } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a live process on this machine (EPERM: alive, someone else's). */
function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Observed {
  ino: number;
  owner: Owner | undefined;
}

/** What a contender saw of a lock whose owner lives: its heartbeat mtime and when. */
type Sightings = Map<string, { mtimeMs: number; at: number }>;

/** The lock at `dir` if it is stale (what identifies it), else undefined. */
async function observeStale(dir: string, staleMs: number, updateMs: number, seen: Sightings): Promise<Observed | undefined> {
  let stat;
  try {
    stat = await fs.stat(dir);
  } catch {
    return undefined; // gone: just try again
  }
  const owner = await readOwner(dir);
  const now = Date.now();
  const found = { ino: stat.ino, owner };
  if (owner === undefined || owner.host !== os.hostname()) return stat.mtimeMs < now - staleMs ? found : undefined;
  if (!processAlive(owner.pid)) return found;
  if (stat.mtimeMs >= now - staleMs) return undefined;
  // An old mtime alone does not make a live owner's lock stale: it may just have been
  // changed (a laptop that slept, a touch). Take over only once the heartbeat is seen
  // standing still for two beats (a hung owner, or a recycled pid).
  const first = seen.get(owner.token);
  if (!first || first.mtimeMs !== stat.mtimeMs) {
    seen.set(owner.token, { mtimeMs: stat.mtimeMs, at: now });
    return undefined;
  }
  return now - first.at >= 2 * updateMs ? found : undefined;
}

/** Moves a stale lock out of the way; only the one lock that was judged stale is ever removed. */
async function takeOver(dir: string, stale: Observed): Promise<void> {
  const moved = `${dir}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await fs.rename(dir, moved);
  } catch {
    return; // someone else moved it first
  }
  const stat = await fs.stat(moved).catch(() => undefined);
  const owner = await readOwner(moved);
  if (stat?.ino === stale.ino && owner?.token === stale.owner?.token) {
    await fs.rm(moved, { recursive: true, force: true });
    return;
  }
  // A live lock had replaced the stale one between our look and our rename: put it
  // back. rename() cannot replace a non-empty lock directory, so this never clobbers
  // a newer lock; if it fails, that holder finds its lock lost and aborts.
  await fs.rename(moved, dir).catch(() => fs.rm(moved, { recursive: true, force: true }));
}

async function tryAcquire(dir: string, me: Owner, staleMs: number, updateMs: number, seen: Sightings): Promise<boolean> {
  try {
    await fs.mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      await fs.mkdir(path.dirname(dir), { recursive: true }); // the locks directory was removed
      return false;
    }
    if (code !== 'EEXIST') throw error;
    const stale = await observeStale(dir, staleMs, updateMs, seen);
    if (stale) await takeOver(dir, stale);
    return false;
  }
  try {
    await fs.writeFile(path.join(dir, OWNER_FILE), JSON.stringify(me), { flag: 'wx', mode: 0o600 });
  } catch {
    return false; // our fresh directory was moved away or claimed meanwhile
  }
  return (await readOwner(dir))?.token === me.token;
}

export async function withFileLock<T>(target: string, fn: (lock: HeldLock) => Promise<T>, options: LockOptions = {}): Promise<T> {
  const dir = lockDirOf(target);
  await fs.mkdir(path.dirname(dir), { recursive: true });
  const waitMs = options.waitMs ?? 30_000;
  const staleMs = options.staleMs ?? 15_000;
  const updateMs = options.updateMs ?? 5_000;
  const me: Owner = { token: randomBytes(16).toString('hex'), pid: process.pid, host: os.hostname() };
  const started = Date.now();
  const seen: Sightings = new Map();
  while (!(await tryAcquire(dir, me, staleMs, updateMs, seen))) {
    if (Date.now() - started > waitMs) {
      throw new KeyringError('lock-timeout', `Another MCP Keyring process has held ${dir} for over ${Math.round(waitMs / 1000)} s; try again.`);
    }
    // Short, jittered waits: a refresh usually takes tens of milliseconds.
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
  }

  const controller = new AbortController();
  const held = async (): Promise<boolean> => (await readOwner(dir))?.token === me.token;
  const lose = (why: string) => {
    if (!controller.signal.aborted) controller.abort(lockLost(dir, why));
  };
  let beating = false;
  const heartbeat = setInterval(() => {
    if (beating || controller.signal.aborted) return;
    beating = true;
    void (async () => {
      if (!(await held())) return lose('removed or taken over by another process');
      const now = new Date();
      await fs.utimes(dir, now, now).catch(() => lose('its heartbeat could not be written'));
    })()
      .catch(() => lose('it could not be checked'))
      .finally(() => (beating = false));
  }, updateMs);
  heartbeat.unref();

  const lock: HeldLock = {
    signal: controller.signal,
    async assertHeld() {
      if (controller.signal.aborted) throw controller.signal.reason;
      if (!(await held())) {
        lose('removed or taken over by another process');
        throw controller.signal.reason;
      }
    },
  };
  try {
    return await fn(lock);
  } finally {
    clearInterval(heartbeat);
    // Release only a lock that is still ours: never remove a successor's.
    if (await held()) {
      const moved = `${dir}.released-${randomBytes(6).toString('hex')}`;
      await fs
        .rename(dir, moved)
        .then(() => fs.rm(moved, { recursive: true, force: true }))
        .catch(() => undefined);
    }
  }
}
