// The app's proactive refresh against real parts: oidc-provider issuing 4-second
// JWT access tokens with rotating refresh tokens, an SDK MCP server, the real
// keychain (run under scripts/with-keyring.sh) and a scripted browser login.
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { emptyState, type ServerState } from '../../../../shared/server-state';
import { KeyringError } from '../../../../main/core/errors';
import { Keyring } from '../../../../main/core/keyring';
import { backoffDelay, planRefresh, RefreshScheduler } from '../../../../main/core/scheduler/refresh-scheduler';
import { startAuthServer, type AuthServer } from '../../../helpers/auth-server';
import { createKeyringEnv, type KeyringEnv } from '../../../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../../../helpers/mcp-server';
import { completeLogin } from '../../../helpers/user-agent';

const oauth = { auth: { kind: 'oauth' as const, sendResource: true } };
const connected = (change: Partial<ServerState> = {}): ServerState => ({
  ...emptyState('s', 0),
  status: 'connected',
  expiresAt: 100_000,
  lastRefreshAt: 0,
  hasRefreshToken: true,
  ...change,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Fake time for the scheduler's own timers (node:test mock.timers: setTimeout,
 * setInterval, Date) while the keychain, files and sockets stay real: the clock
 * moves in small steps, and only once the refreshes and evaluations under way
 * (the scheduler's in-flight chains, private) have settled. Enable it after the
 * real sign-in, which waits on real servers, and before creating the scheduler,
 * which keeps the Date.now it was created with.
 */
function fakeTime(t: TestContext) {
  const STEP_MS = 10;
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: Date.now() });
  let busy = new Map<string, Promise<void>>();
  const settle = async () => {
    do {
      await Promise.allSettled([...busy.values()]);
      await new Promise((resolve) => setImmediate(resolve)); // setImmediate stays real: it lets file events in
    } while (busy.size > 0);
  };
  return {
    /** Starts the scheduler; its first scan runs in the background, so wait for a scan of our own: every server is armed. */
    async start(scheduler: RefreshScheduler): Promise<void> {
      busy = (scheduler as unknown as { busy: Map<string, Promise<void>> }).busy;
      scheduler.start();
      await scheduler.rescan();
    },
    /** Moves the clock `ms` forward, or until `done` holds (checked between steps). */
    async advance(ms: number, done: () => Promise<boolean> | boolean = () => false): Promise<void> {
      const end = Date.now() + ms;
      await settle();
      while (Date.now() < end && !(await done())) {
        t.mock.timers.tick(Math.min(STEP_MS, end - Date.now()));
        await settle();
      }
    },
  };
}

const openBrowser = (url: string) => completeLogin(url, { timeoutMs: 20_000 }).then(() => undefined);

describe('planRefresh (pure)', () => {
  test('due at the token manager refresh point: 60 s before expiry, or at 80% of a short lifetime', () => {
    assert.deepEqual(planRefresh(oauth, connected({ expiresAt: 3_600_000 })), { kind: 'at', at: 3_540_000, reason: 'refresh-point' });
    assert.deepEqual(planRefresh(oauth, connected({ expiresAt: 4_000 })), { kind: 'at', at: 3_200, reason: 'refresh-point' });
    // "error" (a failed refresh recorded by any process) is retried too.
    assert.equal(planRefresh(oauth, connected({ status: 'error' })).kind, 'at');
    assert.equal(planRefresh(oauth, connected({ status: 'refreshing' })).kind, 'at');
  });

  test('nothing to do without OAuth, a refresh token, an expiry, or while the user must act', () => {
    assert.equal(planRefresh({ auth: { kind: 'header', headerName: 'X-Key' } }, connected()).kind, 'none');
    assert.equal(planRefresh({ auth: { kind: 'none' } }, connected()).kind, 'none');
    assert.equal(planRefresh(oauth, connected({ hasRefreshToken: false })).kind, 'none');
    assert.equal(planRefresh(oauth, connected({ expiresAt: null })).kind, 'none');
    for (const status of ['not-connected', 'needs-sign-in', 'needs-more-access'] as const) {
      assert.equal(planRefresh(oauth, connected({ status })).kind, 'none', status);
    }
  });

  test('a recent failure pushes the refresh to its backoff time', () => {
    const failure = { count: 1, at: 3_000, retryAt: 33_000 };
    assert.deepEqual(planRefresh(oauth, connected({ expiresAt: 4_000 }), failure), { kind: 'at', at: 33_000, reason: 'backoff' });
    // A backoff that ends before the refresh point changes nothing.
    assert.deepEqual(planRefresh(oauth, connected({ expiresAt: 3_600_000 }), failure), { kind: 'at', at: 3_540_000, reason: 'refresh-point' });
  });

  test('backoff: 30 s doubling to 10 min', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 50].map((n) => backoffDelay(n)), [30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000, 600_000]);
    assert.equal(backoffDelay(0), 0);
    assert.equal(backoffDelay(3, { initialMs: 100, maxMs: 250 }), 250);
  });
});

