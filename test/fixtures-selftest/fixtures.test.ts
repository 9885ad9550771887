// Proves the integration-test fixtures work together, with no mocks: a real
// oidc-provider AS, a real SDK-built MCP server, the scripted user agent, the
// $BROWSER script and (when installed) headless Chromium.
//   node --import tsx --test test/fixtures-selftest/fixtures.test.ts
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { completeLogin } from '../helpers/user-agent';
import { chromiumAvailable, completeLoginInChromium } from '../helpers/chromium';
import {
  buildAuthorizationRequest,
  exchangeCode,
  obtainTokens,
  refresh,
  registerPublicClient,
  revoke,
  startCallbackListener,
} from '../helpers/oauth-test-client';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCRIPTED_BROWSER = path.join(here, '..', 'helpers', 'scripted-browser.mjs');

function initializeBody(id = 1) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  };
}

async function postMcp(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

async function connectClient(url: string, headers: Record<string, string>) {
  const client = new Client({ name: 'fixture-selftest', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  await client.connect(transport);
  return { client, transport };
}

function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.map((c) => c.text ?? '').join('');
}

describe('fixtures', () => {
  let as: AuthServer;
  let mcp: McpTestServer;

  before(async () => {
    as = await startAuthServer({ accessTokenTTL: 60 });
    mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  });
  after(async () => {
    await mcp?.close();
    await as?.close();
  });

  it('serves AS metadata at both discovery paths and RFC 9728 metadata', async () => {
    for (const p of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const res = await fetch(`${as.issuer}${p}`);
      assert.equal(res.status, 200, p);
      const md = (await res.json()) as Record<string, unknown>;
      assert.equal(md.issuer, as.issuer);
      assert.equal(md.registration_endpoint, `${as.issuer}/reg`);
      assert.equal(md.authorization_response_iss_parameter_supported, true);
      assert.deepEqual(md.code_challenge_methods_supported, ['S256']);
      assert.ok((md.token_endpoint_auth_methods_supported as string[]).includes('none'));
      assert.ok(typeof md.revocation_endpoint === 'string');
      for (const s of ['mcp:tools', 'mcp:admin', 'openid', 'offline_access']) assert.ok((md.scopes_supported as string[]).includes(s), s);
    }
    assert.equal(mcp.url, `${mcp.origin}/mcp`);
    assert.match(mcp.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const prm = await (await fetch(`${mcp.origin}/.well-known/oauth-protected-resource/mcp`)).json();
    assert.deepEqual(prm, {
      resource: mcp.url,
      authorization_servers: [as.issuer],
      scopes_supported: ['mcp:tools', 'mcp:admin'],
      bearer_methods_supported: ['header'],
    });
  });

  it('answers 401 with an RFC 9728 challenge without (or with a bad) token', async () => {
    const before401 = mcp.stats.unauthorized;
    const missing = await postMcp(mcp.url, initializeBody());
    assert.equal(missing.status, 401);
    assert.equal(
      missing.headers.get('www-authenticate'),
      `Bearer resource_metadata="${mcp.origin}/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"`,
    );
    const bad = await postMcp(mcp.url, initializeBody(), { authorization: 'Bearer not.a.jwt' });
    assert.equal(bad.status, 401);
    const header = bad.headers.get('www-authenticate') ?? '';
    assert.match(header, /^Bearer /);
    assert.match(header, /error="invalid_token"/);
    assert.match(header, /resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/);
    assert.equal(mcp.stats.unauthorized, before401 + 2);
  });

  describe('authorization code flow', () => {
    let clientId: string;
    let accessToken: string;
    let refreshToken: string;

    it('registers, signs in with the scripted user agent and gets a JWT for the MCP resource', async () => {
      const listener = await startCallbackListener();
      try {
        // Registered with one port; RFC 8252 §7.3 lets later requests use another.
        const client = await registerPublicClient(as.issuer, ['http://127.0.0.1:1/callback']);
        clientId = client.client_id;
        assert.equal(client.token_endpoint_auth_method, 'none');
        assert.equal(as.stats.registrations, 1);

        const request = buildAuthorizationRequest(as.issuer, { clientId, redirectUri: listener.redirectUri, scope: 'mcp:tools', resource: mcp.url });
        const final = await completeLogin(request.url, { login: 'alice' });
        assert.equal(final.status, 200);
        assert.match(final.body, /callback received/);
        assert.ok(final.finalUrl.startsWith(`${listener.redirectUri}?`));

        const params = await listener.received;
        assert.equal(params.get('state'), request.state);
        assert.equal(params.get('iss'), as.issuer, 'RFC 9207 iss');
        const code = params.get('code');
        assert.ok(code);

        const tokens = await exchangeCode(as.issuer, { clientId, code, codeVerifier: request.codeVerifier, redirectUri: request.redirectUri, resource: mcp.url });
        assert.equal(tokens.status, 200, JSON.stringify(tokens.body.error));
        assert.equal(tokens.body.token_type, 'Bearer');
        assert.equal(tokens.body.expires_in, 60);
        assert.ok(tokens.body.refresh_token, 'refresh token issued without offline_access');
        accessToken = tokens.body.access_token!;
        refreshToken = tokens.body.refresh_token;

        assert.equal(decodeProtectedHeader(accessToken).typ, 'at+jwt');
        const claims = decodeJwt(accessToken);
        assert.equal(claims.aud, mcp.url);
        assert.equal(claims.iss, as.issuer);
        assert.equal(claims.sub, 'alice');
        assert.equal(claims.client_id, clientId);
        assert.equal(claims.scope, 'mcp:tools');
        assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 60);
        assert.equal(as.stats.codeGrants, 1);
      } finally {
        listener.close();
      }
    });

    it('lets the SDK client list and call tools with the token', async () => {
      const { client } = await connectClient(mcp.url, { Authorization: `Bearer ${accessToken}` });
      try {
        const names = (await client.listTools()).tools.map((t) => t.name);
        for (const n of ['echo', 'whoami', 'big', 'notify', 'ask', 'admin']) assert.ok(names.includes(n), n);

        assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'héllo ✓' } })), 'héllo ✓');

        const who = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })));
        assert.deepEqual(who, { sub: 'alice', client_id: clientId, scope: 'mcp:tools', aud: mcp.url });

        assert.equal(textOf(await client.callTool({ name: 'big', arguments: { kb: 64 } })).length, 64 * 1024);

        const notes: unknown[] = [];
        client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
          notes.push(n.params.data);
        });
        assert.equal(textOf(await client.callTool({ name: 'notify', arguments: { count: 3 } })), 'done');
        assert.deepEqual(notes, ['notification 1/3', 'notification 2/3', 'notification 3/3']);

        client.setRequestHandler(ElicitRequestSchema, async (req) => ({ action: 'accept', content: { answer: `re: ${req.params.message}` } }));
        assert.equal(textOf(await client.callTool({ name: 'ask', arguments: { question: 'colour?' } })), 're: colour?');

        const last = mcp.callers.at(-1);
        assert.equal(last?.client_id, clientId);
        assert.equal(last?.sub, 'alice');
        assert.ok(mcp.stats.sessions >= 1);
      } finally {
        await client.close();
      }
    });

    it('answers 403 insufficient_scope for the admin tool without mcp:admin', async () => {
      const res = await postMcp(
        mcp.url,
        { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'admin', arguments: {} } },
        { authorization: `Bearer ${accessToken}` },
      );
      assert.equal(res.status, 403);
      assert.equal(
        res.headers.get('www-authenticate'),
        `Bearer error="insufficient_scope", scope="mcp:tools mcp:admin", resource_metadata="${mcp.origin}/.well-known/oauth-protected-resource/mcp"`,
      );
      // Through the SDK client the call fails too.
      const { client } = await connectClient(mcp.url, { Authorization: `Bearer ${accessToken}` });
      try {
        await assert.rejects(client.callTool({ name: 'admin', arguments: {} }), /403|insufficient/i);
      } finally {
        await client.close();
      }
    });

    it('rotates refresh tokens; reusing a rotated one fails and revokes the grant', async () => {
      const first = await refresh(as.issuer, { clientId, refreshToken, resource: mcp.url });
      assert.equal(first.status, 200, first.body.error);
      const rotated = first.body.refresh_token;
      assert.ok(rotated);
      assert.notEqual(rotated, refreshToken);
      assert.equal(decodeJwt(first.body.access_token!).aud, mcp.url);
      assert.equal(as.stats.refreshGrants, 1);

      // The new access token works against the MCP server.
      const ok = await postMcp(mcp.url, initializeBody(), { authorization: `Bearer ${first.body.access_token}` });
      assert.equal(ok.status, 200);

      const reuse = await refresh(as.issuer, { clientId, refreshToken, resource: mcp.url });
      assert.equal(reuse.status, 400);
      assert.equal(reuse.body.error, 'invalid_grant');
      assert.equal(as.stats.invalidGrant, 1);

      const afterRevoke = await refresh(as.issuer, { clientId, refreshToken: rotated, resource: mcp.url });
      assert.equal(afterRevoke.status, 400);
      assert.equal(afterRevoke.body.error, 'invalid_grant', 'the whole grant is revoked');
      assert.equal(as.stats.invalidGrant, 2);
    });

    it('accepts a second authorization on a different loopback port', async () => {
      const listener = await startCallbackListener();
      try {
        const request = buildAuthorizationRequest(as.issuer, { clientId, redirectUri: listener.redirectUri, scope: 'mcp:tools', resource: mcp.url });
        await completeLogin(request.url, { login: 'bob' });
        const params = await listener.received;
        const code = params.get('code');
        assert.ok(code, `expected a code, got error=${params.get('error')}`);
        const tokens = await exchangeCode(as.issuer, { clientId, code, codeVerifier: request.codeVerifier, redirectUri: request.redirectUri, resource: mcp.url });
        assert.equal(tokens.status, 200);
        assert.equal(decodeJwt(tokens.body.access_token!).sub, 'bob');
      } finally {
        listener.close();
      }
    });

    it('ends a denied sign-in with access_denied at the redirect URI', async () => {
      const listener = await startCallbackListener();
      try {
        const request = buildAuthorizationRequest(as.issuer, { clientId, redirectUri: listener.redirectUri, scope: 'mcp:tools', resource: mcp.url });
        const final = await completeLogin(request.url, { deny: true });
        assert.equal(final.status, 200);
        const params = await listener.received;
        assert.equal(params.get('error'), 'access_denied');
        assert.equal(params.get('state'), request.state);
        assert.equal(params.get('iss'), as.issuer);
        assert.equal(params.get('code'), null);
      } finally {
        listener.close();
      }
    });
  });

  it('revocation endpoint and revokeAllGrants() stop refresh tokens', async () => {
    const a = await obtainTokens(as.issuer, { resource: mcp.url });
    assert.ok(a.refreshToken);
    const revocationsBefore = as.stats.revocations;
    assert.equal(await revoke(as.issuer, { clientId: a.clientId, token: a.refreshToken, hint: 'refresh_token' }), 200);
    assert.equal(as.stats.revocations, revocationsBefore + 1);
    assert.equal((await refresh(as.issuer, { clientId: a.clientId, refreshToken: a.refreshToken })).body.error, 'invalid_grant');

    const b = await obtainTokens(as.issuer, { resource: mcp.url, clientId: a.clientId });
    const stillOk = await refresh(as.issuer, { clientId: b.clientId, refreshToken: b.refreshToken! });
    assert.equal(stillOk.status, 200);
    // Without `resource` the refreshed token keeps the granted audience.
    assert.equal(decodeJwt(stillOk.body.access_token!).aud, mcp.url);
    await as.revokeAllGrants();
    const gone = await refresh(as.issuer, { clientId: b.clientId, refreshToken: stillOk.body.refresh_token! });
    assert.equal(gone.status, 400);
    assert.equal(gone.body.error, 'invalid_grant');
  });

  it('forgets sessions on dropSessions(): an old session id gets 404', async () => {
    const { accessToken } = await obtainTokens(as.issuer, { resource: mcp.url });
    const { client, transport } = await connectClient(mcp.url, { Authorization: `Bearer ${accessToken}` });
    const sessionId = transport.sessionId;
    assert.ok(sessionId);
    assert.ok(mcp.openSessions >= 1);
    mcp.dropSessions();
    assert.equal(mcp.openSessions, 0);
    const res = await postMcp(mcp.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, {
      authorization: `Bearer ${accessToken}`,
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-06-18',
    });
    assert.equal(res.status, 404);
    await client.close().catch(() => {});
  });

  it('drives the $BROWSER script (scripted-browser.mjs) to the callback', async () => {
    const client = await registerPublicClient(as.issuer, ['http://127.0.0.1/callback']);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scripted-browser-'));
    const record = path.join(dir, 'record.jsonl');
    const run = (url: string, env: Record<string, string>) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(SCRIPTED_BROWSER, [url], { stdio: 'ignore', env: { ...process.env, SCRIPTED_BROWSER_RECORD: record, ...env } });
        child.on('exit', resolve);
      });
    try {
      const listener = await startCallbackListener();
      try {
        const request = buildAuthorizationRequest(as.issuer, { clientId: client.client_id, redirectUri: listener.redirectUri, scope: 'mcp:tools', resource: mcp.url });
        assert.equal(await run(request.url, { SCRIPTED_BROWSER_LOGIN: 'carol' }), 0);
        const params = await listener.received;
        const tokens = await exchangeCode(as.issuer, { clientId: client.client_id, code: params.get('code')!, codeVerifier: request.codeVerifier, redirectUri: request.redirectUri, resource: mcp.url });
        assert.equal(decodeJwt(tokens.body.access_token!).sub, 'carol');
      } finally {
        listener.close();
      }

      const denied = await startCallbackListener();
      try {
        const request = buildAuthorizationRequest(as.issuer, { clientId: client.client_id, redirectUri: denied.redirectUri, scope: 'mcp:tools', resource: mcp.url });
        assert.equal(await run(request.url, { SCRIPTED_BROWSER_DENY: '1' }), 0);
        assert.equal((await denied.received).get('error'), 'access_denied');
      } finally {
        denied.close();
      }

      assert.equal(await run('http://127.0.0.1:1/never', { SCRIPTED_BROWSER_IGNORE: '1' }), 0);
      const events = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l).event);
      assert.deepEqual(events, ['opened', 'done', 'opened', 'done', 'ignored']);
      assert.doesNotMatch(readFileSync(record, 'utf8'), /code=/, 'no authorization codes in the record');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('supports tools-call-only, API-key and legacy SSE servers', async () => {
    const lazy = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri }, authMode: 'tools-call-only', path: '/v1/mcp' });
    try {
      assert.equal(lazy.url, `${lazy.origin}/v1/mcp`);
      const { client } = await connectClient(lazy.url, {});
      try {
        assert.ok((await client.listTools()).tools.length > 0);
        await assert.rejects(client.callTool({ name: 'echo', arguments: { text: 'x' } }), /invalid_token|401/);
      } finally {
        await client.close();
      }
      const res = await postMcp(lazy.url, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/v1\/mcp"/);
    } finally {
      await lazy.close();
    }

    const keyed = await startMcpServer({ auth: { apiKeyHeader: 'X-Api-Key', apiKey: 'k-123' } });
    try {
      const denied = await postMcp(keyed.url, initializeBody(), { 'x-api-key': 'wrong' });
      assert.equal(denied.status, 401);
      assert.equal(denied.headers.get('www-authenticate'), null);
      const { client } = await connectClient(keyed.url, { 'X-Api-Key': 'k-123' });
      try {
        assert.deepEqual(JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} }))), { apiKey: true });
      } finally {
        await client.close();
      }
    } finally {
      await keyed.close();
    }

    const legacy = await startMcpServer({ auth: 'none', legacySseOnly: true });
    try {
      assert.equal(legacy.url, `${legacy.origin}/sse`);
      assert.equal((await postMcp(`${legacy.origin}/mcp`, initializeBody())).status, 404);
      assert.equal((await postMcp(legacy.url, initializeBody())).status, 405);
      const { SSEClientTransport } = await import('@modelcontextprotocol/sdk/client/sse.js');
      const client = new Client({ name: 'legacy', version: '1' });
      await client.connect(new SSEClientTransport(new URL(legacy.url)));
      try {
        assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'sse' } })), 'sse');
      } finally {
        await client.close();
      }
    } finally {
      await legacy.close();
    }
  });

  it('honours registration: false, discovery: oidc-only and requireResource', async () => {
    const strict = await startAuthServer({ registration: false, discovery: 'oidc-only', requireResource: true, clients: [{ client_id: 'pre', application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1/callback'] }] });
    try {
      assert.equal((await fetch(`${strict.issuer}/.well-known/oauth-authorization-server`)).status, 404);
      const md = (await (await fetch(`${strict.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      assert.equal(md.registration_endpoint, undefined);
      assert.equal((await fetch(`${strict.issuer}/reg`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 404);

      const listener = await startCallbackListener();
      try {
        const request = buildAuthorizationRequest(strict.issuer, { clientId: 'pre', redirectUri: listener.redirectUri, scope: 'mcp:tools' });
        await completeLogin(request.url);
        assert.equal((await listener.received).get('error'), 'invalid_target');
      } finally {
        listener.close();
      }
      // The pre-registered port-less loopback redirect URI accepts any port.
      const tokens = await obtainTokens(strict.issuer, { resource: 'http://127.0.0.1:9/mcp', clientId: 'pre' });
      assert.equal(decodeJwt(tokens.accessToken).aud, 'http://127.0.0.1:9/mcp');
      // A refresh without `resource` is refused up front, without burning the refresh token.
      const refused = await refresh(strict.issuer, { clientId: 'pre', refreshToken: tokens.refreshToken! });
      assert.equal(refused.body.error, 'invalid_target');
      const refreshed = await refresh(strict.issuer, { clientId: 'pre', refreshToken: tokens.refreshToken!, resource: 'http://127.0.0.1:9/mcp' });
      assert.equal(refreshed.status, 200);
    } finally {
      await strict.close();
    }
  });

  it('completes a sign-in in headless Chromium', async (t) => {
    if (!chromiumAvailable()) {
      t.skip('Chromium not found at /usr/bin/chromium (set CHROMIUM_PATH); skipping the real-browser sign-in');
      return;
    }
    const listener = await startCallbackListener();
    try {
      const client = await registerPublicClient(as.issuer, [listener.redirectUri]);
      const request = buildAuthorizationRequest(as.issuer, { clientId: client.client_id, redirectUri: listener.redirectUri, scope: 'mcp:tools', resource: mcp.url });
      const result = await completeLoginInChromium(request.url, { login: 'dave' });
      assert.ok(result.finalUrl.startsWith(`${listener.redirectUri}?`));
      assert.match(result.bodyText, /callback received/);
      const params = await listener.received;
      assert.equal(params.get('iss'), as.issuer);
      const tokens = await exchangeCode(as.issuer, { clientId: client.client_id, code: params.get('code')!, codeVerifier: request.codeVerifier, redirectUri: request.redirectUri, resource: mcp.url });
      assert.equal(decodeJwt(tokens.body.access_token!).sub, 'dave');
      const who = await connectClient(mcp.url, { Authorization: `Bearer ${tokens.body.access_token}` });
      try {
        assert.equal(JSON.parse(textOf(await who.client.callTool({ name: 'whoami', arguments: {} }))).sub, 'dave');
      } finally {
        await who.client.close();
      }
    } finally {
      listener.close();
    }
  });
});
