import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKeyringError } from '../../../main/core/errors';
import { canonicalServerUrl, hostReach, mayReach, requireReachableUrl, requireResourceMetadataUrl, requireSecureUrl } from '../../../main/core/url-policy';

test('canonical server URLs: lowercase host, no fragment, no default port, path kept', () => {
  assert.equal(canonicalServerUrl(' HTTPS://MCP.Example.com:443/mcp#x '), 'https://mcp.example.com/mcp');
  assert.equal(canonicalServerUrl('http://127.0.0.1:8080/mcp'), 'http://127.0.0.1:8080/mcp');
  assert.equal(canonicalServerUrl('http://localhost:3000/'), 'http://localhost:3000/');
});

test('plain http is refused except on loopback, and so are other schemes', () => {
  assert.throws(() => canonicalServerUrl('http://mcp.example.com/mcp'), (e) => isKeyringError(e, 'insecure-endpoint') && /only https/.test(e.message));
  assert.throws(() => requireSecureUrl('javascript:alert(1)', 'authorization_endpoint'), (e) => isKeyringError(e, 'insecure-endpoint') && /authorization_endpoint/.test(e.message));
  assert.throws(() => requireSecureUrl('ftp://as.example.com/auth', 'authorization_endpoint'), (e) => isKeyringError(e, 'insecure-endpoint'));
  assert.throws(() => canonicalServerUrl('not a url'), (e) => isKeyringError(e, 'invalid-input') && /not a URL/.test(e.message));
  assert.throws(() => canonicalServerUrl('https://user:pw@mcp.example.com/'), (e) => isKeyringError(e, 'invalid-input'));
  assert.equal(requireSecureUrl('http://127.0.0.5/x', 'x').hostname, '127.0.0.5');
});

test('hostReach classifies literal loopback and private addresses, in every spelling', () => {
  const reach = (url: string) => hostReach(new URL(url).hostname);
  for (const url of ['http://127.0.0.1/', 'http://127.9.9.9/', 'http://localhost/', 'http://app.localhost/', 'http://[::1]/', 'http://0x7f000001/', 'http://2130706433/', 'http://127.1/', 'http://[::ffff:127.0.0.1]/', 'http://LOCALHOST./']) {
    assert.equal(reach(url), 'loopback', url);
  }
  for (const url of ['http://10.1.2.3/', 'http://172.16.0.1/', 'http://172.31.255.255/', 'http://192.168.1.1/', 'http://169.254.169.254/', 'http://0.0.0.0/', 'http://100.64.0.1/', 'http://[fc00::1]/', 'http://[fd12:3456::1]/', 'http://[fe80::1]/', 'http://[::]/', 'http://[::ffff:10.0.0.1]/']) {
    assert.equal(reach(url), 'private', url);
  }
  for (const url of ['https://as.example.com/', 'https://8.8.8.8/', 'https://172.32.0.1/', 'https://[2001:db8::1]/', 'https://localhost.example.com/']) {
    assert.equal(reach(url), 'public', url);
  }
});

test('a public MCP server cannot point discovery at this computer or a private network; a loopback one can', () => {
  const publicServer = new URL('https://mcp.example.com/mcp');
  const loopbackServer = new URL('http://127.0.0.1:3000/mcp');
  const privateServer = new URL('https://10.0.0.5/mcp');
  const refused = (value: string, namedBy: URL) =>
    assert.throws(
      () => requireReachableUrl(value, 'authorization server', namedBy),
      (e) => isKeyringError(e, 'insecure-endpoint') && /authorization server/.test(e.message) && e.message.includes(namedBy.origin) && /did not contact it/.test(e.message),
      value,
    );
  for (const target of ['http://127.0.0.1:9000', 'http://localhost:8080/admin', 'https://10.0.0.1', 'https://192.168.0.10/as', 'https://169.254.169.254/latest', 'https://[fd00::1]/', 'https://0.0.0.0/']) {
    refused(target, publicServer);
  }
  assert.equal(requireReachableUrl('https://login.example.org/tenant', 'authorization server', publicServer).origin, 'https://login.example.org');
  assert.equal(requireReachableUrl('http://127.0.0.1:9000', 'authorization server', loopbackServer).port, '9000');
  assert.equal(requireReachableUrl('https://10.0.0.1', 'authorization server', loopbackServer).hostname, '10.0.0.1');
  assert.equal(requireReachableUrl('https://192.168.0.10/', 'token_endpoint', privateServer).hostname, '192.168.0.10');
  refused('http://127.0.0.1:9000', privateServer); // a LAN server cannot aim at this computer
  assert.ok(mayReach(new URL('https://as.example.com'), new URL('https://tokens.example.net/token')), 'endpoints may be on another public origin (RFC 8414)');
  assert.ok(!mayReach(new URL('https://as.example.com'), new URL('http://127.0.0.1:8080/token')));
});

test('resource_metadata is read only from the MCP server\'s own origin', () => {
  const server = new URL('http://127.0.0.1:3000/mcp');
  assert.equal(requireResourceMetadataUrl('http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp', server).pathname, '/.well-known/oauth-protected-resource/mcp');
  for (const other of ['http://127.0.0.1:3001/internal/admin?delete=1', 'http://localhost:3000/.well-known/oauth-protected-resource', 'https://127.0.0.1:3000/x']) {
    assert.throws(() => requireResourceMetadataUrl(other, server), (e) => isKeyringError(e, 'insecure-endpoint') && /another origin/.test(e.message) && /did not fetch it/.test(e.message), other);
  }
  assert.throws(() => requireResourceMetadataUrl('\u001b[2Jnot a url', server), (e) => isKeyringError(e, 'bad-metadata') && !e.message.includes('\u001b'));
});