describe('RefreshScheduler against a real authorization server and keychain', () => {
  let as: AuthServer;
  let mcp: McpTestServer;
  const profiles: KeyringEnv[] = [];

  before(async () => {
    as = await startAuthServer({ accessTokenTTL: 4 });
    mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  });
  after(async () => {
    for (const profile of profiles) await profile.cleanup();
    await mcp.close();
    await as.close();
  });

  async function connectedProfile(label: string): Promise<{ profile: KeyringEnv; id: string }> {
    const profile = await createKeyringEnv(label);
    profiles.push(profile);
    const server = await profile.keyring.add({ url: mcp.url, name: label });
    await profile.keyring.connect(server.id, { openBrowser, timeoutMs: 20_000 });
    return { profile, id: server.id };
  }

  test('refreshes at each refresh point, before the token expires, and never twice per token', async () => {
    const { profile, id } = await connectedProfile('sched');
    const start = await profile.keyring.states.read(id);
    assert.equal(start.status, 'connected');
    assert.equal(start.hasRefreshToken, true);
    const refreshGrantsBefore = as.stats.refreshGrants;

    const errors: unknown[] = [];
    const refreshed: ServerState[] = [];
    const scheduler = new RefreshScheduler(profile.keyring, {
      onError: (error) => errors.push(error),
      onRefresh: (_id, state) => refreshed.push(state),
    });
    scheduler.start();
    try {
      // Watch the public state as the tray does, and check every token stays valid.
      const seen = new Set<number>();
      let expiredSeen = 0;
      const deadline = Date.now() + 12_000;
      while (Date.now() < deadline && seen.size < 3) {
        const state = await profile.keyring.states.read(id);
        if (state.lastRefreshAt !== null && state.lastRefreshAt !== start.lastRefreshAt) seen.add(state.lastRefreshAt);
        if (state.status === 'connected' && state.expiresAt !== null && state.expiresAt < Date.now()) expiredSeen++;
        await sleep(100);
      }
      assert.ok(seen.size >= 2, `lastRefreshAt advanced ${seen.size} time(s) in 12 s`);
      const state = await profile.keyring.states.read(id);
      assert.equal(state.status, 'connected');
      assert.match(state.lastRefreshBy ?? '', /\(pid \d+\)$/);
      assert.equal(state.lastError, null);
      assert.ok(state.expiresAt! > Date.now(), 'the stored token is still valid');
      assert.equal(expiredSeen, 0, 'the scheduler refreshed before every expiry');
      assert.equal(as.stats.invalidGrant, 0);
      assert.deepEqual(errors, []);
      // One refresh grant per observed refresh: none wasted, none sent twice.
      assert.ok(refreshed.length >= 2);
      assert.ok(as.stats.refreshGrants - refreshGrantsBefore <= refreshed.length + 1);
      assert.ok(scheduler.nextRefreshAt(id)! > Date.now() - 1000);
    } finally {
      await scheduler.stop();
    }
    // Stopped: no more refreshes.
    const grants = as.stats.refreshGrants;
    await sleep(4_500);
    assert.equal(as.stats.refreshGrants, grants);
  });

  test('two schedulers on one profile (two processes) refresh under the lock: no invalid_grant', async () => {
    const { profile, id } = await connectedProfile('twin');
    const invalidBefore = as.stats.invalidGrant;
    const grantsBefore = as.stats.refreshGrants;
    const errors: unknown[] = [];
    // A second Keyring on the same data directory and keychain service stands in for another process.
    const other = new Keyring({ home: profile.home, service: profile.service });
    const schedulers = [new RefreshScheduler(profile.keyring, { onError: (e) => errors.push(e) }), new RefreshScheduler(other, { onError: (e) => errors.push(e) })];
    for (const s of schedulers) s.start();
    try {
      const first = (await profile.keyring.states.read(id)).lastRefreshAt;
      const seen = new Set<number>();
      const deadline = Date.now() + 9_000;
      while (Date.now() < deadline && seen.size < 2) {
        const { lastRefreshAt } = await profile.keyring.states.read(id);
        if (lastRefreshAt !== null && lastRefreshAt !== first) seen.add(lastRefreshAt);
        await sleep(100);
      }
      assert.ok(seen.size >= 2, `refreshed ${seen.size} time(s)`);
    } finally {
      await Promise.all(schedulers.map((s) => s.stop()));
    }
    assert.equal(as.stats.invalidGrant - invalidBefore, 0);
    assert.deepEqual(errors, []);
    const state = await profile.keyring.states.read(id);
    assert.equal(state.status, 'connected');
    // Each refresh point costs one grant, not one per scheduler (±1 for a refresh at the edge of the window).
    assert.ok(as.stats.refreshGrants - grantsBefore <= 4, `${as.stats.refreshGrants - grantsBefore} refresh grants`);
  });

  test('an unreachable authorization server backs off instead of retrying in a loop', async (t) => {
    const localAs = await startAuthServer({ accessTokenTTL: 4 });
    const localMcp = await startMcpServer({ auth: { issuer: localAs.issuer, jwksUri: localAs.jwksUri } });
    const profile = await createKeyringEnv('backoff');
    profiles.push(profile);
    try {
      const server = await profile.keyring.add({ url: localMcp.url, name: 'backoff' });
      await profile.keyring.connect(server.id, { openBrowser, timeoutMs: 20_000 });
      await localAs.close(); // every refresh from now on fails to connect
      const failures: number[] = [];
      const clock = fakeTime(t);
      const scheduler = new RefreshScheduler(profile.keyring, {
        onError: () => failures.push(Date.now()),
        backoff: { initialMs: 500, maxMs: 2_000 },
      });
      await clock.start(scheduler);
      await clock.advance(6_000);
      await scheduler.stop();
      // Refresh point at ≈3.2 s, then retries after 0.5, 1, 2 s: a handful of attempts, not hundreds.
      assert.ok(failures.length >= 2, `${failures.length} failures`);
      assert.ok(failures.length <= 5, `${failures.length} failures`);
      for (let i = 2; i < failures.length; i++) {
        assert.ok(failures[i]! - failures[i - 1]! >= failures[i - 1]! - failures[i - 2]! - 100, 'the gaps grow');
      }
      const state = await profile.keyring.states.read(server.id);
      // The token expired meanwhile and could not be renewed: an error, still holding the refresh token.
      assert.equal(state.status, 'error');
      assert.equal(state.hasRefreshToken, true);
      assert.ok(state.lastError);
    } finally {
      await localMcp.close();
    }
  });

  test('a refused refresh token marks the server needs-sign-in and is not retried', async (t) => {
    const { profile, id } = await connectedProfile('refused');
    await as.revokeAllGrants(); // the AS forgets every grant: the refresh token is dead
    const errors: unknown[] = [];
    const clock = fakeTime(t);
    const scheduler = new RefreshScheduler(profile.keyring, { onError: (e) => errors.push(e), backoff: { initialMs: 200, maxMs: 400 } });
    await clock.start(scheduler);
    try {
      await clock.advance(8_000, async () => (await profile.keyring.states.read(id)).status === 'needs-sign-in');
      const state = await profile.keyring.states.read(id);
      assert.equal(state.status, 'needs-sign-in');
      assert.equal(state.hasRefreshToken, false);
      const requests = as.stats.tokenRequests;
      await clock.advance(1_500);
      assert.equal(as.stats.tokenRequests, requests, 'no retry after the refusal');
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof KeyringError && errors[0].code === 'needs-sign-in');
      assert.equal(scheduler.nextRefreshAt(id), undefined);
    } finally {
      await scheduler.stop();
    }
  });
});
