// The window in a real Chromium against the real core: the built renderer,
// served by the harness (RendererBridge over HTTP → createKeyringService), a real
// oidc-provider authorization server, a real SDK MCP server, the real keychain and
// a real browser login. A separate bridge process — started from the entry
// "Use in Claude Desktop" wrote — refreshes the token, and the window shows it live.
// "Cursor — local HTTP bridge" writes a URL entry that an SDK client uses as it is.
//   node scripts/build.mjs && CI=1 scripts/with-keyring.sh node --import tsx --test test/e2e/window.test.ts
// Screenshots of the main states go to test-artifacts/screenshots/.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { secretNames } from '../../main/core/vault/secrets';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { chromiumAvailable, completeLoginInChromium } from '../helpers/chromium';
import { createKeyringEnv, repoRoot, type KeyringEnv } from '../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { startHarness, type Harness, openWindowPage } from './harness';

const SCREENSHOTS = path.join(repoRoot, 'test-artifacts', 'screenshots');
const ACCESS_TOKEN_TTL_S = 6;

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.map((c) => c.text ?? '').join('');
}

describe('the window', { skip: chromiumAvailable() ? false : 'Chromium is not installed (/usr/bin/chromium)' }, () => {
  let as: AuthServer;
  let mcp: McpTestServer;
  let profile: KeyringEnv;
  let clientRoot: string;
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  let serverId: string;
  let bridgeClient: Client | undefined;
  let bridgeTransport: StdioClientTransport | undefined;
  let bridgeStderr = '';
  const pageProblems: string[] = [];

  const row = () => page.locator(`li[data-server-id="${serverId}"]`);
  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  /** Waits until the stored state passes the token's refresh point (80% of its life). */
  async function waitForRefreshPoint(): Promise<void> {
    const state = await profile.keyring.states.read(serverId);
    assert.ok(state.expiresAt && state.lastRefreshAt, 'the token has an expiry');
    const refreshAt = state.expiresAt - Math.min(60_000, (state.expiresAt - state.lastRefreshAt) * 0.2);
    await sleep(Math.max(0, refreshAt - Date.now()) + 300);
  }

  before(async () => {
    await fs.mkdir(SCREENSHOTS, { recursive: true });
    as = await startAuthServer({ accessTokenTTL: ACCESS_TOKEN_TTL_S });
    mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
    profile = await createKeyringEnv('window');
    clientRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-window-clients-'));
    harness = await startHarness({
      keyring: profile.keyring,
      bridgeEnv: { MCP_KEYRING_HOME: profile.home, MCP_KEYRING_SERVICE: profile.service },
      clientEnvironment: {
        platform: process.platform,
        env: { HOME: path.join(clientRoot, 'home'), XDG_CONFIG_HOME: path.join(clientRoot, 'config'), APPDATA: path.join(clientRoot, 'appdata') },
        homedir: path.join(clientRoot, 'home'),
      },
      browser: 'manual',
      signInTimeoutMs: 60_000,
    });
    ({ browser, page } = await openWindowPage(harness.url, pageProblems, { width: 980, height: 720 }));
    // CSP violations would show up as console errors; also listen for the event itself.
    await page.evaluate(() => {
      document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
  });

  after(async () => {
    await bridgeClient?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await harness?.close();
    await profile?.cleanup();
    await mcp?.close();
    await as?.close();
    if (clientRoot) await fs.rm(clientRoot, { recursive: true, force: true });
  });

  it('shows the three steps when there is no server', async () => {
    const empty = page.getByRole('region', { name: /keep your mcp sign-ins/i });
    await empty.waitFor();
    const steps = await empty.locator('ol.steps > li').allInnerTexts();
    assert.equal(steps.length, 3);
    assert.match(steps[0]!, /Add a server/);
    assert.match(steps[1]!, /Connect/);
    assert.match(steps[2]!, /Use it in your client/);
    await shot('01-empty');
  });

  it('shows the core\'s message inline when the URL cannot be reached', async () => {
    await page.getByRole('button', { name: 'Add a server' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a server' });
    await dialog.waitFor();
    // The URL field has focus: type straight away, submit with Enter.
    await page.keyboard.type(`http://127.0.0.1:${await closedPort()}/mcp`);
    await page.keyboard.press('Enter');
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); check the URL and your network\./);
    assert.equal(await dialog.getByRole('button', { name: 'Add', exact: true }).isDisabled(), true);
    await shot('02-add-unreachable');
    // Escape closes the dialog and nothing was stored.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual(await profile.keyring.list(), []);
  });

  it('adds a server after showing what discovery found', async () => {
    await page.getByRole('button', { name: 'Add a server' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a server' });
    await dialog.getByLabel('Server URL').fill(mcp.url);
    await dialog.getByRole('button', { name: 'Check' }).click();
    const preview = dialog.getByRole('region', { name: 'What MCP Keyring found' });
    await preview.waitFor();
    const text = await preview.innerText();
    assert.match(text, new RegExp(`Signs in with\\s+${as.issuer.replace(/[.]/g, '\\.')}`));
    assert.match(text, /Dynamic client registration/);
    // The scope the server's 401 challenge names (it wins over scopes_supported).
    assert.match(text, /Will ask for\s+mcp:tools/);
    // The preview stores nothing.
    assert.deepEqual(await profile.keyring.list(), []);
    await dialog.getByLabel('Name (optional)').fill('Example tools');
    await shot('03-add-preview');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    const servers = await profile.keyring.list();
    assert.equal(servers.length, 1);
    serverId = servers[0]!.id;
    assert.equal(serverId, 'example-tools');
    await row().waitFor();
    assert.equal(await row().getAttribute('data-status'), 'not-connected');
    assert.match(await row().innerText(), /Not connected/);
    assert.match(await row().innerText(), new RegExp(mcp.url.replace(/[.]/g, '\\.')));
  });

  it('waits for the browser, and Cancel stops the sign-in', async () => {
    await row().getByRole('button', { name: 'Connect' }).click();
    await harness.nextSignInUrl();
    const progress = row().getByTestId('progress');
    await progress.filter({ hasText: 'Waiting for you in the browser…' }).waitFor();
    assert.equal(await progress.getAttribute('data-step'), 'waiting-for-browser');
    await shot('04-waiting-for-browser');
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await row().getByTestId('notice').filter({ hasText: 'Sign-in cancelled.' }).waitFor();
    assert.equal((await profile.keyring.list())[0]!.status, 'not-connected');
  });

  it('connects through the real authorization server with the login done in a browser', async () => {
    await row().getByRole('button', { name: 'Connect' }).click();
    const url = await harness.nextSignInUrl();
    await row().getByTestId('progress').filter({ hasText: 'Waiting for you in the browser…' }).waitFor();
    const login = await completeLoginInChromium(url, { timeoutMs: 45_000 });
    assert.match(login.bodyText, /Signed in/);
    await row().getByTestId('notice').filter({ hasText: 'Connected.' }).waitFor();
    await page.waitForFunction((id) => document.querySelector(`li[data-server-id="${id}"]`)?.getAttribute('data-status') === 'connected', serverId);
    const text = await row().innerText();
    assert.match(text, /Connected/);
    assert.match(text, /mcp:tools/);
    assert.match(text, /Access token (expires in less than a minute · renews automatically|expired just now · renews on next use)/);
    assert.match(await row().getByTestId('last-refresh').innerText(), new RegExp(`just now by app \\(pid ${process.pid}\\)`));
    assert.equal(as.stats.codeGrants, 1);
    await shot('05-connected');
  });

  it('"Use in Claude Desktop" writes the client config and shows the snippet', async () => {
    await row().getByRole('button', { name: /Use in/ }).click();
    const menu = page.getByRole('menu');
    await menu.waitFor();
    // Keyboard: the first item (Claude Desktop) has focus; Enter picks it.
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-client') === 'claude-desktop');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: /Use Example tools in Claude Desktop/ });
    await dialog.getByText(/Created Claude Desktop's configuration/).waitFor();
    const file = path.join(clientRoot, 'config', 'Claude', 'claude_desktop_config.json');
    const body = await dialog.innerText();
    assert.ok(body.includes(file), `the dialog names ${file}`);
    assert.match(body, /Quit and reopen Claude Desktop/);
    const snippet = await dialog.locator('pre.snippet').innerText();
    const written = JSON.parse(await fs.readFile(file, 'utf8'));
    assert.deepEqual(JSON.parse(snippet), written, 'the snippet is the entry that was written');
    const entry = written.mcpServers[`mcp-keyring-${serverId}`];
    assert.equal(entry.command, process.execPath);
    assert.deepEqual(entry.args, [path.join(repoRoot, 'dist', 'bridge.cjs'), serverId]);
    assert.deepEqual(entry.env, { MCP_KEYRING_HOME: profile.home, MCP_KEYRING_SERVICE: profile.service });
    await shot('06-use-in-claude-desktop');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // The menu now marks Claude Desktop as added.
    await row().getByRole('button', { name: /Use in/ }).click();
    await page.getByRole('menuitem', { name: /Claude Desktop/ }).filter({ hasText: 'added' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
  });

  it('"Cursor — local HTTP bridge" writes a URL entry that works as it is', async () => {
    await row().getByRole('button', { name: /Use in/ }).click();
    await page.getByRole('menu').waitFor();
    // Cursor offers both forms, each named; Claude Desktop (stdio only) just its name.
    await page.getByRole('menuitem', { name: 'Cursor — stdio bridge' }).waitFor();
    await page.getByRole('menuitem', { name: 'Claude Code — headers helper (no bridge)' }).waitFor();
    assert.equal(await page.getByRole('menuitem', { name: /^Claude Desktop/ }).count(), 1);
    await shot('06b-use-in-menu');
    // Keyboard only: arrow down to the item, Enter picks it.
    const focused = () => page.evaluate(() => `${document.activeElement?.getAttribute('data-client')}:${document.activeElement?.getAttribute('data-transport')}`);
    for (let i = 0; i < 12 && (await focused()) !== 'cursor:http'; i++) await page.keyboard.press('ArrowDown');
    assert.equal(await focused(), 'cursor:http');
    assert.match((await page.evaluate(() => document.activeElement?.textContent)) ?? '', /^Cursor — local HTTP bridge/);
    await page.keyboard.press('Enter');

    const dialog = page.getByRole('dialog', { name: /Use Example tools in Cursor/ });
    await dialog.getByText(/Created Cursor's configuration/).waitFor();
    const file = path.join(clientRoot, 'home', '.cursor', 'mcp.json');
    assert.ok((await dialog.innerText()).includes(file), `the dialog names ${file}`);
    assert.match(await dialog.getByTestId('install-form').innerText(), /local HTTP bridge/);
    await dialog.getByTestId('secret-note').waitFor();
    const written = JSON.parse(await fs.readFile(file, 'utf8'));
    assert.deepEqual(JSON.parse(await dialog.locator('pre.snippet').innerText()), written, 'the snippet is the entry that was written');
    const entry = written.mcpServers[`mcp-keyring-${serverId}`] as { url: string; headers: Record<string, string> };
    const bridge = harness.httpBridge;
    assert.ok(bridge, 'the harness runs the HTTP bridge');
    const secret = await profile.keyring.vault.get(secretNames.httpBridgeSecret());
    assert.deepEqual(entry, { url: `http://127.0.0.1:${bridge.port}/servers/${serverId}/mcp`, headers: { Authorization: `Bearer ${secret}` } });
    await shot('06c-use-in-cursor-http');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // An SDK client with exactly that entry (url + headers) reaches the server through the bridge.
    const client = new Client({ name: 'window-e2e-http', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers } }));
    try {
      const tools = await client.listTools();
      assert.ok(tools.tools.some((t) => t.name === 'whoami'));
      assert.equal(JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} }))).sub, 'alice');
    } finally {
      await client.close();
    }

    // The menu marks the form that was written, not Cursor's other one.
    await row().getByRole('button', { name: /Use in/ }).click();
    await page.getByRole('menuitem', { name: /Cursor — local HTTP bridge/ }).filter({ hasText: 'added' }).waitFor();
    assert.equal(await page.getByRole('menuitem', { name: /Cursor — stdio bridge/ }).filter({ hasText: 'added' }).count(), 0);
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
  });

  it('shows live, without a reload, that a bridge process refreshed the token', async () => {
    // Start the bridge exactly as Claude Desktop would, from the entry just written.
    const config = JSON.parse(await fs.readFile(path.join(clientRoot, 'config', 'Claude', 'claude_desktop_config.json'), 'utf8'));
    const entry = config.mcpServers[`mcp-keyring-${serverId}`] as { command: string; args: string[]; env: Record<string, string> };
    bridgeTransport = new StdioClientTransport({
      command: entry.command,
      args: entry.args,
      // The keychain is reached over this test's private D-Bus session.
      env: { ...(process.env as Record<string, string>), ...entry.env },
      stderr: 'pipe',
    });
    bridgeTransport.stderr?.on('data', (chunk) => (bridgeStderr += chunk));
    bridgeClient = new Client({ name: 'window-e2e', version: '1.0.0' });
    await bridgeClient.connect(bridgeTransport);
    const bridgePid = bridgeTransport.pid;
    assert.ok(bridgePid, 'the bridge runs');
    const tools = await bridgeClient.listTools();
    assert.ok(tools.tools.some((t) => t.name === 'whoami'), bridgeStderr);

    await waitForRefreshPoint();
    const refreshesBefore = as.stats.refreshGrants;
    const who = JSON.parse(textOf(await bridgeClient.callTool({ name: 'whoami', arguments: {} })));
    assert.equal(who.sub, 'alice');
    assert.ok(as.stats.refreshGrants > refreshesBefore, 'the bridge refreshed the token');

    await row()
      .getByTestId('last-refresh')
      .filter({ hasText: `by bridge (pid ${bridgePid})` })
      .waitFor({ timeout: 5_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument), true, 'the page was not reloaded');
    assert.equal(await row().getAttribute('data-status'), 'connected');
    await shot('07-refreshed-by-bridge');
  });

  it('shows "needs sign-in" once the refresh token is revoked', async () => {
    assert.ok(bridgeClient);
    await as.revokeAllGrants();
    await waitForRefreshPoint();
    const result = await bridgeClient.callTool({ name: 'whoami', arguments: {} }).then(
      (value) => ({ ok: !value.isError, text: textOf(value) }),
      (error: Error) => ({ ok: false, text: error.message }),
    );
    assert.equal(result.ok, false, 'the bridge could not get a token');
    assert.match(result.text, /Sign in to Example tools|sign in|Connect/i);

    await page.waitForFunction((id) => document.querySelector(`li[data-server-id="${id}"]`)?.getAttribute('data-status') === 'needs-sign-in', serverId);
    const text = await row().innerText();
    assert.match(text, /Needs sign-in/);
    assert.match(await row().getByTestId('last-error').innerText(), /refused the refresh token \(invalid_grant/);
    const reconnect = row().getByRole('button', { name: 'Reconnect' });
    assert.match((await reconnect.getAttribute('class')) ?? '', /primary/);
    await shot('08-needs-sign-in');
  });

  it('Reconnect signs in again and the running bridge uses the new token', async () => {
    assert.ok(bridgeClient);
    await row().getByRole('button', { name: 'Reconnect' }).click();
    const url = await harness.nextSignInUrl();
    await completeLoginInChromium(url, { timeoutMs: 45_000 });
    await page.waitForFunction((id) => document.querySelector(`li[data-server-id="${id}"]`)?.getAttribute('data-status') === 'connected', serverId);
    assert.equal(await row().getByTestId('last-error').count(), 0, 'the old error is gone');
    const who = JSON.parse(textOf(await bridgeClient.callTool({ name: 'whoami', arguments: {} })));
    assert.equal(who.sub, 'alice');
  });

  it('follows the system dark theme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(22, 24, 28)');
    await shot('09-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('removes a server after confirmation', async () => {
    await bridgeClient?.close();
    bridgeClient = undefined;
    await row().getByRole('button', { name: 'Remove' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove Example tools?' });
    await confirm.waitFor();
    // Cancel has focus: Enter would not remove anything by accident.
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Cancel');
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('region', { name: /keep your mcp sign-ins/i }).waitFor();
    assert.deepEqual(await profile.keyring.list(), []);
    // Only the per-install HTTP bridge secret stays: it belongs to no server.
    assert.deepEqual((await profile.secrets()).map((s) => s.account), [secretNames.httpBridgeSecret()], 'no secret of the server is left in the keychain');
  });

  it('adds a server that uses an API key: the key goes to the keychain only', async () => {
    const apiKey = 'k-window-e2e-0123456789';
    const keyServer = await startMcpServer({ auth: { apiKeyHeader: 'X-API-Key', apiKey } });
    try {
      await page.getByRole('button', { name: 'Add a server' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add a server' });
      await dialog.getByLabel('Server URL').fill(keyServer.url);
      await dialog.getByRole('button', { name: 'Check' }).click();
      const preview = dialog.getByRole('region', { name: 'What MCP Keyring found' });
      await preview.getByText(/it most likely uses an API key/).waitFor();
      // Add stays refused until the key is there.
      await dialog.getByLabel('Header name').fill('X-API-Key');
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await dialog.getByRole('alert').filter({ hasText: 'Enter the header name and the key' }).waitFor();
      await dialog.getByLabel('Key', { exact: true }).fill(apiKey);
      await dialog.getByLabel('Name (optional)').fill('Key server');
      await shot('10-add-api-key');
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      const keyRow = page.locator('li[data-server-id="key-server"]');
      await keyRow.getByTestId('status').filter({ hasText: 'API key' }).waitFor();
      assert.equal(await keyRow.getByRole('button', { name: /^(Connect|Reconnect)$/ }).count(), 0, 'nothing to sign in to');
      const secrets = (await profile.secrets()).filter((s) => s.account !== secretNames.httpBridgeSecret());
      assert.deepEqual(secrets.map((s) => s.account), ['server/key-server/api-key']);
      assert.equal(secrets[0]!.password, apiKey);
      assert.ok(!(await fs.readFile(path.join(profile.home, 'servers.json'), 'utf8')).includes(apiKey), 'the key is not on disk');
    } finally {
      await keyServer.close();
    }
  });

  it('ran without page errors or CSP violations', () => {
    assert.deepEqual(pageProblems, []);
  });
});

describe('renderer bundle', () => {
  it('carries no zod (the window imports only zod-free parts of shared/)', async () => {
    const bundle = await fs.readFile(path.join(repoRoot, 'dist', 'renderer', 'app.js'), 'utf8');
    assert.ok(!/ZodError|\$ZodType/.test(bundle), 'zod was bundled into the window');
  });
});
