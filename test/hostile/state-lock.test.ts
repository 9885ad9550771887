// The refresh lock under attack (issue 7, class 3): the lock directory removed or
// its mtime changed while a refresh holds it, and a stale lock left by a killed
// process taken over by two contenders at once. The refresh must abort cleanly
// (nothing saved without the lock), `serve` must survive, and a rotating refresh
// token must be sent once.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import type http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { withFileLock } from '../../main/core/fs/file-lock';
import { getOrCreateHttpBridgeSecret } from '../../main/core/bridge/http-bridge';
import { freePort } from '../helpers/free-port';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { useStack } from '../helpers/stack';
import { assertBounded, assertNoLeak, canary, runMeasured, startMeasured } from './harness';
import { bearerFrom, deadPid, expire, json, plantStaleLock, refreshLockDir, seedSignedIn, startHostileAs, storedTokens, type HostileAs } from './state-helpers';

let as: HostileAs;
const profiles: KeyringEnv[] = [];
before(async () => {
  as = await startHostileAs((_g, res) => json(res, { error: 'server_error' }, 500));
});
after(async () => {
  for (const profile of profiles) await profile.cleanup();
  await as.close();
});

/** A token endpoint that holds each answer until the test releases it. */
function heldAnswers(body: () => unknown) {
  const pending: http.ServerResponse[] = [];
  as.respond = (_g, res) => void pending.push(res);
  return { release: () => pending.splice(0).forEach((res) => json(res, body())) };
}

async function seeded(label: string) {
  const profile = await createKeyringEnv(label);
  profiles.push(profile);
  const old = { access: canary('old-at'), refresh: canary('old-rt') };
  const server = await seedSignedIn(profile, as, old);
  const fresh = { access: canary('new-at'), refresh: canary('new-rt') };
  return { profile, server, old, fresh };
}

describe('the refresh lock is removed or touched while held', () => {
  test('lock directory removed before the answer arrives: the CLI refresh aborts cleanly and saves nothing', async () => {
    const { profile, server, old, fresh } = await seeded('lock-removed');
    const answers = heldAnswers(() => ({ access_token: fresh.access, token_type: 'Bearer', expires_in: 3600, refresh_token: fresh.refresh }));
    const grantsBefore = as.grants.length;
    const cli = startMeasured(['headers', server.id], { env: profile.env, timeoutMs: 30_000 });
    await as.grantArrived(grantsBefore + 1);
    await fs.rm(refreshLockDir(profile, server.id), { recursive: true });
    answers.release();
    const run = await cli.done;
    assertBounded(run, { maxRssMb: 200, maxMs: 15_000 });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Lost the lock .*stopped without saving anything/);
    assert.doesNotMatch(run.stderr, /ECOMPROMISED|at .*\.js:\d+/, 'a clear message, no stack trace');
    assert.deepEqual(await storedTokens(profile, server.id), old, 'nothing saved without the lock');
    const state = await profile.keyring.states.read(server.id);
    assert.notEqual(state.status, 'refreshing');
    assert.match(state.lastError ?? '', /Lost the lock/);
    await assertNoLeak([old.access, old.refresh, fresh.access, fresh.refresh], { dirs: [profile.home], outputs: [run.stdout, run.stderr] });
  });

  test('lock directory removed while `serve` waits on a hanging refresh: the refresh is aborted, serve survives', async () => {
    const { profile, server, old } = await seeded('lock-serve');
    as.respond = () => undefined; // never answers
    const port = await freePort();
    const serve = startMeasured(['serve', '--port', String(port)], { env: profile.env, timeoutMs: 60_000 });
    try {
      await serve.waitForStderr(/listening on/, 15_000);
      const secret = await getOrCreateHttpBridgeSecret(profile.keyring.vault, profile.keyring.registry.paths);
      const url = `http://127.0.0.1:${port}/servers/${server.id}/mcp`;
      const call = () =>
        fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
        }).then(async (r) => ({ status: r.status, body: await r.text() }));
      const grantsBefore = as.grants.length;
      const first = call();
      await as.grantArrived(grantsBefore + 1);
      const removedAt = Date.now();
      await fs.rm(refreshLockDir(profile, server.id), { recursive: true });
      const answer = await first;
      // The heartbeat (every 5 s) finds the lock gone and aborts the request, well before its 15 s deadline.
      assert.ok(Date.now() - removedAt < 9_000, `aborted after ${Date.now() - removedAt} ms`);
      assert.match(answer.body, /Lost the lock/);
      assert.equal(serve.child.exitCode, null, 'serve is still running');
      // It still answers, and the dead refresh token is not resent during the backoff.
      const second = await call();
      assert.match(second.body, /tries again in \d+ s/);
      assert.equal(as.grants.length - grantsBefore, 1);
      assert.deepEqual(await storedTokens(profile, server.id), old);
      assert.equal(serve.child.exitCode, null, 'serve is still running');
      await assertNoLeak([old.access, old.refresh, secret], { dirs: [profile.home], outputs: [serve.stdout(), serve.stderr(), answer.body, second.body] });
    } finally {
      serve.kill('SIGINT');
    }
    const run = await serve.done;
    assertBounded(run, { maxRssMb: 200 });
    assert.equal(run.code, 0, run.stderr);
  });

  test('lock mtime changed (a laptop that slept): a second process does not take a live lock; one refresh', async () => {
    const { profile, server, old, fresh } = await seeded('lock-mtime');
    const answers = heldAnswers(() => ({ access_token: fresh.access, token_type: 'Bearer', expires_in: 3600, refresh_token: fresh.refresh }));
    const grantsBefore = as.grants.length;
    const first = startMeasured(['headers', server.id], { env: profile.env, timeoutMs: 30_000 });
    await as.grantArrived(grantsBefore + 1);
    const hourAgo = new Date(Date.now() - 3600_000);
    await fs.utimes(refreshLockDir(profile, server.id), hourAgo, hourAgo);
    const second = startMeasured(['headers', server.id], { env: profile.env, timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 1_500)); // the second one is waiting for the lock by now
    assert.equal(as.grants.length - grantsBefore, 1, 'the second process did not take over the live lock');
    answers.release();
    const [a, b] = await Promise.all([first.done, second.done]);
    for (const run of [a, b]) {
      assertBounded(run, { maxRssMb: 200, maxMs: 20_000 });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(bearerFrom(run.stdout) === fresh.access);
    }
    assert.equal(as.grants.length - grantsBefore, 1, 'the refresh token was sent once');
    assert.deepEqual(await storedTokens(profile, server.id), fresh);
    await assertNoLeak([old.refresh, fresh.refresh], { dirs: [profile.home], outputs: [a.stdout, a.stderr, b.stdout, b.stderr] });
  });
});

