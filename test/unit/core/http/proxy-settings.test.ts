// Which proxy a request goes through (main/core/http/proxy-settings.ts): the
// HTTPS_PROXY / HTTP_PROXY / NO_PROXY rules, checked without any network.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { proxyForUrl } from '../../../../main/core/http/proxy-settings';

test('proxy selection rules (proxyForUrl)', () => {
  const env = { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://plain-proxy:8080', NO_PROXY: 'internal.example, .corp.test, *.wild.test, host.test:8443, [fd00::1]:443, 10.1.2.3' };
  assert.equal(proxyForUrl('https://api.example.com/mcp', env), 'http://proxy:3128/');
  assert.equal(proxyForUrl('http://api.example.com/mcp', env), 'http://plain-proxy:8080/');
  assert.equal(proxyForUrl('https://internal.example/', env), undefined);
  assert.equal(proxyForUrl('https://a.internal.example/', env), undefined);
  assert.equal(proxyForUrl('https://notinternal.example/', env), 'http://proxy:3128/');
  assert.equal(proxyForUrl('https://corp.test/', env), undefined);
  assert.equal(proxyForUrl('https://x.y.corp.test/', env), undefined);
  assert.equal(proxyForUrl('https://a.wild.test/', env), undefined);
  assert.equal(proxyForUrl('https://host.test:8443/', env), undefined);
  assert.equal(proxyForUrl('https://host.test/', env), 'http://proxy:3128/');
  assert.equal(proxyForUrl('https://[fd00::1]/', env), undefined);
  assert.equal(proxyForUrl('https://[fd00::1]:444/', env), 'http://proxy:3128/');
  assert.equal(proxyForUrl('http://10.1.2.3/', env), undefined);
  for (const loopback of ['http://127.0.0.1:3000/', 'http://127.8.9.10/', 'http://localhost/', 'https://LOCALHOST:9/', 'http://[::1]:80/', 'http://app.localhost/']) {
    assert.equal(proxyForUrl(loopback, env), undefined, loopback);
  }
  assert.equal(proxyForUrl('https://anything/', { ...env, no_proxy: '*' }), undefined);
  assert.equal(proxyForUrl('https://x/', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }), 'http://lower:1/');
  assert.equal(proxyForUrl('https://x/', { HTTPS_PROXY: 'proxy.local:3128' }), 'http://proxy.local:3128/');
  assert.equal(proxyForUrl('https://x/', { HTTPS_PROXY: '' }), undefined);
  assert.equal(proxyForUrl('https://x/', {}), undefined);
  assert.throws(() => proxyForUrl('https://x/', { HTTPS_PROXY: 'socks5://proxy:1080' }), /Unsupported proxy protocol/);
});
