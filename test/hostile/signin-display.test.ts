// Issue 7, class 9: terminal and UI injection. Server text (error_description,
// metadata fields, token scopes, an MCP server's error body) reaches the terminal,
// the state files the window shows, and the bridge's JSON-RPC errors only stripped
// of escape sequences, control characters and bidi controls, and capped. The real
// CLI and bridge run each case (measured) against servers that send hostile text.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { SERVER_TEXT_MAX } from '../../shared/display-text';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { assertBounded, assertNoLeak, canary, runMeasured, startMeasured, startTrapServer } from './harness';
import { assertShowable, browse, HOSTILE_TEXT, poke, startCliSignIn, startHostileAuthServer } from './signin-helpers';

let profile: KeyringEnv;
let as: AuthServer;
let mcp: McpTestServer;

before(async () => {
  profile = await createKeyringEnv('hostile-display');
  as = await startAuthServer();
  mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
});
after(async () => {
  await profile?.cleanup();
  await mcp?.close();
  await as?.close();
});

async function stateFileText(id: string): Promise<string> {
  return fs.readFile(profile.keyring.states.file(id), 'utf8');
}

test('escape sequences and bidi controls in an authorization error_description are stripped in the terminal', async () => {
  const { id } = await profile.keyring.add({ url: mcp.url, name: 'denied' });
  const signIn = await startCliSignIn(profile, id);
  // The authorization server's error answer, as the browser brings it back.
  const answer = new URL(signIn.redirectUri);
  answer.search = new URLSearchParams({ error: 'access_denied', error_description: HOSTILE_TEXT, state: signIn.state, iss: as.issuer }).toString();
  const page = await poke(answer);
  assert.ok('status' in page && page.status === 400);
  assertShowable(page.body, 'the result page');
  const run = await signIn.run.done;
  assert.equal(run.code, 1);
  assert.match(run.stderr, /mcp-keyring: Sign-in was denied at .* \(Connectedredexe\.txtiso FAKE LINE\); nothing was stored\./);
  assert.equal(run.stderr.match(/Connected/g)?.length, 1, 'no line of its own that looks like ours');
  assertShowable(run.stderr, 'stderr');
  assertShowable(run.stdout, 'stdout');
  assertBounded(run, { maxRssMb: 200 });
});

// 900 KiB: just under the 1 MiB cap on OAuth bodies (a larger answer is refused whole, see test/hostile/transport-limits.test.ts).
test('a 900 KiB error_description from the token endpoint is capped, in the terminal and the browser page', async (t) => {
  const huge = `${HOSTILE_TEXT}${'A'.repeat(900 * 1024)}`;
  const hostile = await startHostileAuthServer({ token: () => ({ status: 400, body: { error: 'invalid_grant', error_description: huge } }) });
  try {
    const { id } = await profile.keyring.add({ url: hostile.mcpUrl, name: 'huge-description' });
    const signIn = await startCliSignIn(profile, id);
    const page = await browse(signIn.url);
    assert.ok('status' in page && page.status === 400, JSON.stringify(page).slice(0, 200));
    assert.ok(page.body.length < 4_000, `the result page is small (${page.body.length})`);
    const run = await signIn.run.done;
    assert.equal(run.code, 1);
    const line = run.stderr.split('\n').find((l) => l.startsWith('mcp-keyring: '))!;
    assert.match(line, /The token request failed \(invalid_grant: Connectedredexe\.txtiso FAKE LINEA+…\)\.$/);
    assert.ok(line.length < SERVER_TEXT_MAX + 200, `the error line is capped (${line.length} characters)`);
    assert.ok(run.stderr.length < 4_000, `stderr is small (${run.stderr.length})`);
    assertShowable(run.stderr, 'stderr');
    assertBounded(run, { maxRssMb: 200 });
    t.diagnostic(`900 KiB error_description: error line ${line.length} characters, peak RSS ${run.peakRssMb.toFixed(1)} MB, ${run.durationMs} ms`);
  } finally {
    await hostile.close();
  }
});

