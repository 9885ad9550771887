// One full sign-in in a real browser (Debian Chromium via playwright-core):
// login and consent pages of a real oidc-provider, the loopback redirect, the
// result page the user sees, and a working bridge afterwards.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { connectBridge, text } from '../helpers/bridge-client';
import { chromiumAvailable, completeLoginInChromium } from '../helpers/chromium';
import { repoRoot } from '../helpers/keyring-env';
import { useStack } from '../helpers/stack';

const stack = useStack('chromium');

test('sign in through Chromium, then use the server through the bridge', async (t) => {
  if (!chromiumAvailable()) return t.skip('Chromium is not installed at /usr/bin/chromium (Debian package "chromium")');
  const server = await stack.profile.keyring.add({ url: stack.mcp.url, name: 'browser' });
  let page: { finalUrl: string; bodyText: string } | undefined;
  const state = await stack.profile.keyring.connect(server.id, {
    openBrowser: async (url) => {
      page = await completeLoginInChromium(url, { login: 'bob', screenshotDir: path.join(repoRoot, 'test-artifacts', 'sign-in') });
    },
    timeoutMs: 60_000,
  });
  assert.equal(state.status, 'connected');
  // Wait for the browser side to finish reading the result page.
  for (let i = 0; i < 50 && !page; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.match(page?.finalUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback\/[\w-]{16}\?code=/);
  assert.match(page?.bodyText ?? '', /Signed in/);
  const bridge = await connectBridge(server.id, stack.profile.env);
  try {
    assert.equal(JSON.parse(text(await bridge.client.callTool({ name: 'whoami', arguments: {} }))).sub, 'bob');
  } finally {
    await bridge.close();
  }
});
