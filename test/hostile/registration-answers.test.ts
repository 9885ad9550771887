// Dynamic registration answers as servers really send them, and as hostile ones do:
// a secret nobody asked for and no client_secret_expires_at; a 201 that is not a
// usable registration; a refusal. The error says what was wrong — and tells the
// user to bring a client id (--client-id) only when registration itself was refused —
// and the handed-out secret never reaches a file or the terminal.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { runCli, scriptedBrowser } from '../helpers/run-cli';
import { goodAsMetadata, protectedServerRoutes, startStaticServer, type Route, type StaticServer } from '../helpers/static-server';
import { assertBounded, assertNoLeak, canary, runMeasured } from './harness';

const SECRET = canary('dcr-secret');

/** Sends the browser straight back with a code, as an auto-approving server does. */
const approve: Route = (_origin, req) => {
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  const back = new URL(query.get('redirect_uri') ?? 'http://127.0.0.1/');
  back.searchParams.set('code', 'a-code');
  back.searchParams.set('state', query.get('state') ?? '');
  return { status: 302, headers: { location: back.href } };
};

function server(register: Route): Promise<StaticServer> {
  return startStaticServer(
    protectedServerRoutes((origin) => ({ ...goodAsMetadata(origin), token_endpoint_auth_methods_supported: ['client_secret_basic'] }), {
      'POST /register': register,
      'GET /authorize': approve,
      'POST /token': { status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } },
    }),
  );
}

let profile: KeyringEnv;
const servers: StaticServer[] = [];
before(async () => {
  profile = await createKeyringEnv('hostile-registration');
});
after(async () => {
  await profile.cleanup();
  await Promise.all(servers.map((s) => s.close()));
});

async function connect(register: Route) {
  const s = await server(register);
  servers.push(s);
  const added = await runCli(['add', `${s.origin}/mcp`], { env: profile.env });
  assert.equal(added.code, 0, added.stderr);
  const run = await runMeasured(['connect', added.stdout.trim(), '--timeout', '15s'], { env: { ...profile.env, BROWSER: scriptedBrowser }, timeoutMs: 40_000 });
  assertBounded(run);
  await assertNoLeak([SECRET], { dirs: [profile.home], outputs: [added.stdout, added.stderr, run.stdout, run.stderr] });
  return { run, server: s };
}

test('a secret without client_secret_expires_at is accepted; when the token endpoint then refuses, nothing says --client-id', async () => {
  const { run, server: s } = await connect({ status: 201, body: { client_id: 'given-client', client_secret: SECRET } });
  assert.equal(run.code, 1);
  assert.ok(s.requests.includes('GET /authorize'), 'the sign-in never reached the browser');
  assert.ok(s.requests.includes('POST /token'));
  assert.match(run.stderr, /invalid_client/);
  assert.doesNotMatch(run.stderr, /--client-id/);
});

test('a 201 without a client_id: registration worked but its answer is unusable, said so without --client-id', async () => {
  const { run, server: s } = await connect({ status: 201, body: { client_secret: SECRET, client_secret_expires_at: 0 } });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /registered MCP Keyring but answered with an unusable registration \(.*client_id/);
  assert.doesNotMatch(run.stderr, /--client-id/);
  assert.ok(!s.requests.includes('GET /authorize'));
});

test('a refused registration says what the server answered and suggests a client id', async () => {
  const { run } = await connect({ status: 400, body: { error: 'invalid_client_metadata', error_description: 'no loopback redirect URIs here' } });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /failed \(invalid_client_metadata: no loopback redirect URIs here(, HTTP 400)?\); connect with a client id instead \(--client-id\)/);
});
