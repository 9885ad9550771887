// "Find in registry" in a real Chromium against the real core: a local registry
// serving the MCP Registry API's shape, real MCP servers behind its remotes (OAuth
// via a real oidc-provider, an API key). Search, see how each signs in, choose one:
// the discovery preview, then Add and Connect; an API-key server asks for its key
// under the registry's own label. Nothing here reaches the internet.
//   node scripts/build.mjs && CI=1 scripts/with-keyring.sh node --import tsx --test test/e2e/registry-search.test.ts
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { secretNames } from '../../main/core/vault/secrets';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { chromiumAvailable } from '../helpers/chromium';
import { createKeyringEnv, repoRoot, type KeyringEnv } from '../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { startRegistry, type TestRegistry } from '../helpers/registry-server';
import { startHarness, type Harness, openWindowPage } from './harness';

const SCREENSHOTS = path.join(repoRoot, 'test-artifacts', 'screenshots');
const KEY = 'registry-window-key-0123456789';

describe('adding a server from the registry in the window', { skip: chromiumAvailable() ? false : 'Chromium is not installed (/usr/bin/chromium)' }, () => {
  let as: AuthServer;
  let oauth: McpTestServer;
  let keyed: McpTestServer;
  let registry: TestRegistry;
  let profile: KeyringEnv;
  let clientRoot: string;
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  const previousRegistry = process.env.MCP_KEYRING_REGISTRY_URL;
  const pageProblems: string[] = [];

  before(async () => {
    await fs.mkdir(SCREENSHOTS, { recursive: true });
    as = await startAuthServer({ accessTokenTTL: 3600 });
    oauth = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
    keyed = await startMcpServer({ auth: { apiKeyHeader: 'X-API-Key', apiKey: KEY } });
    registry = await startRegistry([
      { name: 'io.example/weather', title: 'Example Weather', description: 'Forecasts, behind OAuth', version: '2.1.0', remotes: [{ type: 'streamable-http', url: oauth.url }] },
      {
        name: 'io.example/search',
        description: 'Web search with an API key',
        version: '0.4.0',
        remotes: [{ type: 'streamable-http', url: keyed.url, headers: [{ name: 'X-API-Key', description: 'Your Example Search API key', isSecret: true }] }],
      },
      { name: 'io.example/local', description: 'Runs locally only', version: '1.0.0', packages: [{ registryType: 'npm', identifier: '@example/local', transport: { type: 'stdio' } }] },
    ]);
    process.env.MCP_KEYRING_REGISTRY_URL = registry.url;
    profile = await createKeyringEnv('registry-window');
    clientRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-registry-window-'));
    harness = await startHarness({
      keyring: profile.keyring,
      bridgeEnv: { MCP_KEYRING_HOME: profile.home, MCP_KEYRING_SERVICE: profile.service },
      clientEnvironment: { platform: process.platform, env: { HOME: clientRoot }, homedir: clientRoot },
      browser: 'http',
      httpBridge: false,
    });
    ({ browser, page } = await openWindowPage(harness.url, pageProblems, { width: 980, height: 820 }));
  });

  after(async () => {
    if (previousRegistry === undefined) delete process.env.MCP_KEYRING_REGISTRY_URL;
    else process.env.MCP_KEYRING_REGISTRY_URL = previousRegistry;
    await browser?.close().catch(() => undefined);
    await harness?.close();
    await profile?.cleanup();
    await registry?.close();
    await keyed?.close();
    await oauth?.close();
    await as?.close();
    if (clientRoot) await fs.rm(clientRoot, { recursive: true, force: true });
  });

  it('searches and shows name, description, version and how each signs in', async () => {
    await page.getByRole('button', { name: 'Find in registry' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add from the MCP registry' });
    await dialog.getByLabel('Search the registry').fill('example');
    await page.keyboard.press('Enter');
    const hits = dialog.getByTestId('registry-hit');
    await hits.first().waitFor();
    assert.equal(await hits.count(), 2, 'the package-only server is not listed');
    const weather = dialog.locator('[data-name="io.example/weather"]');
    assert.match(await weather.innerText(), /Example Weather 2\.1\.0/);
    assert.match(await weather.innerText(), /Forecasts, behind OAuth/);
    assert.equal(await weather.getByTestId('sign-in').innerText(), 'Signs in with OAuth');
    assert.equal(await dialog.locator('[data-name="io.example/search"]').getByTestId('sign-in').innerText(), 'Needs an API key');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'registry-1-results.png') });
  });

  it('choosing an OAuth server shows the discovery preview, then Add and Connect signs in', async () => {
    const dialog = page.getByRole('dialog', { name: 'Add from the MCP registry' });
    const weather = dialog.locator('[data-name="io.example/weather"]');
    await weather.getByRole('button', { name: 'Choose' }).click();
    const preview = weather.getByRole('region', { name: 'What MCP Keyring found' });
    await preview.waitFor();
    assert.match(await preview.innerText(), new RegExp(`Signs in with\\s+${new URL(as.issuer).host.replace(/[.]/g, '\\.')}`));
    assert.match(await preview.innerText(), /Will ask for\s+mcp:tools/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'registry-2-preview.png') });
    await dialog.getByRole('button', { name: 'Add and connect' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.querySelector('li[data-server-id="example-weather"]')?.getAttribute('data-status') === 'connected');
    const [server] = await profile.keyring.list();
    assert.equal(server?.url, oauth.url);
    assert.equal(as.stats.codeGrants, 1);
  });

  it('an API-key server asks for the key under the registry\'s label and keeps it in the keychain', async () => {
    await page.getByRole('button', { name: 'Find in registry' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add from the MCP registry' });
    await dialog.getByLabel('Search the registry').fill('search');
    await page.keyboard.press('Enter');
    const hit = dialog.locator('[data-name="io.example/search"]');
    await hit.getByRole('button', { name: 'Choose' }).click();
    await hit.getByLabel('Your Example Search API key').fill(KEY);
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('li[data-server-id="search"]').waitFor();
    const server = (await profile.keyring.registry.list()).find((s) => s.id === 'search')!;
    assert.deepEqual(server.auth, { kind: 'header', headerName: 'X-API-Key' });
    assert.equal(await profile.keyring.vault.get(secretNames.apiKey('search')), KEY);
    assert.deepEqual(pageProblems, []);
  });
});
