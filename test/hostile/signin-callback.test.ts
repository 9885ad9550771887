// Issue 7, classes 6 and 7: the loopback callback and mix-up. Anything on this
// computer can send requests to the sign-in's loopback listener; none of them may
// end the sign-in, and an answer that arrives on another authorization server's
// redirect path, or without the `iss` the authorization server promised, is refused.
// Each case runs the real CLI `connect` (measured: memory bound, no hang) against a
// real oidc-provider, with the test playing browser and attacker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callbackPathFor } from '../../main/core/authorize/loopback-listener';
import { useStack } from '../helpers/stack';
import { completeLogin } from '../helpers/user-agent';
import { assertBounded, assertNoLeak, canary, startTrapServer, type MeasuredRun } from './harness';
import { poke, startCliSignIn, withoutIss, type CliSignIn } from './signin-helpers';

const stack = useStack('hostile-callback');
const MAX_RSS_MB = 200;
let serverCount = 0;

async function addServer(): Promise<string> {
  const server = await stack.profile.keyring.add({ url: stack.mcp.url, name: `callback-${++serverCount}` });
  return server.id;
}

/** The sign-in completed after all: tokens in the keychain, none of them anywhere else. */
async function assertSignedIn(signIn: CliSignIn, run: MeasuredRun, id: string): Promise<void> {
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /Connected with .*mcp:tools/);
  assertBounded(run, { maxRssMb: MAX_RSS_MB });
  const view = await stack.profile.keyring.view(await stack.profile.keyring.registry.get(id));
  assert.equal(view.status, 'connected');
  const tokens = (await stack.profile.secrets()).filter((s) => s.account.includes(id)).map((s) => s.password);
  assert.ok(tokens.length >= 1);
  await assertNoLeak(tokens, { dirs: [stack.profile.home], outputs: [run.stdout, run.stderr] });
  assert.equal(signIn.redirectUri.pathname, callbackPathFor(stack.as.issuer), 'a self-registered client gets its per-AS redirect path');
}

test('a forged callback with the wrong state gets an error page that echoes nothing; the real answer then signs in', async () => {
  const id = await addServer();
  const signIn = await startCliSignIn(stack.profile, id);
  const marker = canary('forged');
  const forged = new URL(signIn.redirectUri);
  forged.search = new URLSearchParams({ code: marker, state: `${marker}<script>alert(1)</script>`, error_description: `<img src=x onerror=alert(1)>${marker}` }).toString();
  const answer = await poke(forged);
  assert.ok('status' in answer, 'the listener answered');
  assert.equal(answer.status, 400);
  assert.match(answer.body, /not waiting for this sign-in answer/);
  assert.ok(!answer.body.includes(marker) && !answer.body.includes('<script>') && !answer.body.includes('<img'), 'nothing of the forged request is echoed');

  const browser = await completeLogin(signIn.url.href);
  assert.equal(browser.status, 200, 'the real answer still reached the listener');
  assert.match(browser.body, /Signed in/);
  const run = await signIn.run.done;
  await assertSignedIn(signIn, run, id);
  await assertNoLeak([marker], { dirs: [stack.profile.home], outputs: [run.stdout, run.stderr] });
});

test('callbacks with no state, other paths and methods, and an oversized query are ignored; sign-in goes on', async () => {
  const id = await addServer();
  const signIn = await startCliSignIn(stack.profile, id);
  const base = signIn.redirectUri;
  const noState = await poke(`${base.href}?code=x`);
  assert.deepEqual('status' in noState && noState.status, 400);
  const errorNoState = await poke(`${base.href}?error=access_denied&error_description=you%20were%20denied`);
  assert.deepEqual('status' in errorNoState && errorNoState.status, 400, 'an error "answer" without our state cannot end the sign-in either');
  const otherPath = await poke(`${base.origin}/admin?state=x`);
  assert.deepEqual('status' in otherPath && otherPath.status, 404);
  const post = await poke(`${base.href}?state=${signIn.state}`, { method: 'POST', body: 'code=x' });
  assert.deepEqual('status' in post && post.status, 404, 'only a GET is a callback');
  const huge = await poke(`${base.href}?state=x&pad=${'A'.repeat(1024 * 1024)}`);
  assert.ok('error' in huge || huge.status === 431, `an oversized query is cut off by the header limit (${JSON.stringify('status' in huge ? huge.status : huge.error)})`);

  await completeLogin(signIn.url.href);
  await assertSignedIn(signIn, await signIn.run.done, id);
});

