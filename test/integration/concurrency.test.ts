// Five bridges (five processes, as Claude Desktop would start for five windows)
// call a tool every 100 ms across at least five access-token expiries. The
// authorization server rotates refresh tokens and revokes the grant when one is
// used twice, so a single race between the processes would show up as
// invalid_grant and failed calls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectBridge, text, type BridgeClient } from '../helpers/bridge-client';
import { useStack } from '../helpers/stack';

const TTL_S = 3;
const RUN_MS = 17_000; // > 5 lifetimes of 3 s
const stack = useStack('concurrency', { accessTokenTTL: TTL_S });

test('5 bridges every 100 ms across 5+ expiries: no failed call, no invalid_grant', async () => {
  const server = await stack.connected('busy');
  const bridges: BridgeClient[] = await Promise.all(Array.from({ length: 5 }, () => connectBridge(server.id, stack.profile.env)));
  const failures: string[] = [];
  let calls = 0;
  const refreshesBefore = stack.as.stats.refreshGrants;
  const deadline = Date.now() + RUN_MS;
  try {
    await Promise.all(
      bridges.map(async (bridge, b) => {
        while (Date.now() < deadline) {
          const started = Date.now();
          const payload = `bridge ${b} call ${calls++}`;
          try {
            const result = await bridge.client.callTool({ name: 'echo', arguments: { text: payload } });
            if (text(result) !== payload) failures.push(`wrong answer: ${text(result)}`);
          } catch (error) {
            failures.push((error as Error).message);
          }
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, 100 - (Date.now() - started))));
        }
      }),
    );
  } finally {
    await Promise.all(bridges.map((b) => b.close()));
  }
  const refreshes = stack.as.stats.refreshGrants - refreshesBefore;
  assert.deepEqual(failures, []);
  assert.equal(stack.as.stats.invalidGrant, 0);
  // Enough calls to span every expiry; the rate itself is the bench's business (a busy
  // machine, or the test files running beside this one, slows the calls, not the logic).
  assert.ok(calls >= 5 * (RUN_MS / 100) * 0.5, `only ${calls} calls`);
  assert.ok(refreshes >= 5, `only ${refreshes} refreshes`);
  // Refreshes were shared: far fewer than one per bridge per expiry.
  assert.ok(refreshes <= Math.ceil(RUN_MS / 1000 / (TTL_S * 0.8)) + 2, `${refreshes} refreshes for ${RUN_MS / 1000} s`);
  const view = await stack.profile.keyring.view(server);
  assert.equal(view.status, 'connected');
  assert.match(view.state.lastRefreshBy ?? '', /^bridge \(pid \d+\)$/);
  console.log(`${calls} calls, ${refreshes} refreshes, 0 failures, invalid_grant ${stack.as.stats.invalidGrant}`);
});
