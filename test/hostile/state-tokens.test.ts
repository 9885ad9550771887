// Hostile token responses (issue 7, classes 5 and 10): odd lifetimes, tokens shaped
// like the keychain's shard header, absurdly large tokens, an authorization server
// that hangs while several processes wait for a refresh, and a refresh whose process
// is killed. Every case runs the real CLI against a hostile token endpoint and checks
// the clear error, no leak, and a bounded, non-hanging process.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { keychainCall } from '../../main/core/vault/keychain';
import { secretNames } from '../../main/core/vault/secrets';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { assertBounded, assertNoLeak, canary, runMeasured, startMeasured } from './harness';
import { bearerFrom, json, seedSignedIn, startHostileAs, storedTokens, type HostileAs, type TokenResponder } from './state-helpers';

const YEAR_MS = 365 * 24 * 3600_000;
const HOUR_MS = 3600_000;

let as: HostileAs;
const profiles: KeyringEnv[] = [];
before(async () => {
  as = await startHostileAs((_grant, res) => json(res, { error: 'server_error' }, 500));
});
after(async () => {
  for (const profile of profiles) await profile.cleanup();
  await as.close();
});

async function profileWith(respond: TokenResponder, label: string) {
  const profile = await createKeyringEnv(label);
  profiles.push(profile);
  const old = { access: canary('old-at'), refresh: canary('old-rt') };
  const server = await seedSignedIn(profile, as, old);
  as.respond = respond;
  return { profile, server, old };
}

/** One refresh through `mcp-keyring headers` with a response carrying `expiresIn`; returns the planned lifetime. */
async function lifetimeFor(expiresIn: unknown, label: string): Promise<number> {
  const fresh = { access: canary('new-at'), refresh: canary('new-rt') };
  const body: Record<string, unknown> = { access_token: fresh.access, token_type: 'Bearer', refresh_token: fresh.refresh };
  if (expiresIn !== undefined) body.expires_in = expiresIn;
  const { profile, server, old } = await profileWith((_g, res) => json(res, body), label);
  const started = Date.now();
  const run = await runMeasured(['headers', server.id], { env: profile.env, timeoutMs: 20_000 });
  assertBounded(run, { maxRssMb: 200, maxMs: 15_000 });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(bearerFrom(run.stdout), fresh.access);
  const state = await profile.keyring.states.read(server.id);
  assert.equal(state.status, 'connected');
  assert.equal(typeof state.expiresAt, 'number', 'a lifetime is always planned when a refresh token can renew it');
  await assertNoLeak([fresh.refresh, old.refresh, old.access], { dirs: [profile.home], outputs: [run.stdout, run.stderr], traps: [] });
  await assertNoLeak([fresh.access], { dirs: [profile.home], outputs: [run.stderr] });
  return state.expiresAt! - started;
}

describe('odd expires_in values are validated and clamped', () => {
  test('expires_in as a numeric string is read as that number', async () => {
    const lifetime = await lifetimeFor('120', 'exp-string');
    assert.ok(lifetime > 100_000 && lifetime <= 125_000, `${lifetime} ms`);
  });

  test('expires_in 1e300 (number or string) is clamped to one year, so the token is still renewed', async () => {
    for (const value of [1e300, '1e300']) {
      const lifetime = await lifetimeFor(value, 'exp-huge');
      assert.ok(lifetime <= YEAR_MS + 5_000 && lifetime > YEAR_MS - 60_000, `${value}: ${lifetime} ms`);
    }
  });

  test('a missing or zero expires_in is treated as unknown: one hour, renewed on a 401 before that', async () => {
    for (const value of [undefined, 0]) {
      const lifetime = await lifetimeFor(value, 'exp-missing');
      assert.ok(lifetime <= HOUR_MS + 5_000 && lifetime > HOUR_MS - 60_000, `${value}: ${lifetime} ms`);
    }
  });

  test('a non-numeric or negative expires_in is refused with an error naming it; the old refresh token stays', async () => {
    for (const value of ['soon', -5]) {
      const { profile, server, old } = await profileWith((_g, res) => json(res, { access_token: canary('bad-at'), token_type: 'Bearer', expires_in: value }), 'exp-bad');
      const run = await runMeasured(['headers', server.id], { env: profile.env, timeoutMs: 20_000 });
      assertBounded(run, { maxRssMb: 200, maxMs: 15_000 });
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, /expires_in/);
      assert.equal((await storedTokens(profile, server.id)).refresh, old.refresh);
      await assertNoLeak([old.refresh, old.access], { dirs: [profile.home], outputs: [run.stdout, run.stderr] });
    }
  });
});

