// Hostile servers, class 1: a redirect must never carry a credential (or a
// request body) to another origin, nor downgrade https to http — on any outbound
// path: the stdio bridge, `serve`, discovery, registration, token refresh and
// revocation. Each case asserts the clear error, that the trap origin saw
// nothing, that no secret reached a file or the terminal, and that the process
// stayed bounded in memory and time.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { secretNames } from '../../main/core/vault/secrets';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { createTestCertificates, type TestCertificates } from '../helpers/quirks/tls';
import { assertBounded, assertNoLeak, canary, runMeasured, startTrapServer, type TrapServer } from './harness';
import { behave, startHostileOAuth, startHostileServer, type HostileServer } from './servers/hostile-http';
import { INITIALIZE, seedOAuthServer, startServe, stdioBridgeRequest } from './transport-fixtures';

let profile: KeyringEnv;
let trap: TrapServer;
let redirector: HostileServer; // http MCP endpoint: 307 to the trap
let downgrader: HostileServer; // https MCP endpoint: 307 to plain http (the trap)
let certificates: TestCertificates;
const keys = { bearer: canary('bearer-key'), apiKey: canary('api-key'), downgrade: canary('downgrade-key') };
const ids = { bearer: '', apiKey: '', downgrade: '' };
const cleanups: Array<() => Promise<unknown>> = [];

before(async () => {
  profile = await createKeyringEnv('transport-redirects');
  trap = await startTrapServer();
  certificates = await createTestCertificates(['localhost']);
  redirector = await startHostileServer({ '/mcp': behave.redirect(`${trap.origin}/steal?from=mcp`) });
  downgrader = await startHostileServer({ '/mcp': behave.redirect(`${trap.origin}/mcp`) }, { tls: certificates });
  const add = async (url: string, name: string, headerName: string, secret: string, scheme?: string) =>
    (await profile.keyring.add({ url, name, auth: { kind: 'header', headerName, ...(scheme ? { scheme } : {}) }, secret })).id;
  ids.bearer = await add(`${redirector.origin}/mcp`, 'bearer', 'Authorization', keys.bearer, 'Bearer');
  ids.apiKey = await add(`${redirector.origin}/mcp`, 'apikey', 'X-API-Key', keys.apiKey);
  ids.downgrade = await add(`${downgrader.origin}/mcp`, 'downgrade', 'X-API-Key', keys.downgrade);
});

after(async () => {
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  await redirector?.close();
  await downgrader?.close();
  await trap?.close();
  await certificates?.cleanup();
  await profile?.cleanup();
});

