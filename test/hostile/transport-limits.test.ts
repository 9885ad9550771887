// Hostile servers, class 2: no limit on what a server sends back. Oversize OAuth
// JSON (metadata, token, registration), gzip bombs, a 400 MB MCP reply, a body
// trickled for ever and a server that never answers, through the stdio bridge,
// `serve` and the CLI. Each case asserts the clear error, that no secret leaked,
// and that the process stayed within a memory bound and ended in time.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { keyringPaths } from '../../main/core/paths';
import { ClientStore } from '../../main/core/registration/client-store';
import { secretNames } from '../../main/core/vault/secrets';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { assertBounded, assertNoLeak, canary, runMeasured, type MeasuredRun } from './harness';
import { behave, startHostileOAuth, startHostileServer, type HostileServer } from './servers/hostile-http';
import { INITIALIZE, seedOAuthServer, startServe, stdioBridgeRequest } from './transport-fixtures';

const MiB = 1024 * 1024;
let profile: KeyringEnv;
let mcp: HostileServer;
const keys = {
  bomb: canary('bomb-key'),
  huge: canary('huge-key'),
  trickle: canary('trickle-key'),
  never: canary('never-key'),
  sseBomb: canary('sse-key'),
  sseTrickle: canary('sse-trickle-key'),
  sseHuge: canary('sse-huge-key'),
};
const ids: Record<keyof typeof keys, string> = { bomb: '', huge: '', trickle: '', never: '', sseBomb: '', sseTrickle: '', sseHuge: '' };
const routes: Record<keyof typeof keys, string> = { bomb: 'bomb', huge: 'huge', trickle: 'trickle', never: 'never', sseBomb: 'sse-bomb', sseTrickle: 'sse-trickle', sseHuge: 'sse-huge' };
const cleanups: Array<() => Promise<unknown>> = [];
/** MCP deadlines short enough for a test (the default is 5 minutes). */
const MCP_TIMEOUT_S = 2;

before(async () => {
  profile = await createKeyringEnv('transport-limits');
  mcp = await startHostileServer({
    '/bomb': behave.gzipBomb(),
    '/huge': behave.huge(400 * MiB),
    '/trickle': behave.trickle(),
    '/never': behave.never(),
    '/sse-bomb': behave.gzipBomb({ contentType: 'text/event-stream' }),
    '/sse-trickle': behave.trickle({ contentType: 'text/event-stream' }),
    '/sse-huge': behave.huge(400 * MiB, { contentType: 'text/event-stream' }),
  });
  for (const name of Object.keys(keys) as Array<keyof typeof keys>) {
    ids[name] = (await profile.keyring.add({ url: `${mcp.origin}/${routes[name]}`, name, auth: { kind: 'header', headerName: 'X-API-Key' }, secret: keys[name] })).id;
  }
});

after(async () => {
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  await mcp?.close();
  await profile?.cleanup();
});

const mcpEnv = () => ({ ...profile.env, MCP_KEYRING_MCP_TIMEOUT: String(MCP_TIMEOUT_S) });
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
function measured(t: TestContext, run: MeasuredRun, limits: { maxRssMb: number; maxMs?: number }): void {
  assertBounded(run, limits);
  t.diagnostic(`peak RSS ${run.peakRssMb.toFixed(1)} MB, ${run.durationMs} ms`);
}

