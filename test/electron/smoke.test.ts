// The real app in the real Electron, driven by Playwright: the window is shown with
// the server list, the page has the bridge and no Node, the tray exists, IPC answers
// both ways (a server added through the page's bridge comes back as a row in the
// window, pushed by the main process). Skips (with the reason) where the Electron
// binary is missing, as on machines that cannot download it, or where there is no
// display; CI runs it on Linux, macOS and Windows and fails if it skips.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/keyring-env';
import { startMcpServer } from '../helpers/mcp-server';
import { electronToRun } from './electron-binary';

test('the app starts: window shown with the server list, sandboxed page, tray, IPC round trip adds a server', async (t) => {
  const binary = electronToRun();
  if ('skip' in binary) {
    t.skip(binary.skip);
    return;
  }
  const main = path.join(repoRoot, 'dist', 'app', 'main.cjs');
  if (!fs.existsSync(main) || !fs.existsSync(path.join(repoRoot, 'dist', 'renderer', 'index.html'))) {
    t.skip('the app is not built: run `npm run build` first');
    return;
  }

  const { _electron } = await import('playwright-core');
  const mcp = await startMcpServer({ auth: 'none' });
  t.after(() => mcp.close());
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-keyring-smoke-'));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, {
    MCP_KEYRING_TEST: '1',
    MCP_KEYRING_HOME: home,
    MCP_KEYRING_SERVICE: `mcp-keyring-test-smoke-${randomBytes(4).toString('hex')}`,
  });
  const app = await _electron.launch({ executablePath: binary.path, args: [repoRoot], env, timeout: 60_000 });
  try {
    const win = await app.firstWindow();
    await win.getByRole('heading', { name: 'MCP Keyring', level: 1 }).waitFor({ timeout: 30_000 });
    assert.match(win.url(), /^file:\/\/.*\/dist\/renderer\/index\.html/);

    // The page has the bridge and nothing of Node.
    const page = await win.evaluate(async () => {
      const w = window as unknown as { mcpKeyring?: { invoke(c: string, r: unknown): Promise<unknown> }; require?: unknown; process?: unknown };
      return {
        bridge: typeof w.mcpKeyring,
        require: typeof w.require,
        process: typeof w.process,
        list: await w.mcpKeyring?.invoke('servers:list', undefined),
        unknownChannel: await w.mcpKeyring?.invoke('shell:exec', undefined),
      };
    });
    assert.equal(page.bridge, 'object');
    assert.equal(page.require, 'undefined');
    assert.equal(page.process, 'undefined');
    assert.deepEqual(page.list, { ok: true, value: [] });
    assert.equal((page.unknownChannel as { ok: boolean }).ok, false);

    // The main process: the window is shown, the tray exists, the window is sandboxed and isolated.
    const deadline = Date.now() + 15_000;
    while (!(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible() ?? false)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const mainSide = await app.evaluate(({ BrowserWindow }) => {
      const win = BrowserWindow.getAllWindows()[0];
      const prefs = (win?.webContents as unknown as { getLastWebPreferences?(): Record<string, unknown> })?.getLastWebPreferences?.();
      const tray = (globalThis as Record<string, unknown>).__mcpKeyringTray as { isDestroyed(): boolean } | undefined;
      return {
        tray: tray !== undefined && !tray.isDestroyed(),
        visible: win?.isVisible() ?? false,
        windows: BrowserWindow.getAllWindows().length,
        contextIsolation: prefs?.contextIsolation,
        sandbox: prefs?.sandbox,
        nodeIntegration: prefs?.nodeIntegration,
      };
    });
    assert.equal(mainSide.tray, true, 'the tray icon exists');
    assert.equal(mainSide.windows, 1);
    assert.equal(mainSide.visible, true, 'the window is shown');
    if (mainSide.contextIsolation !== undefined) {
      assert.equal(mainSide.contextIsolation, true);
      assert.equal(mainSide.sandbox, true);
      assert.equal(mainSide.nodeIntegration, false);
    }

    // IPC round trip: the page adds a server (a real MCP server on 127.0.0.1 that needs
    // no sign-in) through its bridge; the main process answers with the new row and
    // pushes the changed list, which the window shows.
    const added = (await win.evaluate(
      async (request) => (window as unknown as { mcpKeyring: { invoke(c: string, r: unknown): Promise<unknown> } }).mcpKeyring.invoke('servers:add', request),
      { url: mcp.url, name: 'Smoke Server', auth: { kind: 'none' } },
    )) as { ok: boolean; value?: { id: string; name: string; url: string }; error?: unknown };
    assert.equal(added.ok, true, `servers:add answered ${JSON.stringify(added)}`);
    assert.equal(added.value?.name, 'Smoke Server');
    assert.equal(added.value?.url, mcp.url);
    const row = win.locator(`[data-server-id="${added.value?.id}"]`);
    await row.getByRole('heading', { name: 'Smoke Server', level: 3 }).waitFor({ timeout: 15_000 });
    assert.equal(await row.count(), 1, 'the new server is one row of the list');
    const listed = await win.evaluate(async () => (window as unknown as { mcpKeyring: { invoke(c: string, r: unknown): Promise<unknown> } }).mcpKeyring.invoke('servers:list', undefined));
    assert.deepEqual(
      (listed as { value: Array<{ id: string }> }).value.map((s) => s.id),
      [added.value?.id],
    );

    // Navigation away from the page is refused (a file: URL, so no browser opens).
    await win.evaluate(() => {
      window.location.href = 'file:///etc/hosts';
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.match(win.url(), /\/dist\/renderer\/index\.html/);
  } finally {
    await app.evaluate(({ app: electronApp }) => electronApp.quit()).catch(() => undefined);
    await app.close().catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
  }
});