const allSecrets = () => [...Object.values(keys)];
const tlsEnv = () => ({ ...profile.env, NODE_EXTRA_CA_CERTS: certificates.caFile });
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('redirects through the bridges', { concurrency: 4 }, () => {
  for (const kind of ['bearer', 'apiKey'] as const) {
    test(`stdio bridge: a 307 to another origin is not followed with the ${kind === 'bearer' ? 'Authorization bearer' : '--header X-API-Key'} key`, async (t) => {
      const { reply, run } = await stdioBridgeRequest(ids[kind], profile.env);
      assert.ok(reply?.error, `a JSON-RPC error answers the request; stdout: ${run.stdout}`);
      assert.match(reply.error.message, new RegExp(`Redirect to ${escape(trap.origin)}/steal not followed`));
      assert.equal(trap.seen.length, 0, 'nothing reached the other origin');
      assertBounded(run, { maxRssMb: 100, maxMs: 15_000 });
    t.diagnostic(`peak RSS ${run.peakRssMb.toFixed(1)} MB, ${run.durationMs} ms`);
      await assertNoLeak(allSecrets(), { dirs: [profile.home], outputs: [run.stdout, run.stderr], traps: [trap] });
    });
  }

  test('stdio bridge: an https server redirecting to plain http is not followed', async (t) => {
    const { reply, run } = await stdioBridgeRequest(ids.downgrade, tlsEnv());
    assert.match(reply?.error?.message ?? '', /Redirect to plain http not followed/);
    assert.equal(trap.seen.length, 0);
    assertBounded(run, { maxRssMb: 100, maxMs: 15_000 });
    t.diagnostic(`peak RSS ${run.peakRssMb.toFixed(1)} MB, ${run.durationMs} ms`);
    await assertNoLeak(allSecrets(), { dirs: [profile.home], outputs: [run.stdout, run.stderr], traps: [trap] });
  });

  test('serve: POST and the GET event stream, for a bearer key, an API key and an https→http downgrade: refused with the target named', async (t) => {
    const serve = await startServe(profile, tlsEnv());
    cleanups.push(async () => serve.proc.kill('SIGKILL'));
    for (const kind of ['bearer', 'apiKey'] as const) {
      const post = await serve.send(ids[kind], { body: INITIALIZE });
      assert.equal(post.status, 200, post.text);
      assert.equal(post.json?.id, 1);
      assert.match(post.json?.error?.message ?? '', new RegExp(`${escape(redirector.origin)} redirected to ${escape(trap.origin)}; not followed: it is another origin`));
      const get = await serve.send(ids[kind], { method: 'GET', headers: { accept: 'text/event-stream', 'mcp-session-id': canary('session') } });
      assert.equal(get.status, 502, get.text);
      assert.match(get.text, /not followed: it is another origin/);
    }
    const down = await serve.send(ids.downgrade, { body: INITIALIZE });
    assert.match(down.json?.error?.message ?? '', new RegExp(`${escape(downgrader.origin)} redirected to ${escape(trap.origin)}; not followed: it leaves https for plain http`));
    const run = await serve.stop();
    assert.equal(trap.seen.length, 0, 'nothing reached the other origin');
    assertBounded(run, { maxRssMb: 160 });
    t.diagnostic(`peak RSS ${run.peakRssMb.toFixed(1)} MB, ${run.durationMs} ms`);
    await assertNoLeak([...allSecrets(), serve.secret], { dirs: [profile.home], outputs: [run.stdout, run.stderr], traps: [trap] });
  });
});

