import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKeyringError } from '../../main/core/errors';
import { canonicalServerUrl, requireSecureUrl } from '../../main/core/url-policy';

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