test('hostile scopes and a hostile refresh error reach neither the terminal nor the state (status, status --json)', async () => {
  let failRefresh = false;
  const accessToken = canary('access');
  const refreshToken = canary('refresh');
  const hostile = await startHostileAuthServer({
    token: (grant) =>
      grant === 'refresh_token' && failRefresh
        ? { status: 400, body: { error: 'invalid_request', error_description: HOSTILE_TEXT } }
        : { status: 200, body: { access_token: accessToken, token_type: 'Bearer', expires_in: 1, refresh_token: refreshToken, scope: `mcp:tools ${HOSTILE_TEXT}` } },
  });
  try {
    const { id } = await profile.keyring.add({ url: hostile.mcpUrl, name: 'hostile-refresh' });
    const signIn = await startCliSignIn(profile, id);
    await browse(signIn.url);
    const connected = await signIn.run.done;
    assert.equal(connected.code, 0, connected.stderr);
    assertShowable(connected.stderr, 'connect stderr');
    assertShowable(await stateFileText(id), 'the state file');

    failRefresh = true; // the 1 s token has run out: `headers` refreshes, and is refused
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const headers = await runMeasured(['headers', id], { env: profile.env, timeoutMs: 30_000 });
    assertBounded(headers, { maxRssMb: 200 });
    assertShowable(headers.stderr, 'headers stderr');
    const stateText = await stateFileText(id);
    assertShowable(stateText, 'the state file');
    const state = JSON.parse(stateText);
    assert.match(state.lastError, /Refreshing the token at .* failed \(invalid_request: Connected/);

    const json = await runMeasured(['status', id, '--json'], { env: profile.env, timeoutMs: 30_000 });
    assert.equal(json.code, 0, json.stderr);
    assertShowable(JSON.parse(json.stdout).state.lastError, 'status --json lastError');
    assertShowable(JSON.parse(json.stdout).state.scopes.join(' '), 'status --json scopes');
    assertShowable(json.stdout, 'status --json');
    const table = await runMeasured(['status'], { env: profile.env, timeoutMs: 30_000 });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /hostile-refresh: Refreshing the token at/);
    assertShowable(table.stdout, 'status');
    assertBounded(table, { maxRssMb: 200 });
    await assertNoLeak([refreshToken], { dirs: [profile.home], outputs: [connected.stderr, headers.stderr, json.stdout, table.stdout] });
  } finally {
    await hostile.close();
  }
});

test('authorization server metadata and registration errors shown to the user are stripped', async () => {
  const noS256 = await startHostileAuthServer({ metadata: () => ({ code_challenge_methods_supported: ['plain', HOSTILE_TEXT] }) });
  const badRegistration = await startHostileAuthServer({ register: () => ({ status: 400, body: { error: 'invalid_client_metadata', error_description: HOSTILE_TEXT } }) });
  try {
    const pkce = await profile.keyring.add({ url: noS256.mcpUrl, name: 'hostile-metadata' });
    const run = await runMeasured(['connect', pkce.id, '--timeout', '10s'], { env: profile.env, timeoutMs: 30_000 });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /does not support PKCE with S256 \(code_challenge_methods_supported: \["plain","Connected/);
    assertShowable(run.stderr, 'stderr (metadata)');
    assertBounded(run, { maxRssMb: 200 });

    const reg = await profile.keyring.add({ url: badRegistration.mcpUrl, name: 'hostile-registration' });
    const registered = await runMeasured(['connect', reg.id, '--timeout', '10s'], { env: profile.env, timeoutMs: 30_000 });
    assert.equal(registered.code, 1);
    assert.match(registered.stderr, /Dynamic client registration at .* failed \(invalid_client_metadata: Connected/);
    assertShowable(registered.stderr, 'stderr (registration)');
    assertBounded(registered, { maxRssMb: 200 });
  } finally {
    await noS256.close();
    await badRegistration.close();
  }
});

test("an MCP server's hostile error text reaches the bridge's JSON-RPC error and log only stripped", async () => {
  const server = await startTrapServer((_req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`${HOSTILE_TEXT}${'B'.repeat(200_000)}`);
  });
  try {
    const { id } = await profile.keyring.add({ url: `${server.origin}/mcp`, name: 'hostile-mcp', auth: { kind: 'none' } });
    const bridge = startMeasured(['bridge', id], { env: profile.env, timeoutMs: 30_000 });
    bridge.child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'hostile-test', version: '1' } } })}\n`);
    const deadline = Date.now() + 20_000;
    while (!bridge.stdout().includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    bridge.child.stdin!.end();
    const run = await bridge.done;
    const response = JSON.parse(run.stdout.split('\n')[0]!);
    assert.equal(response.id, 1);
    assert.match(response.error.message, /^The request to .* failed: .*Error POSTing to endpoint: Connectedredexe\.txtiso FAKE LINEB+…$/);
    assertShowable(response.error.message, 'the JSON-RPC error message');
    assert.ok(response.error.message.length <= 600, `capped (${response.error.message.length})`);
    assertShowable(run.stderr, 'the bridge log');
    assertBounded(run, { maxRssMb: 200 });
  } finally {
    await server.close();
  }
});