describe('redirects of OAuth requests', { concurrency: 4 }, () => {
  test('discovery: protected-resource metadata redirected to another origin is not followed', async (t) => {
    const as = await startHostileOAuth({ prm: behave.redirect(`${trap.origin}/.well-known/oauth-protected-resource`, 302) });
    cleanups.push(() => as.close());
    const server = await profile.keyring.add({ url: as.mcpUrl, name: 'discovery-redirect' });
    const run = await runMeasured(['connect', server.id, '--timeout', '5s'], { env: { ...profile.env, BROWSER: '/bin/false' }, timeoutMs: 30_000 });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /Expected protected-resource metadata at .* but the server answered HTTP 302/);
    assert.ok(as.hits.includes('GET /.well-known/oauth-protected-resource/mcp'));
    assert.equal(trap.seen.length, 0);
    assertBounded(run, { maxRssMb: 160, maxMs: 20_000 });
    t.diagnostic(`peak RSS ${run.peakRssMb.toFixed(1)} MB, ${run.durationMs} ms`);
    await assertNoLeak(allSecrets(), { dirs: [profile.home], outputs: [run.stdout, run.stderr], traps: [trap] });
  });

  test('registration: a redirect of the registration request is not followed', async (t) => {
    const as = await startHostileOAuth({ register: behave.redirect(`${trap.origin}/register`) });
    cleanups.push(() => as.close());
    const server = await profile.keyring.add({ url: as.mcpUrl, name: 'register-redirect' });
    const run = await runMeasured(['connect', server.id, '--timeout', '5s'], { env: { ...profile.env, BROWSER: '/bin/false' }, timeoutMs: 30_000 });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, new RegExp(`${escape(as.origin)} redirected to ${escape(trap.origin)}; not followed`));
    assert.ok(as.hits.includes('POST /register'));
    assert.equal(trap.seen.length, 0);
    assertBounded(run, { maxRssMb: 160, maxMs: 20_000 });
    t.diagnostic(`peak RSS ${run.peakRssMb.toFixed(1)} MB, ${run.durationMs} ms`);
    await assertNoLeak(allSecrets(), { dirs: [profile.home], outputs: [run.stdout, run.stderr], traps: [trap] });
  });

  test('registration: not even a same-origin redirect is followed for an OAuth request', async (t) => {
    const as = await startHostileOAuth({ register: (req, res, body) => behave.redirect(`${as.origin}/register-again`)(req, res, body) });
    cleanups.push(() => as.close());
    const server = await profile.keyring.add({ url: as.mcpUrl, name: 'register-same-origin' });
    const run = await runMeasured(['connect', server.id, '--timeout', '5s'], { env: { ...profile.env, BROWSER: '/bin/false' }, timeoutMs: 30_000 });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, new RegExp(`${escape(as.origin)} redirected to ${escape(as.origin)}; not followed: an OAuth request carries credentials and is never redirected`));
    assert.ok(!as.hits.some((hit) => hit.includes('/register-again')), 'the redirect was not followed');
    assertBounded(run, { maxRssMb: 160, maxMs: 20_000 });
    t.diagnostic(`peak RSS ${run.peakRssMb.toFixed(1)} MB, ${run.durationMs} ms`);
  });

  test('token refresh: the refresh token and client secret are not sent on to the redirect target; the tokens are kept', async (t) => {
    const as = await startHostileOAuth({ token: behave.redirect(`${trap.origin}/token`) });
    cleanups.push(() => as.close());
    const seeded = await seedOAuthServer(profile, as.mcpUrl, as.metadata, 'token-redirect');
    const run = await runMeasured(['headers', seeded.serverId], { env: profile.env, timeoutMs: 30_000 });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, new RegExp(`${escape(as.origin)} redirected to ${escape(trap.origin)}; not followed: it is another origin`));
    assert.ok(as.hits.includes('POST /token'));
    assert.equal(trap.seen.length, 0);
    assert.equal(await profile.keyring.vault.get(secretNames.refreshToken(seeded.serverId)), seeded.refreshToken, 'the refresh token is not lost');
    assertBounded(run, { maxRssMb: 160, maxMs: 20_000 });
    t.diagnostic(`peak RSS ${run.peakRssMb.toFixed(1)} MB, ${run.durationMs} ms`);
    await assertNoLeak([seeded.accessToken, seeded.refreshToken, seeded.clientSecret], { dirs: [profile.home], outputs: [run.stdout, run.stderr], traps: [trap] });
  });

  test('revocation: a redirect of the revocation request is not followed; disconnect still deletes the tokens here', async (t) => {
    const as = await startHostileOAuth({ revoke: behave.redirect(`${trap.origin}/revoke`, 308) });
    cleanups.push(() => as.close());
    const seeded = await seedOAuthServer(profile, as.mcpUrl, as.metadata, 'revoke-redirect');
    const run = await runMeasured(['disconnect', seeded.serverId], { env: profile.env, timeoutMs: 30_000 });
    assert.match(run.stderr + run.stdout, new RegExp(`${escape(as.origin)} redirected to ${escape(trap.origin)}; not followed`));
    assert.ok(as.hits.includes('POST /revoke'));
    assert.equal(trap.seen.length, 0);
    assert.equal(await profile.keyring.vault.get(secretNames.refreshToken(seeded.serverId)), null, 'the tokens are gone here');
    assertBounded(run, { maxRssMb: 160, maxMs: 20_000 });
    t.diagnostic(`peak RSS ${run.peakRssMb.toFixed(1)} MB, ${run.durationMs} ms`);
    await assertNoLeak([seeded.accessToken, seeded.refreshToken, seeded.clientSecret], { dirs: [profile.home], outputs: [run.stdout, run.stderr], traps: [trap] });
  });
});
