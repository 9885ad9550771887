// Proactive refresh for the app: one timer per OAuth server that holds a refresh
// token, due at the token's refresh point (TokenManager's refreshMargin), so
// bridges started later find a fresh token and never wait for a refresh on their
// hot path. The refresh itself is TokenManager.getAccessToken: under the
// cross-process lock, re-reading the keychain, so a bridge or the CLI refreshing at
// the same moment costs nothing and a rotating refresh token is sent once.
//
// Timers are re-armed whenever a state file changes (whoever wrote it: this
// process, a bridge, the CLI), after every refresh, on rescan() (the app calls it
// when the machine wakes up: timers do not count sleep everywhere) and every
// few minutes as a safety net for missed file events. Failures back off
// (30 s doubling to 10 min by default); a refused refresh token is not retried: the
// token manager marks the server needs-sign-in and the user must act.
import type { ServerConfig } from '../../../shared/server-config';
import type { ServerState } from '../../../shared/server-state';
import { isKeyringError, KeyringError } from '../errors';
import type { Clock } from '../clock';
import type { Keyring } from '../keyring';
import { needsRefresh, refreshMargin } from '../tokens/token-manager';

export interface BackoffOptions {
  /** Delay after the first failure (default 30 s). */
  initialMs: number;
  /** Longest delay (default 10 min). */
  maxMs: number;
}

export interface RefreshSchedulerOptions {
  /** A refresh (or reading a server's state) failed; the scheduler retries later by itself. */
  onError?: (error: unknown, serverId: string) => void;
  /** A proactive refresh went through (for logs and tests). */
  onRefresh?: (serverId: string, state: ServerState) => void;
  backoff?: Partial<BackoffOptions>;
  /** Longest single timer; a longer wait is re-evaluated at this interval (default 10 min). */
  maxTimerMs?: number;
  /** Safety-net rescan of every server (default 5 min; 0 turns it off). */
  rescanIntervalMs?: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 30_000, maxMs: 10 * 60_000 };
const DEFAULT_MAX_TIMER_MS = 10 * 60_000;
const DEFAULT_RESCAN_MS = 5 * 60_000;
/** State files change in bursts (temp file, rename): evaluate once the burst is over. */
const DEBOUNCE_MS = 25;
/** Node timers may fire a millisecond early; never arm for less than this. */
const MIN_DELAY_MS = 20;

/** Delay before retry number `failures` (1 = after the first failure). */
export function backoffDelay(failures: number, backoff: BackoffOptions = DEFAULT_BACKOFF): number {
  if (failures <= 0) return 0;
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failures - 1, 30));
}

export interface FailureRecord {
  /** Consecutive failures. */
  count: number;
  /** When the last failure happened (ms since epoch). */
  at: number;
  /** Not before this (ms since epoch). */
  retryAt: number;
}

export type RefreshPlan = { kind: 'none'; reason: string } | { kind: 'at'; at: number; reason: 'refresh-point' | 'backoff' };

/**
 * When the next proactive refresh of one server is due, or why there is none.
 * Pure: the scheduler's decisions in one testable place.
 */
export function planRefresh(server: Pick<ServerConfig, 'auth'>, state: ServerState, failure?: FailureRecord): RefreshPlan {
  if (server.auth.kind !== 'oauth') return { kind: 'none', reason: 'no OAuth' };
  if (state.status === 'not-connected' || state.status === 'needs-sign-in') return { kind: 'none', reason: `status ${state.status}` };
  // A refresh would store the token as "connected" and drop the scopes the server asked
  // for, hiding the prompt from the user; a bridge still refreshes on demand.
  if (state.status === 'needs-more-access') return { kind: 'none', reason: 'waiting for the user to grant more access' };
  if (!state.hasRefreshToken) return { kind: 'none', reason: 'no refresh token' };
  if (state.expiresAt === null) return { kind: 'none', reason: 'the token does not expire' };
  const due = state.expiresAt - refreshMargin(state);
  if (failure && failure.retryAt > due) return { kind: 'at', at: failure.retryAt, reason: 'backoff' };
  return { kind: 'at', at: due, reason: 'refresh-point' };
}

