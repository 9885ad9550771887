// Expiry decided by the Keyring's clock, not the wall clock: a real oidc-provider
// (5-minute access tokens, rotating refresh tokens), the real keychain and a
// scripted sign-in, with time moved by the test instead of waited for. The token
// manager's refresh point, the stale "refreshing" record and the refresh
// scheduler's timing all follow the injected clock.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ServerState } from '../../../../shared/server-state';
import { Keyring } from '../../../../main/core/keyring';
import { RefreshScheduler } from '../../../../main/core/scheduler/refresh-scheduler';
import { REFRESHING_DEADLINE_MS } from '../../../../main/core/registry/state-store';
import { startAuthServer, type AuthServer } from '../../../helpers/auth-server';
import { createKeyringEnv, type KeyringEnv } from '../../../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../../../helpers/mcp-server';
import { recordingBrowser } from '../../../helpers/quirks/common';

const TTL_S = 300;
let as: AuthServer;
let mcp: McpTestServer;
let profile: KeyringEnv;
/** The test's clock: the wall clock plus however far the test has moved it. */
let offset = 0;
const clock = () => Date.now() + offset;
let keyring: Keyring;

before(async () => {
  as = await startAuthServer({ accessTokenTTL: TTL_S });
  mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  profile = await createKeyringEnv('injected-clock');
  keyring = new Keyring({ home: profile.home, service: profile.service, clock });
});
after(async () => {
  await profile.cleanup();
  await Promise.all([mcp, as].map((s) => s.close()));
});

async function signedIn(name: string): Promise<{ id: string; state: ServerState }> {
  offset = 0;
  const server = await keyring.add({ url: mcp.url, name });
  const state = await keyring.connect(server.id, recordingBrowser().signIn);
  assert.equal(state.status, 'connected');
  assert.equal(state.hasRefreshToken, true);
  return { id: server.id, state };
}

test('the token manager refreshes at the refresh point of the injected clock, without waiting', async () => {
  const { id, state } = await signedIn('clock-refresh');
  const server = await keyring.registry.get(id);
  const first = await keyring.tokens.getAccessToken(server);
  const grants = as.stats.refreshGrants;

  // 61 s before expiry (the margin is 60 s): still good, no refresh.
  offset = state.expiresAt! - 61_000 - Date.now();
  assert.equal((await keyring.tokens.getAccessToken(server)).token, first.token);
  assert.equal(as.stats.refreshGrants, grants);

  // 59 s before expiry: due. One refresh grant, the new token planned from the injected now.
  offset = state.expiresAt! - 59_000 - Date.now();
  const before = clock();
  const second = await keyring.tokens.getAccessToken(server);
  assert.equal(as.stats.refreshGrants, grants + 1);
  assert.notEqual(second.token, first.token);
  const after = await keyring.states.read(id);
  assert.ok(after.lastRefreshAt! >= before && after.lastRefreshAt! <= clock(), 'lastRefreshAt is the injected time');
  assert.equal(after.expiresAt, after.lastRefreshAt! + TTL_S * 1000);
  assert.equal(second.refreshAt, after.expiresAt! - 60_000);

  // Read again at the same injected time: fresh, no second grant.
  assert.equal((await keyring.tokens.getAccessToken(server)).token, second.token);
  assert.equal(as.stats.refreshGrants, grants + 1);
  // The wall clock alone would call the token fresh for ~9 more minutes: the Keyring's clock decides.
  offset += TTL_S * 1000;
  const third = await keyring.tokens.getAccessToken(server);
  assert.equal(as.stats.refreshGrants, grants + 2);
  assert.notEqual(third.token, second.token);
});

test('a "refreshing" record goes stale after the deadline of the injected clock', async () => {
  const { id } = await signedIn('clock-stale');
  // This process is alive, so only the time can make the record stale.
  await keyring.states.patch(id, { status: 'refreshing', refreshStartedAt: clock(), refreshingPid: process.pid });
  assert.equal((await keyring.states.read(id)).status, 'refreshing');
  offset += REFRESHING_DEADLINE_MS + 1_000;
  const settled = await keyring.states.read(id);
  assert.equal(settled.status, 'connected', 'the token itself is still valid at the injected time');
  assert.equal(settled.refreshStartedAt, null);
  assert.match(settled.lastError ?? '', /did not finish \(no result after 61 s\)/);
  // Past the token's expiry as well: shown as an error, not "connected".
  await keyring.states.patch(id, { status: 'refreshing', refreshStartedAt: clock(), refreshingPid: process.pid });
  offset += TTL_S * 1000;
  assert.equal((await keyring.states.read(id)).status, 'error');
});

test('the refresh scheduler arms its timer from the injected clock', async () => {
  const { id, state } = await signedIn('clock-scheduler');
  const grants = as.stats.refreshGrants;
  // By the wall clock the refresh point is 4 minutes away; by the injected clock it has passed.
  offset = state.expiresAt! - 30_000 - Date.now();
  const refreshed: string[] = [];
  const errors: unknown[] = [];
  const scheduler = new RefreshScheduler(keyring, { onRefresh: (serverId) => refreshed.push(serverId), onError: (error) => errors.push(error), rescanIntervalMs: 0 });
  scheduler.start();
  try {
    const deadline = Date.now() + 10_000;
    while (!refreshed.includes(id) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.deepEqual(errors, []);
    assert.ok(refreshed.includes(id), 'the scheduler refreshed at once');
    assert.ok(as.stats.refreshGrants > grants);
    // Re-armed right after the refresh (the timer for the new token).
    while (scheduler.nextRefreshAt(id) === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    const next = scheduler.nextRefreshAt(id)!;
    const after = await keyring.states.read(id);
    assert.equal(next, after.expiresAt! - 60_000, 'the next refresh is planned from the new token');
    assert.ok(next - clock() > TTL_S * 1000 - 61_000, 'and lies a lifetime ahead of the injected now');
  } finally {
    await scheduler.stop();
  }
});
