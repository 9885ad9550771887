// The window's browserless servers in a real Chromium against the real core
// (test/e2e/harness.ts): a machine-to-machine server added with a key pair the app
// generates (the public JWK is shown to register), then connected with no browser;
// a company identity provider added and signed in to once, then a server that gets
// its tokens through it. Real oidc-provider servers, real SDK MCP servers, the real keychain.
//   node scripts/build.mjs && CI=1 scripts/with-keyring.sh node --import tsx --test test/e2e/machine-to-machine.test.ts
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable } from '../helpers/chromium';
import { createKeyringEnv, type KeyringEnv } from '../helpers/keyring-env';
import { startMcpHost, type McpHost } from '../helpers/quirks/mcp-host';
import { JWT_BEARER, startIdentityProvider, startMachineAuthServer, TOKEN_EXCHANGE, type RunningOidc } from '../helpers/quirks/machine-oidc';
import { startHarness, type Harness, openWindowPage } from './harness';


describe('browserless servers in the window', { skip: chromiumAvailable() ? false : 'Chromium is not installed (/usr/bin/chromium)' }, () => {
  const asClients: Record<string, string> = {};
  let idp: Awaited<ReturnType<typeof startIdentityProvider>>;
  let as: RunningOidc;
  let mcp: McpHost;
  let profile: KeyringEnv;
  let clientRoot: string;
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  const pageProblems: string[] = [];

  before(async () => {
    idp = await startIdentityProvider({ asClients });
    as = await startMachineAuthServer({ idp: { issuer: idp.issuer, jwks: idp.jwks } });
    asClients[as.issuer] = 'keyring-jag';
    await idp.registerClient({
      client_id: 'keyring-at-corp',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
    });
    await as.registerClient({ client_id: 'keyring-jag', token_endpoint_auth_method: 'none', grant_types: [JWT_BEARER], response_types: [], redirect_uris: [] });
    mcp = await startMcpHost({ auth: { issuer: as.issuer, jwks: as.jwks }, resourceMetadata: { authorizationServers: [as.issuer] } });
    profile = await createKeyringEnv('window-m2m');
    clientRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-window-m2m-'));
    harness = await startHarness({
      keyring: profile.keyring,
      bridgeEnv: { MCP_KEYRING_HOME: profile.home, MCP_KEYRING_SERVICE: profile.service },
      clientEnvironment: { platform: process.platform, env: { HOME: clientRoot }, homedir: clientRoot },
      // The only browser visit is the IdP sign-in: a scripted user agent completes it.
      browser: 'http',
      signInTimeoutMs: 30_000,
      httpBridge: false,
    });
    ({ browser, page } = await openWindowPage(harness.url, pageProblems, { width: 980, height: 860 }));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await harness?.close();
    await profile?.cleanup();
    await mcp?.close();
    await Promise.all([as?.close(), idp?.close()]);
    if (clientRoot) await fs.rm(clientRoot, { recursive: true, force: true });
  });

  /** Waits for a row's text, and says what the row shows instead when it does not come. */
  async function rowShows(selector: string, expected: string | RegExp) {
    const row = page.locator(selector);
    try {
      await row.getByText(expected).first().waitFor();
    } catch (error) {
      throw new Error(`${selector} did not show ${expected}; it shows: ${await row.innerText().catch(() => '(nothing)')}`, { cause: error });
    }
  }

  async function openAddDialog(name: string) {
    await page.getByRole('button', { name: /^Add (a )?server$/ }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add a server' });
    await dialog.getByLabel('Server URL').fill(mcp.url);
    await dialog.getByRole('button', { name: 'Check' }).click();
    await dialog.getByRole('region', { name: 'What MCP Keyring found' }).waitFor();
    await dialog.getByLabel('Name (optional)').fill(name);
    return dialog;
  }

  it('adds a machine-to-machine server with a generated key: shows the public key, connects without a browser', async () => {
    const dialog = await openAddDialog('Robot');
    await dialog.getByLabel('Machine-to-machine (client credentials, no browser)').check();
    await dialog.getByLabel('Generate a key pair').check();
    // Add is refused until the client id is there.
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Enter the client id' }).waitFor();
    await dialog.getByLabel('Client id').fill('robot');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();

    const register = page.getByRole('dialog', { name: 'Register the public key' });
    const jwk = JSON.parse(await register.getByLabel('Public key (JWK)').inputValue());
    assert.equal(jwk.kty, 'EC');
    assert.equal(jwk.d, undefined, 'no private part is shown');
    await as.registerClient({ client_id: 'robot', token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'mcp:tools', jwks: { keys: [jwk] } });
    await register.getByRole('button', { name: 'Done' }).click();
    await register.waitFor({ state: 'detached' });

    const row = page.locator('li[data-server-id="robot"]');
    await row.getByRole('button', { name: 'Connect' }).click();
    await rowShows('li[data-server-id="robot"]', /^Connected$/);
    const grant = as.tokenRequests.at(-1)!;
    assert.equal(grant.grantType, 'client_credentials');
    assert.equal(grant.clientAuth, 'jwt');
    assert.deepEqual(harness.browserErrors, []);
    const key = (await profile.secrets()).find((s) => s.account === 'server/robot/private-key');
    assert.ok(key?.password.includes('PRIVATE KEY'), 'the private key is in the keychain');
    for (const file of await fs.readdir(profile.home, { recursive: true })) {
      const full = path.join(profile.home, String(file));
      if ((await fs.stat(full)).isFile()) assert.ok(!(await fs.readFile(full, 'utf8')).includes(key!.password.split('\n')[1]!), `the private key is not in ${file}`);
    }
  });

  it('adds an identity provider, signs in once, and a server gets its tokens through it', async () => {
    await page.getByRole('button', { name: 'Add identity provider' }).click();
    const add = page.getByRole('dialog', { name: 'Add an identity provider' });
    await add.getByLabel('Issuer URL').fill(idp.issuer);
    await add.getByLabel('Client id').fill('keyring-at-corp');
    await add.getByLabel('Name (optional)').fill('Corp SSO');
    await add.getByRole('button', { name: 'Add', exact: true }).click();
    await add.waitFor({ state: 'detached' });
    const idpRow = page.locator('li[data-idp-id="corp-sso"]');
    await idpRow.getByText('Not signed in').waitFor();
    await idpRow.getByRole('button', { name: 'Sign in' }).click();
    await rowShows('li[data-idp-id="corp-sso"]', 'Signed in as alice');

    const dialog = await openAddDialog('Through corp');
    await dialog.getByLabel("Through your company's identity provider (no browser per server)").check();
    await dialog.getByLabel('Client id').fill('keyring-jag');
    await dialog.getByLabel('Identity provider', { exact: true }).selectOption('corp-sso');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.locator('li[data-server-id="through-corp"]');
    await row.getByRole('button', { name: 'Connect' }).click();
    await rowShows('li[data-server-id="through-corp"]', /^Connected$/);
    assert.deepEqual(
      idp.tokenRequests.map((r) => r.grantType),
      ['authorization_code', TOKEN_EXCHANGE],
    );
    assert.equal(as.tokenRequests.at(-1)!.grantType, JWT_BEARER);
    await idpRow.getByText(/Used by through-corp/).waitFor();

    await idpRow.getByRole('button', { name: 'Sign out' }).click();
    await idpRow.getByText('Not signed in').waitFor();
    assert.equal(await profile.keyring.vault.get('idp/corp-sso/id-token'), null);
  });

  it('ran without page errors or CSP violations', () => {
    assert.deepEqual(pageProblems, []);
  });
});