interface Armed {
  timer: NodeJS.Timeout;
  at: number;
}

export class RefreshScheduler {
  private readonly backoff: BackoffOptions;
  private readonly maxTimerMs: number;
  private readonly rescanIntervalMs: number;
  /** The Keyring's clock: decides when a refresh is due and when a retry may go. */
  private readonly now: Clock;
  private readonly timers = new Map<string, Armed>();
  private readonly debounces = new Map<string, NodeJS.Timeout>();
  /** In-flight evaluations or refreshes, one chain per server: never two at once. */
  private readonly busy = new Map<string, Promise<void>>();
  /** Servers that changed while busy: evaluated again when the chain ends. */
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, FailureRecord>();
  private unwatch: (() => void) | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly keyring: Keyring,
    private readonly options: RefreshSchedulerOptions = {},
  ) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.maxTimerMs = options.maxTimerMs ?? DEFAULT_MAX_TIMER_MS;
    this.rescanIntervalMs = options.rescanIntervalMs ?? DEFAULT_RESCAN_MS;
    this.now = keyring.clock;
  }

  get started(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    try {
      this.unwatch = this.keyring.states.watch((id) => this.touch(id));
    } catch (error) {
      // Without file events the periodic rescan still keeps the timers right.
      this.options.onError?.(error, '*');
    }
    if (this.rescanIntervalMs > 0) {
      this.rescanTimer = setInterval(() => void this.rescan(), this.rescanIntervalMs);
      this.rescanTimer.unref();
    }
    void this.rescan();
  }

  /** Stops every timer; resolves once refreshes already under way have ended. */
  async stop(): Promise<void> {
    this.running = false;
    this.unwatch?.();
    this.unwatch = undefined;
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    this.rescanTimer = undefined;
    for (const armed of this.timers.values()) clearTimeout(armed.timer);
    this.timers.clear();
    for (const timer of this.debounces.values()) clearTimeout(timer);
    this.debounces.clear();
    this.dirty.clear();
    await Promise.allSettled([...this.busy.values()]);
  }

  /** Re-evaluates every server now (after a wake-up, or when servers were added or removed). */
  async rescan(): Promise<void> {
    if (!this.running) return;
    let servers: ServerConfig[];
    try {
      servers = await this.keyring.registry.list();
    } catch (error) {
      this.options.onError?.(error, '*');
      return;
    }
    const ids = new Set(servers.map((s) => s.id));
    // Servers removed since: drop their timers.
    for (const id of [...this.timers.keys()]) if (!ids.has(id)) this.clear(id);
    await Promise.all(servers.map((server) => this.run(server.id, () => this.evaluate(server.id))));
  }

  /** When the next refresh of a server is due (ms since epoch), for the UI and tests. */
  nextRefreshAt(id: string): number | undefined {
    return this.timers.get(id)?.at;
  }

  /** A state file changed: evaluate that server once the burst of events is over. */
  private touch(id: string): void {
    if (!this.running) return;
    const pending = this.debounces.get(id);
    if (pending) clearTimeout(pending);
    const timer = setTimeout(() => {
      this.debounces.delete(id);
      void this.run(id, () => this.evaluate(id));
    }, DEBOUNCE_MS);
    timer.unref();
    this.debounces.set(id, timer);
  }

  /** Runs `task` for one server unless something already runs for it; then it is re-evaluated afterwards. */
  private run(id: string, task: () => Promise<void>): Promise<void> {
    const current = this.busy.get(id);
    if (current) {
      this.dirty.add(id);
      return current;
    }
    const chain = (async () => {
      try {
        await task();
        while (this.running && this.dirty.delete(id)) await this.evaluate(id);
      } finally {
        this.busy.delete(id);
      }
    })();
    this.busy.set(id, chain);
    return chain;
  }

  private clear(id: string): void {
    const armed = this.timers.get(id);
    if (armed) clearTimeout(armed.timer);
    this.timers.delete(id);
  }

  /** Arms the server's one timer: at `at`, refresh (or, for a retry after a failed read, evaluate). */
  private arm(id: string, at: number, then: 'refresh' | 'evaluate' = 'refresh'): void {
    this.clear(id);
    if (!this.running) return;
    const delay = Math.max(MIN_DELAY_MS, at - this.now());
    const wait = Math.min(delay, this.maxTimerMs);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      // A long wait cut short by maxTimerMs: look again rather than refresh.
      const task = then === 'refresh' && wait === delay ? () => this.refresh(id) : () => this.evaluate(id);
      void this.run(id, task);
    }, wait);
    timer.unref();
    this.timers.set(id, { timer, at });
  }

  /** Reads the server and its state and arms (or clears) its timer. */
  private async evaluate(id: string): Promise<void> {
    if (!this.running) return;
    let server: ServerConfig;
    let state: ServerState;
    try {
      const servers = await this.keyring.registry.list();
      const found = servers.find((s) => s.id === id);
      if (!found) {
        // Removed (its state file went with it).
        this.clear(id);
        this.failures.delete(id);
        return;
      }
      server = found;
      state = await this.keyring.states.read(id);
    } catch (error) {
      this.arm(id, this.fail(id, error).retryAt, 'evaluate');
      return;
    }
    const failure = this.failures.get(id);
    // Someone (a bridge, the CLI, a sign-in) refreshed since our last failure: start afresh.
    if (failure && state.status === 'connected' && state.lastRefreshAt !== null && state.lastRefreshAt > failure.at) {
      this.failures.delete(id);
    }
    const plan = planRefresh(server, state, this.failures.get(id));
    if (plan.kind === 'none') {
      this.clear(id);
      if (state.status === 'needs-sign-in' || state.status === 'not-connected') this.failures.delete(id);
      return;
    }
    this.arm(id, plan.at);
  }

  /** The timer fired: refresh through the token manager (under the cross-process lock), then re-arm. */
  private async refresh(id: string): Promise<void> {
    if (!this.running) return;
    try {
      const server = await this.keyring.registry.get(id);
      const before = await this.keyring.states.read(id);
      if (planRefresh(server, before).kind === 'none') {
        await this.evaluate(id);
        return;
      }
      await this.keyring.tokens.getAccessToken(server);
      const after = await this.keyring.states.read(id);
      if (needsRefresh(after, this.now())) {
        // The token manager kept a still-valid token because the refresh failed
        // (network, server error); it recorded why in lastError. Back off, never spin.
        throw new KeyringError('token-request-failed', after.lastError ?? 'The token could not be refreshed.');
      }
      this.failures.delete(id);
      if (after.lastRefreshAt !== before.lastRefreshAt) this.options.onRefresh?.(id, after);
    } catch (error) {
      if (isKeyringError(error, 'unknown-server')) {
        this.clear(id);
        return;
      }
      this.fail(id, error);
      if (isKeyringError(error, 'needs-sign-in')) {
        // Not retried: the state now says needs-sign-in, and only the user can fix it.
        this.failures.delete(id);
        this.clear(id);
        return;
      }
    }
    await this.evaluate(id);
  }

  /** Records a failure (for the backoff) and reports it. */
  private fail(id: string, error: unknown): FailureRecord {
    const now = this.now();
    const count = (this.failures.get(id)?.count ?? 0) + 1;
    const record = { count, at: now, retryAt: now + backoffDelay(count, this.backoff) };
    this.failures.set(id, record);
    try {
      this.options.onError?.(error, id);
    } catch {
      // A failing logger must not stop the scheduler.
    }
    return record;
  }
}