describe('keychain framing does not trust the stored value', () => {
  test('an access token shaped like a shard header round-trips and does not hang', async () => {
    for (const shape of ['mkv1:99999999:deadbeef:', 'mkv2:99999999:deadbeef:', 'mkv2:1:00000000:']) {
      const hostileToken = `${shape}${canary('framed')}`;
      const refresh = canary('framed-rt');
      const { profile, server } = await profileWith(
        (_g, res) => json(res, { access_token: hostileToken, token_type: 'Bearer', expires_in: 3600, refresh_token: refresh }),
        'framing',
      );
      const first = await runMeasured(['headers', server.id], { env: profile.env, timeoutMs: 15_000 });
      assertBounded(first, { maxRssMb: 200, maxMs: 10_000 });
      assert.equal(first.code, 0, first.stderr);
      assert.ok(bearerFrom(first.stdout) === hostileToken);
      // The second run reads it back from the keychain.
      const second = await runMeasured(['headers', server.id], { env: profile.env, timeoutMs: 15_000 });
      assertBounded(second, { maxRssMb: 200, maxMs: 10_000 });
      assert.equal(second.code, 0, second.stderr);
      assert.ok(bearerFrom(second.stdout) === hostileToken, shape);
      console.log(`${shape}… token read back in ${second.durationMs} ms, peak RSS ${second.peakRssMb.toFixed(1)} MB`);
      const entries = (await profile.secrets()).filter((e) => e.account.startsWith(secretNames.accessToken(server.id)));
      assert.equal(entries.length, 1, 'one keychain entry, no phantom shards');
      await assertNoLeak([refresh, hostileToken], { dirs: [profile.home], outputs: [first.stderr, second.stderr] });
    }
  });

  test('a value stored bare by the previous format that looks like a header is read as the value', async () => {
    const profile = await createKeyringEnv('legacy');
    profiles.push(profile);
    const server = await profile.keyring.add({ url: `${as.issuer}/mcp`, name: 'legacy', auth: { kind: 'oauth', clientId: 'c', sendResource: false } });
    const legacy = `mkv1:99999999:deadbeef:${canary('legacy')}`;
    await keychainCall((k) => k.setPassword(profile.service, secretNames.accessToken(server.id), legacy));
    await profile.keyring.states.patch(server.id, { status: 'connected', expiresAt: Date.now() + HOUR_MS, authorizationServer: as.issuer, clientId: 'c' });
    const run = await runMeasured(['headers', server.id], { env: profile.env, timeoutMs: 15_000 });
    assertBounded(run, { maxRssMb: 200, maxMs: 10_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(bearerFrom(run.stdout), legacy);
  });

  test('a 2 MB (and a 100 KB) access token is refused fast with a clear error; nothing is stored', async () => {
    for (const size of [2 * 1024 * 1024, 100 * 1024]) {
      const huge = canary('huge') + 'A'.repeat(size);
      const newRefresh = canary('huge-rt');
      const { profile, server, old } = await profileWith(
        (_g, res) => json(res, { access_token: huge, token_type: 'Bearer', expires_in: 3600, refresh_token: newRefresh }),
        'huge',
      );
      const before = (await profile.secrets()).length;
      const run = await runMeasured(['headers', server.id], { env: profile.env, timeoutMs: 20_000 });
      assertBounded(run, { maxRssMb: 250, maxMs: 10_000 });
      assert.notEqual(run.code, 0);
      // Refused by the secret size cap (or, for the 2 MB body, by a response size cap before it).
      assert.match(run.stderr, /too large|at most|larger than|exceeds|more than 1 MiB/i);
      if (size < 1024 * 1024) assert.match(run.stderr, /access token .* is [\d,]+ characters long; MCP Keyring stores at most 32,768/);
      console.log(`${size} character token refused in ${run.durationMs} ms, peak RSS ${run.peakRssMb.toFixed(1)} MB`);
      assert.equal((await profile.secrets()).length, before, 'no keychain entry was added');
      assert.deepEqual(await storedTokens(profile, server.id), old, 'the old tokens are untouched (nothing half-stored)');
      const state = await profile.keyring.states.read(server.id);
      assert.notEqual(state.status, 'refreshing');
      await assertNoLeak([huge.slice(0, 40), newRefresh, old.refresh, old.access], { dirs: [profile.home], outputs: [run.stdout, run.stderr] });
    }
  });
});

describe('a refresh that hangs or dies', () => {
  test('the authorization server hangs: three waiting processes send the refresh token once', async () => {
    const { profile, server, old } = await profileWith(() => undefined /* never answers */, 'hang');
    const grantsBefore = as.grants.length;
    const runs = await Promise.all(
      [0, 1, 2].map((i) => new Promise((r) => setTimeout(r, i * 150)).then(() => runMeasured(['headers', server.id], { env: profile.env, timeoutMs: 60_000 }))),
    );
    const grants = as.grants.slice(grantsBefore);
    console.log(`hanging AS, 3 waiters: ${grants.length} grant(s); ${runs.map((r) => `${r.durationMs} ms / ${r.peakRssMb.toFixed(1)} MB`).join(', ')}`);
    assert.equal(grants.length, 1, `the refresh token was sent ${grants.length} times`);
    assert.equal(grants[0]!.params.get('refresh_token'), old.refresh);
    for (const run of runs) {
      assertBounded(run, { maxRssMb: 200, maxMs: 45_000 });
      assert.notEqual(run.code, 0);
    }
    const messages = runs.map((r) => r.stderr).join('\n');
    assert.match(messages, /no (complete )?answer within 15 s/);
    assert.match(messages, /failed \d+ s ago .*tries again in \d+ s/);
    // Still within the backoff: a fourth process does not send it either.
    const fourth = await runMeasured(['headers', server.id], { env: profile.env, timeoutMs: 20_000 });
    assertBounded(fourth, { maxRssMb: 200, maxMs: 5_000 });
    assert.match(fourth.stderr, /tries again in \d+ s/);
    assert.equal(as.grants.length - grantsBefore, 1);
    const state = await profile.keyring.states.read(server.id);
    assert.equal(state.status, 'error');
    assert.equal(state.refreshFailure?.count, 1);
    await assertNoLeak([old.refresh, old.access], { dirs: [profile.home], outputs: [...runs.flatMap((r) => [r.stdout, r.stderr]), fourth.stderr] });
  });

  test('a process killed mid-refresh does not leave the status "refreshing", and its lock is taken over at once', async () => {
    const { profile, server, old } = await profileWith(() => undefined, 'killed');
    const grantsBefore = as.grants.length;
    const victim = startMeasured(['headers', server.id], { env: profile.env, timeoutMs: 30_000 });
    await as.grantArrived(grantsBefore + 1);
    assert.equal((await profile.keyring.states.read(server.id)).status, 'refreshing', 'while it runs, it shows');
    victim.kill('SIGKILL');
    const killed = await victim.done;
    assert.equal(killed.signal, 'SIGKILL');

    const status = await runMeasured(['status', server.id, '--json'], { env: profile.env, timeoutMs: 15_000 });
    assertBounded(status, { maxRssMb: 200, maxMs: 10_000 });
    assert.equal(status.code, 0, status.stderr);
    assert.doesNotMatch(status.stdout, /"status":\s*"refreshing"/);
    assert.match(status.stdout, /did not finish \(that process is gone\)/);

    // The dead process's lock is taken over without waiting for it to turn stale.
    const fresh = { access: canary('after-kill-at'), refresh: canary('after-kill-rt') };
    as.respond = (_g, res) => json(res, { access_token: fresh.access, token_type: 'Bearer', expires_in: 3600, refresh_token: fresh.refresh });
    const retry = await runMeasured(['headers', server.id], { env: profile.env, timeoutMs: 20_000 });
    assertBounded(retry, { maxRssMb: 200, maxMs: 8_000 });
    assert.equal(retry.code, 0, retry.stderr);
    assert.equal(bearerFrom(retry.stdout), fresh.access);
    await assertNoLeak([old.refresh, old.access, fresh.refresh], { dirs: [profile.home], outputs: [killed.stdout, killed.stderr, status.stdout, status.stderr, retry.stderr] });
  });
});

test('a "refreshing" record past its deadline is not shown as refreshing, even while its process lives', async () => {
  const { profile, server, old } = await profileWith(() => undefined, 'refresh-deadline');
  const state = await profile.keyring.states.read(server.id);
  // This test process is alive: only the deadline can tell the refresh is over.
  await profile.keyring.states.write({ ...state, status: 'refreshing', refreshStartedAt: Date.now() - 120_000, refreshingPid: process.pid });
  const status = await runMeasured(['status', server.id, '--json'], { env: profile.env, timeoutMs: 15_000 });
  assertBounded(status, { maxRssMb: 200, maxMs: 10_000 });
  assert.equal(status.code, 0, status.stderr);
  assert.doesNotMatch(status.stdout, /"status":\s*"refreshing"/);
  assert.match(status.stdout, /did not finish \(no result after 1[12]\d s\)/);
  // A fresh one is still shown as it is.
  await profile.keyring.states.write({ ...state, status: 'refreshing', refreshStartedAt: Date.now(), refreshingPid: process.pid });
  const live = await runMeasured(['status', server.id, '--json'], { env: profile.env, timeoutMs: 15_000 });
  assert.match(live.stdout, /"status":\s*"refreshing"/);
  await assertNoLeak([old.access, old.refresh], { dirs: [profile.home], outputs: [status.stdout, status.stderr, live.stdout, live.stderr] });
});
