// The adoption view, the history view, "Used in" and Remove-with-entries in a real
// Chromium against the real core (see harness.ts). The real mcp-remote 0.15.1 signs
// in first and leaves its token cache; Claude Desktop runs it, Cursor holds a
// pasted API key. Adopting from the window imports mcp-remote's tokens (no sign-in),
// moves the key into the keychain and rewrites both entries; the bridge then works.
//   node scripts/build.mjs && CI=1 scripts/with-keyring.sh node --import tsx --test test/e2e/adopt.test.ts
// Screenshots go to test-artifacts/screenshots/adopt-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { chromiumAvailable } from '../helpers/chromium';
import { createKeyringEnv, repoRoot, type KeyringEnv } from '../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { runMcpRemoteClient } from '../helpers/mcp-remote';
import { assertNoLeak, canary } from '../hostile/harness';
import { startHarness, type Harness, openWindowPage } from './harness';

const SCREENSHOTS = path.join(repoRoot, 'test-artifacts', 'screenshots');

describe('adopting existing setups in the window', { skip: chromiumAvailable() ? false : 'Chromium is not installed (/usr/bin/chromium)' }, () => {
  let as: AuthServer;
  let mcp: McpTestServer;
  let keyed: McpTestServer;
  let profile: KeyringEnv;
  let clientRoot: string;
  let home: string;
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  const apiKey = canary('window-key');
  const secrets: string[] = [apiKey];
  const pageProblems: string[] = [];
  const desktopFile = () => path.join(clientRoot, 'config', 'Claude', 'claude_desktop_config.json');
  const cursorFile = () => path.join(home, '.cursor', 'mcp.json');
  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });

  before(async () => {
    await fs.mkdir(SCREENSHOTS, { recursive: true });
    as = await startAuthServer({ accessTokenTTL: 3600 });
    mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
    keyed = await startMcpServer({ auth: { apiKeyHeader: 'X-API-Key', apiKey } });
    profile = await createKeyringEnv('adopt-window');
    clientRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-adopt-window-'));
    home = path.join(clientRoot, 'home');
    await fs.mkdir(home, { recursive: true });

    const signedIn = await runMcpRemoteClient([mcp.url, '--allow-http'], { ...process.env, HOME: home, MCP_REMOTE_CONFIG_DIR: '' });
    assert.equal(signedIn.code, 0, signedIn.stderr.slice(-2000));
    const cacheDir = path.join(home, '.mcp-auth', 'mcp-remote-v1');
    const tokensFile = (await fs.readdir(cacheDir)).find((name) => name.endsWith('_tokens.json'))!;
    const tokens = JSON.parse(await fs.readFile(path.join(cacheDir, tokensFile), 'utf8'));
    secrets.push(tokens.access_token, tokens.refresh_token);

    await fs.mkdir(path.dirname(desktopFile()), { recursive: true });
    await fs.writeFile(desktopFile(), JSON.stringify({ mcpServers: { 'team-tools': { command: 'npx', args: ['-y', 'mcp-remote', mcp.url, '--allow-http', '--transport', 'http-only'] } } }, null, 2));
    await fs.mkdir(path.dirname(cursorFile()), { recursive: true });
    await fs.writeFile(cursorFile(), JSON.stringify({ mcpServers: { search: { url: keyed.url, headers: { 'X-API-Key': apiKey } }, other: { command: 'uvx', args: ['local-server'] } } }, null, 2));

    harness = await startHarness({
      keyring: profile.keyring,
      bridgeEnv: { MCP_KEYRING_HOME: profile.home, MCP_KEYRING_SERVICE: profile.service },
      clientEnvironment: { platform: process.platform, env: { HOME: home, XDG_CONFIG_HOME: path.join(clientRoot, 'config') }, homedir: home },
      browser: 'manual',
      httpBridge: false,
    });
    ({ browser, page } = await openWindowPage(harness.url, pageProblems, { width: 980, height: 820 }));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await harness?.close();
    await profile?.cleanup();
    await keyed?.close();
    await mcp?.close();
    await as?.close();
    if (clientRoot) await fs.rm(clientRoot, { recursive: true, force: true });
  });

  it('lists what the clients already use, with where the plaintext secrets are, and changes nothing', async () => {
    const before = [await fs.readFile(desktopFile(), 'utf8'), await fs.readFile(cursorFile(), 'utf8')];
    await page.getByRole('button', { name: 'Adopt existing setups' }).click();
    const dialog = page.getByRole('dialog', { name: 'Adopt existing MCP setups' });
    await dialog.waitFor();
    const cards = dialog.getByTestId('adopt-candidate');
    await cards.first().waitFor();
    assert.equal(await cards.count(), 2);
    const oauth = dialog.locator(`[data-url="${mcp.url}"]`);
    const oauthText = await oauth.innerText();
    assert.match(oauthText, /Claude Desktop “team-tools” — mcp-remote --allow-http --transport http-only/);
    assert.match(oauthText, /mcp-remote's sign-in is reused, no new sign-in needed/);
    assert.match(oauthText, /_tokens\.json/);
    const key = dialog.locator(`[data-url="${keyed.url}"]`);
    assert.match(await key.innerText(), /API key in the X-API-Key header — moved into the system keychain/);
    assert.match(await key.innerText(), /Cursor “search” — URL entry, headers: X-API-Key/);
    assert.doesNotMatch(await dialog.innerText(), new RegExp(apiKey));
    await shot('adopt-1-found');
    assert.deepEqual([await fs.readFile(desktopFile(), 'utf8'), await fs.readFile(cursorFile(), 'utf8')], before);
    assert.deepEqual(await profile.keyring.list(), []);
  });

  it('adopts each one with one click: no sign-in, the key in the keychain, both entries rewritten, no plaintext left', async () => {
    const dialog = page.getByRole('dialog', { name: 'Adopt existing MCP setups' });
    const codeGrants = as.stats.codeGrants;
    for (const url of [mcp.url, keyed.url]) {
      const card = dialog.locator(`[data-url="${url}"]`);
      await card.getByRole('button', { name: 'Adopt' }).click();
      await card.getByTestId('adopt-result').waitFor();
    }
    assert.match(await dialog.locator(`[data-url="${mcp.url}"]`).getByTestId('adopt-result').innerText(), /no new sign-in was needed/);
    assert.match(await dialog.locator(`[data-url="${keyed.url}"]`).getByTestId('adopt-result').innerText(), /Removed the secret from the backup/);
    await shot('adopt-2-done');
    assert.equal(as.stats.codeGrants, codeGrants);
    const servers = await profile.keyring.list();
    assert.deepEqual(servers.map((s) => `${s.name}:${s.authKind}:${s.status}`).sort(), ['search:header:connected', 'team-tools:oauth:connected']);
    const cursor = JSON.parse(await fs.readFile(cursorFile(), 'utf8'));
    assert.deepEqual(cursor.mcpServers.other, { command: 'uvx', args: ['local-server'] });
    await assertNoLeak(secrets, { dirs: [clientRoot, profile.home] });

    // The rewritten Claude Desktop entry starts the bridge, which uses the imported token.
    const entry = JSON.parse(await fs.readFile(desktopFile(), 'utf8')).mcpServers['team-tools'];
    const client = new Client({ name: 'adopt-window', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, env: { ...(process.env as Record<string, string>), ...entry.env }, stderr: 'ignore' }));
    try {
      const result = (await client.callTool({ name: 'echo', arguments: { text: 'from the window' } })) as { content: Array<{ text: string }> };
      assert.match(result.content[0]!.text, /from the window/);
    } finally {
      await client.close();
    }
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('shows where each server is used, and its history', async () => {
    const team = page.locator('li[data-server-id="team-tools"]');
    await team.getByTestId('used-in').filter({ hasText: 'Claude Desktop' }).waitFor();
    const search = page.locator('li[data-server-id="search"]');
    await search.getByTestId('used-in').filter({ hasText: 'Cursor' }).waitFor();
    await shot('adopt-3-used-in');
    await team.getByRole('button', { name: 'History' }).click();
    const dialog = page.getByRole('dialog', { name: 'History of team-tools' });
    const events = dialog.getByTestId('history-event');
    await events.first().waitFor();
    const kinds = await events.evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
    assert.deepEqual(kinds, ['config-written', 'adopted', 'added']);
    assert.match(await dialog.innerText(), /Client config written — Claude Desktop/);
    assert.match(await dialog.innerText(), /by app \(pid \d+\)/);
    await shot('adopt-4-history');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('Remove offers to take the entries out of the clients too', async () => {
    const search = page.locator('li[data-server-id="search"]');
    await search.getByRole('button', { name: 'Remove' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove search?' });
    const box = dialog.getByLabel('Also remove its entries from Cursor');
    assert.equal(await box.isChecked(), true);
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await search.waitFor({ state: 'detached' });
    const cursor = JSON.parse(await fs.readFile(cursorFile(), 'utf8'));
    assert.equal(cursor.mcpServers.search, undefined);
    assert.deepEqual(cursor.mcpServers.other, { command: 'uvx', args: ['local-server'] });
    assert.deepEqual(pageProblems, []);
  });
});