describe('a stale lock left by a killed process', () => {
  // Tokens live longer than the 5 minutes `headers` asks for, so a second refresh would be a reuse.
  const stack = useStack('stale-lock', { accessTokenTTL: 900 });

  test('two contenders take it over atomically: one refresh grant at the real AS, no invalid_grant', async () => {
    const server = await stack.connected('stale');
    const profile = stack.profile;
    const before = await storedTokens(profile, server.id);
    await expire(profile, server.id);
    await plantStaleLock(refreshLockDir(profile, server.id), await deadPid());
    const grants = stack.as.stats.refreshGrants;
    const invalid = stack.as.stats.invalidGrant;
    const runs = await Promise.all([0, 1].map(() => runMeasured(['headers', server.id], { env: profile.env, timeoutMs: 30_000 })));
    for (const run of runs) {
      assertBounded(run, { maxRssMb: 200, maxMs: 10_000 });
      assert.equal(run.code, 0, run.stderr);
    }
    assert.ok(bearerFrom(runs[0]!.stdout) === bearerFrom(runs[1]!.stdout), 'both got the one refreshed token');
    assert.equal(stack.as.stats.refreshGrants - grants, 1, 'the rotating refresh token was sent once');
    assert.equal(stack.as.stats.invalidGrant - invalid, 0);
    await assert.rejects(fs.stat(refreshLockDir(profile, server.id)), /ENOENT/, 'released afterwards');
    const after = await storedTokens(profile, server.id);
    assert.notEqual(after.refresh, before.refresh);
    await assertNoLeak([before.refresh!, after.refresh!], { dirs: [profile.home], outputs: runs.flatMap((r) => [r.stdout, r.stderr]) });
  });

  test('many contenders racing for one stale lock never hold it at the same time', async () => {
    const profile = await createKeyringEnv('lock-race');
    profiles.push(profile);
    const target = `${profile.home}/locks/race`;
    const pid = await deadPid();
    let holders = 0;
    let most = 0;
    let entered = 0;
    for (let round = 0; round < 15; round++) {
      await plantStaleLock(`${target}.lock`, pid);
      await Promise.all(
        Array.from({ length: 6 }, () =>
          withFileLock(target, async (lock) => {
            holders++;
            entered++;
            most = Math.max(most, holders);
            await new Promise((r) => setTimeout(r, 5));
            await lock.assertHeld();
            holders--;
          }),
        ),
      );
    }
    assert.equal(most, 1, 'two contenders held the lock at once');
    assert.equal(entered, 15 * 6);
  });
});

describe('a lock holder that is frozen (a laptop asleep mid-refresh)', () => {
  test('its lock is taken over once the heartbeat stands still; on waking it finds the lock lost instead of crashing', async () => {
    const profile = await createKeyringEnv('lock-frozen');
    profiles.push(profile);
    const target = `${profile.home}/locks/frozen`;
    const holder = startMeasured([target], { env: process.env, script: `${import.meta.dirname}/state-lock-holder.ts`, nodeArgs: ['--import', 'tsx'], timeoutMs: 30_000 });
    await new Promise<void>((resolve, reject) => {
      holder.child.stdout!.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
      holder.done.then(() => reject(new Error(`holder exited: ${holder.stderr()}`)));
    });
    holder.kill('SIGSTOP');
    try {
      const started = Date.now();
      // While its heartbeat still looks fresh (or has just been seen standing still) nobody takes it.
      let tookOver = 0;
      await withFileLock(target, async (lock) => {
        tookOver = Date.now() - started;
        await lock.assertHeld();
      }, { staleMs: 600, updateMs: 200, waitMs: 10_000 });
      assert.ok(tookOver >= 600, `taken over after ${tookOver} ms: too early for a live owner`);
      assert.ok(tookOver < 5_000, `taken over after ${tookOver} ms`);
    } finally {
      holder.kill('SIGCONT');
    }
    holder.child.stdin!.end('check\n');
    const run = await holder.done;
    assertBounded(run, { maxRssMb: 250, maxMs: 30_000 });
    assert.equal(run.code, 0, 'no uncaught ECOMPROMISED: the holder exits normally');
    assert.match(run.stderr, /Lost the lock .*\(removed or taken over by another process\)/);
  });
});
