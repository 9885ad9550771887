// Which redirects the fetch follows (main/core/http/redirect-policy.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redirectVerdict } from '../../../../main/core/http/redirect-policy';

describe('redirect policy (redirectVerdict)', () => {
  test('only same-origin hops are followed; never a downgrade, another host, or plain http off this computer', () => {
    const verdict = (from: string, to: string) => {
      const result = redirectVerdict(new URL(from), new URL(to));
      return result.follow ? 'follow' : result.reason;
    };
    assert.equal(verdict('https://mcp.example.com/mcp', 'https://mcp.example.com/mcp/'), 'follow');
    assert.equal(verdict('http://127.0.0.1:3000/a', 'http://127.0.0.1:3000/b'), 'follow');
    assert.equal(verdict('https://mcp.example.com/mcp', 'http://mcp.example.com/mcp'), 'downgrade');
    assert.equal(verdict('https://mcp.example.com/mcp', 'http://127.0.0.1:8080/'), 'downgrade');
    assert.equal(verdict('http://127.0.0.1:3000/', 'http://evil.example/'), 'endpoint', 'plain http to another host fails the endpoint policy');
    assert.equal(verdict('http://localhost:3000/', 'http://10.0.0.1/'), 'endpoint');
    assert.equal(verdict('https://mcp.example.com/', 'https://evil.example/'), 'cross-origin');
    assert.equal(verdict('https://mcp.example.com/', 'https://mcp.example.com:8443/'), 'cross-origin');
    assert.equal(verdict('https://mcp.example.com/', 'https://sub.mcp.example.com/'), 'cross-origin');
    assert.equal(verdict('https://mcp.example.com/', 'https://user:pw@mcp.example.com/'), 'cross-origin');
    assert.equal(verdict('http://127.0.0.1:3000/', 'https://127.0.0.1:3000/'), 'cross-origin');
    assert.equal(verdict('https://mcp.example.com/', 'ftp://mcp.example.com/'), 'scheme');
    assert.equal(verdict('https://mcp.example.com/', 'javascript:alert(1)'), 'scheme');
  });
});