describe('MCP replies through the bridges', { concurrency: 3 }, () => {
  test('stdio bridge: a gzip bomb (4 GiB of zeros) is refused by its inflation ratio', async (t) => {
    const { reply, run } = await stdioBridgeRequest(ids.bomb, mcpEnv());
    assert.match(reply?.error?.message ?? '', new RegExp(`${escape(mcp.origin)} sent a compressed body that inflates more than 100 times .*decompression bomb`));
    measured(t, run, { maxRssMb: 100, maxMs: 15_000 });
    await assertNoLeak(Object.values(keys), { dirs: [profile.home], outputs: [run.stdout, run.stderr] });
  });

  test('stdio bridge: a 400 MB JSON reply is refused at 64 MiB', async (t) => {
    const { reply, run } = await stdioBridgeRequest(ids.huge, { ...profile.env, MCP_KEYRING_MCP_TIMEOUT: '60' });
    assert.match(reply?.error?.message ?? '', new RegExp(`${escape(mcp.origin)} sent a response of more than 64 MiB, over MCP Keyring's limit of 64 MiB`));
    // The bridge held at most the 64 MiB it was allowed, never the 400 MB.
    measured(t, run, { maxRssMb: 66 + 64 + 40, maxMs: 40_000 });
    await assertNoLeak(Object.values(keys), { dirs: [profile.home], outputs: [run.stdout, run.stderr] });
  });

  test('stdio bridge: a reply trickled a byte at a time for ever ends at the deadline', async (t) => {
    const { reply, run } = await stdioBridgeRequest(ids.trickle, mcpEnv());
    assert.match(reply?.error?.message ?? '', new RegExp(`${escape(mcp.origin)} sent no complete answer within ${MCP_TIMEOUT_S} s`));
    measured(t, run, { maxRssMb: 100, maxMs: 15_000 });
    await assertNoLeak(Object.values(keys), { dirs: [profile.home], outputs: [run.stdout, run.stderr] });
  });

  test('stdio bridge: a server that never answers gets the deadline too', async (t) => {
    const { reply, run } = await stdioBridgeRequest(ids.never, mcpEnv());
    assert.match(reply?.error?.message ?? '', new RegExp(`${escape(mcp.origin)} sent no complete answer within ${MCP_TIMEOUT_S} s`));
    measured(t, run, { maxRssMb: 100, maxMs: 15_000 });
    await assertNoLeak(Object.values(keys), { dirs: [profile.home], outputs: [run.stdout, run.stderr] });
  });

  test('stdio bridge: answers on an event stream: one 400 MB event, and an event left unfinished, get a JSON-RPC error', async (t) => {
    const [huge, stuck] = await Promise.all([
      stdioBridgeRequest(ids.sseHuge, { ...profile.env, MCP_KEYRING_MCP_TIMEOUT: '60' }),
      stdioBridgeRequest(ids.sseTrickle, mcpEnv()),
    ]);
    assert.match(huge.reply?.error?.message ?? '', new RegExp(`${escape(mcp.origin)} sent an event of more than 64 MiB on its event stream`), huge.run.stderr);
    assert.match(stuck.reply?.error?.message ?? '', new RegExp(`${escape(mcp.origin)} began an event on its event stream and did not finish it within ${MCP_TIMEOUT_S} s`), stuck.run.stderr);
    measured(t, huge.run, { maxRssMb: 66 + 64 + 40, maxMs: 40_000 });
    measured(t, stuck.run, { maxRssMb: 100, maxMs: 15_000 });
    await assertNoLeak(Object.values(keys), { dirs: [profile.home], outputs: [huge.run.stdout, huge.run.stderr, stuck.run.stdout, stuck.run.stderr] });
  });

  test('serve: gzip bombs (JSON and event stream) and a 400 MB reply: a clear error or a cut stream, memory bounded', async (t) => {
    const serve = await startServe(profile, { ...profile.env, MCP_KEYRING_MCP_TIMEOUT: '60' });
    cleanups.push(async () => serve.proc.kill('SIGKILL'));
    const [bomb, huge, sseBomb] = await Promise.all([
      serve.send(ids.bomb, { body: INITIALIZE }),
      serve.send(ids.huge, { body: INITIALIZE }),
      serve.send(ids.sseBomb, { body: INITIALIZE }),
    ]);
    assert.match(bomb.json?.error?.message ?? '', /inflates more than 100 times .*decompression bomb/, bomb.text);
    // Past the first 4 MiB a JSON reply streams through; at the limit the bridge cuts it off.
    assert.equal(huge.aborted, true, 'the 400 MB reply was cut off');
    assert.ok(huge.bytes >= 4 * MiB && huge.bytes <= 64 * MiB + 64 * 1024, `${huge.bytes} bytes reached the client`);
    // An event stream is forwarded as it comes; the bomb is cut off within its first MiBs.
    assert.equal(sseBomb.aborted, true);
    assert.ok(sseBomb.bytes <= 8 * MiB, `${sseBomb.bytes} bytes of the event-stream bomb reached the client`);
    assert.match(serve.proc.stderr(), /the server's answer broke off \(.*over MCP Keyring's limit of 64 MiB/);
    assert.match(serve.proc.stderr(), /the server's answer broke off \(.*decompression bomb/);
    const run = await serve.stop();
    measured(t, run, { maxRssMb: 200 });
    await assertNoLeak([...Object.values(keys), serve.secret], { dirs: [profile.home], outputs: [run.stdout, run.stderr] });
  });

  test('serve: a reply trickled for ever and a server that never answers end at the deadline with a JSON-RPC error; an event stream stuck mid-event is cut', async (t) => {
    const serve = await startServe(profile, mcpEnv());
    cleanups.push(async () => serve.proc.kill('SIGKILL'));
    const [trickle, never, sseTrickle] = await Promise.all([
      serve.send(ids.trickle, { body: INITIALIZE }),
      serve.send(ids.never, { body: INITIALIZE }),
      serve.send(ids.sseTrickle, { body: INITIALIZE }),
    ]);
    assert.equal(sseTrickle.aborted, true, 'the stuck event stream was cut off');
    assert.match(serve.proc.stderr(), new RegExp(`${escape(mcp.origin)} began an event on its event stream and did not finish it within ${MCP_TIMEOUT_S} s`));
    for (const answer of [trickle, never]) {
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.json?.id, 1);
      assert.match(answer.json?.error?.message ?? '', new RegExp(`${escape(mcp.origin)} sent no complete answer within ${MCP_TIMEOUT_S} s`), answer.text);
    }
    const run = await serve.stop();
    measured(t, run, { maxRssMb: 160 });
    await assertNoLeak([...Object.values(keys), serve.secret], { dirs: [profile.home], outputs: [run.stdout, run.stderr] });
  });
});