test('a flood of forged callbacks neither ends the sign-in nor grows memory', async (t) => {
  const id = await addServer();
  const signIn = await startCliSignIn(stack.profile, id);
  const statuses = new Map<string, number>();
  const FORGED = 300;
  const AT_ONCE = 25; // under the listener's connection cap, so each one gets its answer
  for (let i = 0; i < FORGED; i += AT_ONCE) {
    const batch = await Promise.all(
      Array.from({ length: AT_ONCE }, (_, j) => poke(`${signIn.redirectUri.href}?code=c${i + j}&state=s${i + j}&iss=${encodeURIComponent(stack.as.issuer)}`)),
    );
    for (const answer of batch) {
      const key = 'status' in answer ? String(answer.status) : 'refused';
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
  }
  assert.deepEqual(Object.fromEntries(statuses), { 400: FORGED }, 'every forged callback got the error page, none was taken for the answer');

  await completeLogin(signIn.url.href);
  const run = await signIn.run.done;
  await assertSignedIn(signIn, run, id);
  assertBounded(run, { maxRssMb: 150 });
  t.diagnostic(`${FORGED} forged callbacks (${JSON.stringify(Object.fromEntries(statuses))}), then the real one: peak RSS ${run.peakRssMb.toFixed(1)} MB, ${run.durationMs} ms`);
});

test('mix-up: this sign-in\'s state on another authorization server\'s redirect path is refused, and the code goes nowhere', async () => {
  const id = await addServer();
  const trap = await startTrapServer();
  try {
    const signIn = await startCliSignIn(stack.profile, id);
    const tokenRequests = stack.as.stats.tokenRequests;
    const code = canary('code');
    const elsewhere = new URL(signIn.redirectUri);
    elsewhere.pathname = callbackPathFor(trap.origin); // the path the CLI would register at another AS
    elsewhere.search = new URLSearchParams({ code, state: signIn.state, iss: stack.as.issuer }).toString();
    const answer = await poke(elsewhere);
    assert.ok('status' in answer && answer.status === 400 && /Sign-in refused/.test(answer.body), 'the browser is told');
    assert.ok(!answer.body.includes(code));

    const run = await signIn.run.done;
    assert.equal(run.code, 1);
    assert.match(run.stderr, /mcp-keyring: The sign-in answer came back to the redirect address of another authorization server .*mix-up, RFC 9700 §4\.4\.2.*not used/);
    assertBounded(run, { maxRssMb: MAX_RSS_MB });
    assert.equal(stack.as.stats.tokenRequests, tokenRequests, 'the code was not exchanged anywhere');
    assert.equal((await stack.profile.secrets()).filter((s) => s.account.includes(id)).length, 0, 'nothing was stored');
    await assertNoLeak([code], { dirs: [stack.profile.home], outputs: [run.stdout, run.stderr], traps: [trap] });
    assert.equal(trap.seen.length, 0);
  } finally {
    await trap.close();
  }
});

test('a client id the user registered keeps its fixed /callback path; forged callbacks are ignored there too', async (t) => {
  // The user's own app at the authorization server, registered with the documented redirect URI.
  const registered = await fetch(stack.as.registrationEndpoint!, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'my app', redirect_uris: ['http://127.0.0.1/callback'], application_type: 'native', token_endpoint_auth_method: 'none' }),
  }).then((r) => r.json() as Promise<{ client_id: string }>);
  const server = await stack.profile.keyring.add({ url: stack.mcp.url, name: 'own-client', auth: { kind: 'oauth', clientId: registered.client_id, sendResource: true } });
  const signIn = await startCliSignIn(stack.profile, server.id);
  assert.equal(signIn.redirectUri.pathname, '/callback');
  assert.equal(signIn.url.searchParams.get('client_id'), registered.client_id);
  const forged = await poke(`${signIn.redirectUri.href}?code=x&state=wrong`);
  assert.deepEqual('status' in forged && forged.status, 400);
  await completeLogin(signIn.url.href);
  const run = await signIn.run.done;
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /Connected with .*mcp:tools/);
  assertBounded(run, { maxRssMb: MAX_RSS_MB });
  t.diagnostic(`connect: peak RSS ${run.peakRssMb.toFixed(1)} MB, ${run.durationMs} ms`);
  const tokens = (await stack.profile.secrets()).filter((s) => s.account.includes(server.id)).map((s) => s.password);
  await assertNoLeak(tokens, { dirs: [stack.profile.home], outputs: [run.stdout, run.stderr] });
});

test('the redirect path differs per authorization server and is stable for one', () => {
  assert.equal(callbackPathFor('https://as.example.com'), callbackPathFor('https://as.example.com'));
  assert.notEqual(callbackPathFor('https://as.example.com'), callbackPathFor('https://evil.example.com'));
  assert.match(callbackPathFor('https://as.example.com'), /^\/callback\/[A-Za-z0-9_-]{16}$/);
});

test('an authorization response without iss, from an AS that advertises RFC 9207 support, is refused', async () => {
  const id = await addServer();
  const signIn = await startCliSignIn(stack.profile, id);
  const tokenRequests = stack.as.stats.tokenRequests;
  const browser = await withoutIss(signIn.redirectUri, () => completeLogin(signIn.url.href));
  assert.match(browser.body, /Sign-in failed/);
  const run = await signIn.run.done;
  assert.equal(run.code, 1);
  assert.match(run.stderr, new RegExp(`carried no "iss" although ${stack.as.issuer.replace(/[.]/g, '\\.')} says it always sends one \\(RFC 9207\\)`));
  assertBounded(run, { maxRssMb: MAX_RSS_MB });
  assert.equal(stack.as.stats.tokenRequests, tokenRequests, 'the code was not exchanged');
  const code = new URL(browser.finalUrl).searchParams.get('code')!;
  assert.ok(code);
  await assertNoLeak([code], { dirs: [stack.profile.home], outputs: [run.stdout, run.stderr] });
});
