// The composition root (Keyring) owns what used to be process-wide: who is acting
// (recorded in history and "last refreshed by") and the fetch the token and
// revocation requests go through, which a process can replace (the app could
// pass Electron's net.fetch).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { actorLabel } from '../../main/core/actor';
import { readHistory } from '../../main/core/history/history';
import type { NodeFetch } from '../../main/core/http/node-fetch';
import { createOutboundFetch } from '../../main/core/http/outbound';
import { Keyring } from '../../main/core/keyring';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { recordingBrowser } from '../helpers/quirks/common';

let as: AuthServer;
let mcp: McpTestServer;
let profile: KeyringEnv;

before(async () => {
  as = await startAuthServer({ accessTokenTTL: 300 });
  mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  profile = await createKeyringEnv('composition-root');
});
after(async () => {
  await profile.cleanup();
  await Promise.all([mcp, as].map((s) => s.close()));
});

test('the actor and the fetch given to the Keyring are the ones sign-in, history and disconnect use', async () => {
  const real = createOutboundFetch();
  const seen: string[] = [];
  const fetch: NodeFetch = (input, init) => {
    seen.push(`${init?.method ?? 'GET'} ${new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url).pathname}`);
    return real(input, init);
  };
  const actor = actorLabel('composition-test');
  const keyring = new Keyring({ home: profile.home, service: profile.service, actor, fetch });

  const server = await keyring.add({ url: mcp.url, name: 'composed' });
  const state = await keyring.connect(server.id, recordingBrowser().signIn);
  assert.equal(state.status, 'connected');
  assert.equal(state.lastRefreshBy, actor);
  const tokenRequests = seen.filter((line) => line.startsWith('POST ') && /token/.test(line));
  assert.ok(tokenRequests.length >= 1, `the code exchange went through the injected fetch: ${seen.join(', ')}`);

  const revocations = as.stats.revocations;
  const result = await keyring.disconnect(server.id);
  assert.equal(result.revoked, true, result.revokeError);
  assert.equal(as.stats.revocations, revocations + 1);
  assert.ok(seen.some((line) => line.startsWith('POST ') && /revo/.test(line)), `the revocation went through the injected fetch: ${seen.join(', ')}`);

  const history = readHistory(keyring.registry.paths, server.id);
  for (const kind of ['added', 'signed-in', 'revoked'] as const) {
    assert.equal(history.find((event) => event.kind === kind)?.by, actor, `${kind} is recorded as ${actor}`);
  }
  // A Keyring built without an actor does not inherit this one: there is no process-wide role any more.
  assert.notEqual(profile.keyring.actor, actor);
});
