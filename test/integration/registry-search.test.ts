// `mcp-keyring search` against a local registry serving the official API's shape,
// with real MCP servers behind its remotes: OAuth (real oidc-provider), an API key,
// and none. Paging by cursor, the sign-in kind of each, secret header labels, and
// hostile registries (huge answer, wrong shape, control characters). Nothing here
// reaches the internet.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { startRegistry, type TestRegistry } from '../helpers/registry-server';
import { runCli } from '../helpers/run-cli';
import { assertBounded, runMeasured, startTrapServer } from '../hostile/harness';

let as: AuthServer;
let oauth: McpTestServer;
let keyed: McpTestServer;
let open: McpTestServer;
let registry: TestRegistry;
let profile: KeyringEnv;

before(async () => {
  as = await startAuthServer();
  oauth = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  keyed = await startMcpServer({ auth: { apiKeyHeader: 'X-API-Key', apiKey: 'registry-test-key-0123456789' } });
  open = await startMcpServer({ auth: 'none' });
  registry = await startRegistry([
    { name: 'io.example/oauth-tools', title: 'Example Tools', description: 'Tools behind OAuth', version: '1.2.0', remotes: [{ type: 'streamable-http', url: oauth.url }] },
    {
      name: 'io.example/keyed-search',
      description: 'Search with a key\u001b[31m (red)',
      version: '0.9.1',
      remotes: [
        { type: 'sse', url: `${keyed.origin}/sse` },
        { type: 'streamable-http', url: keyed.url, headers: [{ name: 'X-API-Key', description: 'Your Example API key', isSecret: true, isRequired: true }] },
      ],
    },
    { name: 'io.example/open-data', description: 'Open data', version: '3.0.0', remotes: [{ type: 'streamable-http', url: open.url }] },
    { name: 'io.example/local-only', description: 'A package, no remote', version: '1.0.0', packages: [{ registryType: 'npm', identifier: '@example/local', transport: { type: 'stdio' } }] },
    { name: 'io.example/templated', description: 'Needs a tenant', version: '1.0.0', remotes: [{ type: 'streamable-http', url: 'https://{tenant}.example.com/mcp' }] },
    { name: 'io.example/plain-http', description: 'Not https', version: '1.0.0', remotes: [{ type: 'streamable-http', url: 'http://example.com/mcp' }] },
    { name: 'io.other/unrelated', description: 'Does not match', version: '1.0.0', remotes: [{ type: 'streamable-http', url: open.url }] },
  ]);
  profile = await createKeyringEnv('registry');
});
after(async () => {
  await profile?.cleanup();
  await registry?.close();
  await Promise.all([oauth?.close(), keyed?.close(), open?.close()]);
  await as?.close();
});

test('search lists servers with a remote endpoint and how each signs in, page by page', async () => {
  const first = await runCli(['search', 'io.example', '--registry', registry.url, '--limit', '3', '--json'], { env: profile.env });
  assert.equal(first.code, 0, first.stderr);
  const page1 = JSON.parse(first.stdout);
  assert.equal(page1.registry, registry.url);
  assert.deepEqual(
    page1.servers.map((s: any) => [s.name, s.signIn, s.url, s.transport]),
    [
      ['io.example/oauth-tools', 'oauth', oauth.url, 'streamable-http'],
      ['io.example/keyed-search', 'api-key', keyed.url, 'streamable-http'],
      ['io.example/open-data', 'none', open.url, 'streamable-http'],
    ],
  );
  assert.deepEqual(page1.servers[1].keyFields, [{ header: 'X-API-Key', label: 'Your Example API key' }]);
  assert.equal(page1.servers[1].description, 'Search with a key (red)');
  assert.equal(page1.servers[0].title, 'Example Tools');
  assert.equal(page1.servers[0].version, '1.2.0');
  assert.ok(page1.nextCursor);
  const query = registry.queries.at(-1)!;
  assert.equal(query.get('search'), 'io.example');
  assert.equal(query.get('version'), 'latest');

  // The next page: a package-only server, a URL template and plain http to another host are left out.
  const second = await runCli(['search', 'io.example', '--registry', registry.url, '--limit', '3', '--cursor', page1.nextCursor, '--json'], { env: profile.env });
  assert.equal(second.code, 0, second.stderr);
  const page2 = JSON.parse(second.stdout);
  assert.deepEqual(page2.servers, []);
  assert.equal(page2.nextCursor, undefined);
});

test('the text output names the sign-in and the command that adds each server', async () => {
  const result = await runCli(['search', 'example', '--registry', registry.url], { env: { ...profile.env } });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /1\. Example Tools \(io\.example\/oauth-tools\) 1\.2\.0 — OAuth sign-in/);
  assert.match(result.stdout, /key: X-API-Key — Your Example API key/);
  assert.match(result.stdout, /mcp-keyring add http:\/\/127\.0\.0\.1:\d+\/mcp --name keyed-search --header X-API-Key {3}# key on standard input/);
  assert.match(result.stdout, /mcp-keyring connect "\$\(mcp-keyring add http:\/\/127\.0\.0\.1:\d+\/mcp --name 'Example Tools'\)"/);
  assert.match(result.stdout, /open-data.*— no sign-in needed/);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(result.stdout, /\u001b/);
  const none = await runCli(['search', 'nothing-like-this', '--registry', registry.url], { env: profile.env });
  assert.match(none.stdout, /No remote servers matching "nothing-like-this"/);
});

test('MCP_KEYRING_REGISTRY_URL picks the registry; a plain-http registry elsewhere is refused', async () => {
  const viaEnv = await runCli(['search', 'open-data', '--json'], { env: { ...profile.env, MCP_KEYRING_REGISTRY_URL: registry.url } });
  assert.equal(viaEnv.code, 0, viaEnv.stderr);
  assert.equal(JSON.parse(viaEnv.stdout).servers.length, 1);
  const insecure = await runCli(['search', 'x', '--registry', 'http://registry.example.com'], { env: profile.env });
  assert.equal(insecure.code, 1);
  assert.match(insecure.stderr, /Refusing the registry URL http:\/\/registry\.example\.com: it is plain http on another host/);
});

test('hostile registries: a huge answer and a wrong shape get clear errors, in bounded memory', async () => {
  const huge = await startTrapServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = `{"servers":[${'{"server":{"name":"a/b","description":"x","version":"1"}},'.repeat(2000)}`;
    let sent = 0;
    const pump = () => {
      while (sent < 64 * 1024 * 1024) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('error', () => undefined);
    pump();
  });
  const wrong = await startTrapServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}'));
  try {
    const big = await runMeasured(['search', 'x', '--registry', huge.origin], { env: profile.env, timeoutMs: 30_000 });
    assert.equal(big.code, 1);
    assert.match(big.stderr, /sent a response of more than 1 MiB/);
    assertBounded(big, { maxRssMb: 200 });
    const bad = await runMeasured(['search', 'x', '--registry', wrong.origin], { env: profile.env });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /sent an answer that is not a server list/);
    assertBounded(bad);
  } finally {
    await huge.close();
    await wrong.close();
  }
});
