// One small JSON file per server with its public token state (no secrets), replaced
// atomically, so every process (app, CLI, bridges) sees the same picture.
import fs from 'node:fs';
import path from 'node:path';
import { emptyState, ServerStateSchema, type ServerState } from '../../../shared/server-state';
import { MESSAGE_MAX, displayText } from '../../../shared/display-text';
import { systemClock, type Clock } from '../clock';
import { readFileIfExists, writeFileAtomic } from '../fs/atomic-write';
import { keyringPaths, type KeyringPaths } from '../paths';

/**
 * A "refreshing" record older than this is stale: its process died or hung (a refresh
 * is a lock wait plus a few requests with 15 s deadlines each).
 */
export const REFRESHING_DEADLINE_MS = 60_000;

function processGone(pid: number | null): boolean {
  if (pid === null || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** A "refreshing" status whose process is gone or past the deadline is shown as what it is: a refresh that stopped. */
export function settleStaleRefreshing(state: ServerState, now = Date.now()): ServerState {
  if (state.status !== 'refreshing') return state;
  const started = state.refreshStartedAt ?? state.updatedAt;
  const gone = processGone(state.refreshingPid);
  if (!gone && now - started <= REFRESHING_DEADLINE_MS) return state;
  const who = state.refreshingPid === null ? 'another process' : `process ${state.refreshingPid}`;
  const why = gone ? 'that process is gone' : `no result after ${Math.round((now - started) / 1000)} s`;
  return {
    ...state,
    status: state.expiresAt !== null && state.expiresAt > now ? 'connected' : 'error',
    refreshStartedAt: null,
    refreshingPid: null,
    lastError: `A token refresh started by ${who} did not finish (${why}); it is tried again on next use.`,
  };
}

export class StateStore {
  constructor(
    readonly paths: KeyringPaths = keyringPaths(),
    /** Decides when a "refreshing" record is stale, and stamps updatedAt. */
    private readonly clock: Clock = systemClock,
  ) {}

  file(id: string): string {
    return path.join(this.paths.stateDir, `${id}.json`);
  }

  async read(id: string): Promise<ServerState> {
    const text = await readFileIfExists(this.file(id));
    if (text === undefined) return emptyState(id);
    let state: ServerState;
    try {
      state = ServerStateSchema.parse(JSON.parse(text));
    } catch {
      // A damaged state file holds nothing that cannot be rebuilt: start over.
      return emptyState(id);
    }
    return settleStaleRefreshing(state, this.clock());
  }

  async write(state: ServerState): Promise<ServerState> {
    // lastError and scopes quote servers: stored only in a form safe to show.
    const next = { ...state, lastError: state.lastError === null ? null : displayText(state.lastError, MESSAGE_MAX), scopes: state.scopes.map((s) => displayText(s)).filter(Boolean), updatedAt: this.clock() };
    await writeFileAtomic(this.file(state.id), `${JSON.stringify(next, null, 2)}\n`);
    return next;
  }

  async patch(id: string, change: Partial<Omit<ServerState, 'id'>>): Promise<ServerState> {
    return this.write({ ...(await this.read(id)), ...change });
  }

  async remove(id: string): Promise<void> {
    await fs.promises.rm(this.file(id), { force: true });
  }

  /**
   * Calls back with the id of a server whose state file changed (written by any process).
   * fs.watch on the directory: renames of the atomic writes show up as events.
   */
  watch(onChange: (id: string) => void): () => void {
    fs.mkdirSync(this.paths.stateDir, { recursive: true });
    const watcher = fs.watch(this.paths.stateDir, (_event, filename) => {
      const name = filename?.toString();
      if (name && name.endsWith('.json') && !name.startsWith('.')) onChange(name.slice(0, -'.json'.length));
    });
    // The directory can vanish (a profile removed under us): stop watching rather than crash.
    watcher.on('error', () => watcher.close());
    return () => watcher.close();
  }
}
