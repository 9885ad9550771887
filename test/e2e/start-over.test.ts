// The window's "Start over with a new registration", in a real Chromium against
// the real core: the authorization server has forgotten MCP Keyring's client, its
// page shows invalid_client, and the button in the sign-in progress cancels and
// signs in again with a new registration, ending connected.
//   node scripts/build.mjs && CI=1 scripts/with-keyring.sh node --import tsx --test test/e2e/start-over.test.ts
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { chromiumAvailable } from '../helpers/chromium';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { scriptedSignIn } from '../helpers/stack';
import { completeLogin } from '../helpers/user-agent';
import { startHarness, type Harness } from './harness';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

describe('start over with a new registration', { skip: chromiumAvailable() ? false : 'Chromium is not installed (/usr/bin/chromium)' }, () => {
  let as: AuthServer;
  let mcp: McpTestServer;
  let profile: KeyringEnv;
  let clientRoot: string;
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  const pageProblems: string[] = [];

  before(async () => {
    as = await startAuthServer();
    mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
    profile = await createKeyringEnv('start-over-window');
    clientRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-start-over-clients-'));
    harness = await startHarness({
      keyring: profile.keyring,
      bridgeEnv: { MCP_KEYRING_HOME: profile.home, MCP_KEYRING_SERVICE: profile.service },
      clientEnvironment: { platform: process.platform, env: {}, homedir: path.join(clientRoot, 'home') },
      browser: 'manual',
      signInTimeoutMs: 60_000,
      httpBridge: false,
    });
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
    page = await (await browser.newContext({ viewport: { width: 980, height: 720 } })).newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageProblems.push(`pageerror: ${error.message}`));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await harness?.close();
    await profile?.cleanup();
    await mcp?.close();
    await as?.close();
    if (clientRoot) await fs.rm(clientRoot, { recursive: true, force: true });
  });

  it('the button restarts the waiting sign-in with a new registration, which connects', async () => {
    // Signed in once (a registration), signed out, and then the server lost the registration.
    const server = await profile.keyring.add({ url: mcp.url, name: 'Forgetful' });
    await profile.keyring.connect(server.id, scriptedSignIn);
    await profile.keyring.disconnect(server.id);
    await as.forgetClients();
    const registrations = as.stats.registrations;

    await page.goto(harness.url);
    const row = page.locator(`li[data-server-id="${server.id}"]`);
    await row.getByRole('button', { name: 'Connect' }).click();
    const first = await harness.nextSignInUrl();
    const errorPage = await fetch(first);
    assert.match(await errorPage.text(), /invalid_client/, 'the authorization server shows invalid_client');
    assert.equal(as.stats.registrations, registrations, 'the first attempt reused the forgotten registration');

    await row.getByRole('button', { name: 'Start over with a new registration' }).click();
    const second = await harness.nextSignInUrl();
    assert.notEqual(new URL(second).searchParams.get('client_id'), new URL(first).searchParams.get('client_id'));
    await completeLogin(second);
    await row.getByTestId('notice').filter({ hasText: 'Connected.' }).waitFor();
    assert.equal(as.stats.registrations, registrations + 1);
    assert.equal((await profile.keyring.states.read(server.id)).status, 'connected');
    assert.deepEqual(pageProblems, []);
  });
});