describe('OAuth responses', { concurrency: 4 }, () => {
  const connect = async (overrides: Parameters<typeof startHostileOAuth>[0], name: string) => {
    const as = await startHostileOAuth(overrides);
    cleanups.push(() => as.close());
    const server = await profile.keyring.add({ url: as.mcpUrl, name });
    const run = await runMeasured(['connect', server.id, '--timeout', '5s'], { env: { ...profile.env, BROWSER: '/bin/false' }, timeoutMs: 40_000 });
    return { as, run };
  };

  test('discovery: 50 MB of authorization server metadata is refused before it is read', async (t) => {
    const { as, run } = await connect({ asMetadata: behave.huge(50 * MiB, { declareLength: true }) }, 'metadata-50mb');
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, new RegExp(`${escape(as.origin)} sent a response of 50 MiB, over MCP Keyring's limit of 1 MiB`));
    measured(t, run, { maxRssMb: 160, maxMs: 20_000 });
    await assertNoLeak(Object.values(keys), { dirs: [profile.home], outputs: [run.stdout, run.stderr] });
  });

  test('discovery: a gzip bomb as metadata is refused', async (t) => {
    const { as, run } = await connect({ asMetadata: behave.gzipBomb() }, 'metadata-bomb');
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, new RegExp(`${escape(as.origin)} sent a (compressed body that inflates more than 100 times|response of more than 1 MiB)`));
    measured(t, run, { maxRssMb: 160, maxMs: 20_000 });
    await assertNoLeak(Object.values(keys), { dirs: [profile.home], outputs: [run.stdout, run.stderr] });
  });

  test('discovery: metadata trickled for ever ends at the 15 s OAuth deadline', async (t) => {
    const { as, run } = await connect({ prm: behave.trickle() }, 'metadata-trickle');
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, new RegExp(`(${escape(as.origin)} sent no complete answer|no answer) within 15 s`));
    measured(t, run, { maxRssMb: 160, maxMs: 30_000 });
    await assertNoLeak(Object.values(keys), { dirs: [profile.home], outputs: [run.stdout, run.stderr] });
  });

  test('registration: an oversize registration response is refused', async (t) => {
    const { as, run } = await connect({ register: behave.huge(5 * MiB, { status: 201 }) }, 'register-huge');
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, new RegExp(`${escape(as.origin)} sent a response of more than 1 MiB`));
    assert.equal(await fs.readFile(profile.keyring.registry.paths.clientsFile, 'utf8').then((text) => text.includes('aaaa'), () => false), false);
    measured(t, run, { maxRssMb: 160, maxMs: 20_000 });
    await assertNoLeak(Object.values(keys), { dirs: [profile.home], outputs: [run.stdout, run.stderr] });
  });

  test('token refresh: an oversize token response is refused, and the tokens are kept', async (t) => {
    const as = await startHostileOAuth({ token: behave.huge(20 * MiB) });
    cleanups.push(() => as.close());
    const seeded = await seedOAuthServer(profile, as.mcpUrl, as.metadata, 'token-huge');
    const run = await runMeasured(['headers', seeded.serverId], { env: profile.env, timeoutMs: 30_000 });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, new RegExp(`${escape(as.origin)} sent a response of more than 1 MiB`));
    assert.equal(await profile.keyring.vault.get(secretNames.refreshToken(seeded.serverId)), seeded.refreshToken);
    measured(t, run, { maxRssMb: 160, maxMs: 20_000 });
    await assertNoLeak([seeded.accessToken, seeded.refreshToken, seeded.clientSecret], { dirs: [profile.home], outputs: [run.stdout, run.stderr] });
  });
});

test('clients.json keeps only the metadata fields in use, bounded; an old file with junk is read and written back trimmed', async () => {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-client-store-'));
  cleanups.push(() => fs.rm(home, { recursive: true, force: true }));
  const store = new ClientStore(keyringPaths(home));
  const issuer = 'https://as.example.com';
  const junk = 'j'.repeat(100_000);
  // A file as older versions wrote it: whatever the server sent.
  await fs.mkdir(path.dirname(store.paths.clientsFile), { recursive: true });
  const old = {
    version: 1,
    authorizationServers: {
      [issuer]: {
        metadata: { issuer, token_endpoint: `${issuer}/token`, scopes_supported: ['a', junk, 'b'], x_junk: junk, service_documentation: junk, authorization_endpoint: `${issuer}/${junk}` },
        fetchedAt: new Date().toISOString(),
        registrations: { c1: { clientId: 'c1', method: 'dynamic', redirectUris: ['http://127.0.0.1:1/callback'], tokenEndpointAuthMethod: 'none', hasSecret: false, registeredAt: new Date().toISOString() } },
        current: 'c1',
      },
    },
  };
  await fs.writeFile(store.paths.clientsFile, JSON.stringify(old));
  const entry = await store.get(issuer);
  assert.deepEqual(entry?.metadata, { issuer, token_endpoint: `${issuer}/token`, scopes_supported: ['a', 'b'] });
  assert.equal(entry?.current, 'c1', 'registrations survive');
  await store.saveMetadata({ issuer, token_endpoint: `${issuer}/token2`, extra: junk } as never);
  const text = await fs.readFile(store.paths.clientsFile, 'utf8');
  assert.ok(text.length < 2000, `clients.json is ${text.length} bytes`);
  assert.ok(!text.includes('jjjj'));
  assert.equal((await store.get(issuer))?.registrations.c1?.clientId, 'c1');
  await assert.rejects(
    store.saveRegistration(issuer, { clientId: junk, method: 'dynamic', redirectUris: [], tokenEndpointAuthMethod: 'none', hasSecret: false, registeredAt: new Date().toISOString() }),
    /implausibly long/,
  );
});
