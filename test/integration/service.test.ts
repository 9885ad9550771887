// The app's side of the window contract (main/core/service/keyring-service.ts)
// against the real core: a real oidc-provider, real SDK MCP servers, the real
// keychain, the scripted browser login — and state files changed by another process.
//   CI=1 scripts/with-keyring.sh node --import tsx --test test/integration/service.test.ts
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import assert from 'node:assert/strict';
import { exec, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IPC_CHANNELS, type AppSettings, type ConnectProgress, type IpcEventName, type IpcEvents } from '../../shared/ipc-contract';
import type { ServerView } from '../../shared/server-state';
import { appCliCommand } from '../../main/app/app-layout';
import { startHttpBridge, type HttpBridge } from '../../main/core/bridge/http-bridge';
import { bridgeLaunch } from '../../main/core/clients/launch';
import { isKeyringError } from '../../main/core/errors';
import { createKeyringService, invokeChannel, toIpcError, type KeyringPlatform, type KeyringService } from '../../main/core/service/keyring-service';
import { secretNames } from '../../main/core/vault/secrets';
import { startAuthServer, type AuthServer } from '../helpers/auth-server';
import { bridgePath, cliPath, createKeyringEnv, repoRoot, type KeyringEnv } from '../helpers/keyring-env';
import { startMcpServer, type McpTestServer } from '../helpers/mcp-server';
import { completeLogin } from '../helpers/user-agent';

type Recorded = { [E in IpcEventName]: { event: E; payload: IpcEvents[E]; at: number } }[IpcEventName];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isKeyringError(error), `a KeyringError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs a command line in the platform's shell (sh, or cmd.exe on Windows), as a client runs a headers helper. */
function runInShell(command: string, env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    exec(command, { env, timeout: 10_000 }, (error, stdout, stderr) => (error ? reject(Object.assign(error, { stderr })) : resolve({ stdout, stderr })));
  });
}

/** Another process rewrites a state file the way the core does (temp file + rename), `times` times. */
function writeStateFromAnotherProcess(file: string, change: Record<string, unknown>, times = 1): Promise<number> {
  const script = `
    const fs = require('node:fs');
    const [file, change, times] = [process.argv[1], JSON.parse(process.argv[2]), Number(process.argv[3])];
    for (let i = 0; i < times; i++) {
      const state = { ...JSON.parse(fs.readFileSync(file, 'utf8')), ...change, lastRefreshBy: 'bridge (pid ' + process.pid + ')', lastRefreshAt: Date.now(), updatedAt: Date.now() };
      const temp = file.replace(/[^/]+$/, (name) => '.' + name + '.' + process.pid + '.' + i + '.tmp');
      fs.writeFileSync(temp, JSON.stringify(state));
      fs.renameSync(temp, file);
    }
    process.stdout.write(String(process.pid));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, file, JSON.stringify(change), String(times)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`writer exited with ${code}`))));
  });
}

describe('keyring service', () => {
  let as: AuthServer;
  let mcp: McpTestServer;
  let openMcp: McpTestServer;
  let keyMcp: McpTestServer;
  let profile: KeyringEnv;
  let clientRoot: string;
  let service: KeyringService;
  let openBrowser: (url: string) => Promise<void>;
  const opened: string[] = [];
  let settings: AppSettings = { startAtLogin: false };
  const events: Recorded[] = [];
  /** The "app's" local HTTP bridge: none until a test starts one. */
  let httpBridge: HttpBridge | undefined;
  let cliCommand: (args: string[]) => string;
  let platform: KeyringPlatform;

  const progressOf = (id: string) => events.filter((e): e is Extract<Recorded, { event: 'connect:progress' }> => e.event === 'connect:progress' && e.payload.id === id).map((e) => e.payload);
  const changes = () => events.filter((e): e is Extract<Recorded, { event: 'servers:changed' }> => e.event === 'servers:changed');
  async function waitForChange(predicate: (servers: ServerView[]) => boolean, since = 0, timeoutMs = 3000): Promise<ServerView[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = changes().find((e) => e.at >= since && predicate(e.payload));
      if (hit) return hit.payload;
      if (Date.now() > deadline) throw new Error(`no matching servers:changed within ${timeoutMs} ms; last: ${JSON.stringify(changes().at(-1)?.payload.map((s) => [s.id, s.status]))}`);
      await sleep(10);
    }
  }

  before(async () => {
    as = await startAuthServer({ accessTokenTTL: 60 });
    mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
    openMcp = await startMcpServer({ auth: 'none' });
    keyMcp = await startMcpServer({ auth: { apiKeyHeader: 'X-API-Key', apiKey: 'service-test-key-42' } });
    profile = await createKeyringEnv('service');
    clientRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-service-clients-'));
    openBrowser = async (url) => {
      await completeLogin(url);
    };
    platform = {
      openBrowser: (url) => openBrowser(url),
      async openExternal(url) {
        opened.push(url);
      },
      async getSettings() {
        return settings;
      },
      async setSettings(patch) {
        settings = { ...settings, ...patch };
        return settings;
      },
      bridgeLaunch: (serverId) =>
        bridgeLaunch({ serverId, mode: 'development', execPath: process.execPath, bridgeScript: bridgePath, env: { MCP_KEYRING_HOME: profile.home, MCP_KEYRING_SERVICE: profile.service } }),
      httpBridge: async () => httpBridge,
      cliCommand: (args) => cliCommand(args),
      clientEnvironment: { platform: 'linux', env: { XDG_CONFIG_HOME: path.join(clientRoot, 'config') }, homedir: path.join(clientRoot, 'home') },
      signInTimeoutMs: 20_000,
    };
    // As the app in development names its CLI: absolute node + dist/cli.mjs, with this profile.
    cliCommand = (args) =>
      appCliCommand(args, { packaged: false, execPath: process.execPath, resourcesPath: '', root: repoRoot, env: profile.env, platform: process.platform });
    service = createKeyringService(profile.keyring, platform);
    service.subscribe((event, payload) => {
      events.push({ event, payload, at: Date.now() } as Recorded);
    });
  });

  after(async () => {
    await httpBridge?.close();
    service?.dispose();
    await profile?.cleanup();
    await Promise.all([mcp?.close(), openMcp?.close(), keyMcp?.close()]);
    await as?.close();
    if (clientRoot) await fs.rm(clientRoot, { recursive: true, force: true });
  });

  it('implements every channel of the contract', () => {
    assert.deepEqual(Object.keys(service.api).sort(), [...IPC_CHANNELS].sort());
  });

  it('previews what discovery finds and stores nothing', async () => {
    const oauth = await service.api['servers:preview']({ url: mcp.url });
    assert.deepEqual(oauth, { url: mcp.url, protection: 'oauth', authorizationServer: as.issuer, registration: 'dynamic', scopes: ['mcp:tools'] });
    const own = await service.api['servers:preview']({ url: mcp.url, auth: { kind: 'oauth', clientId: 'my-app', sendResource: true } });
    assert.equal(own.registration, 'pre-registered');
    assert.equal((await service.api['servers:preview']({ url: openMcp.url })).protection, 'none');
    assert.equal((await service.api['servers:preview']({ url: keyMcp.url })).protection, 'unknown');
    assert.deepEqual(await service.api['servers:list'](undefined), []);
    assert.deepEqual(await profile.secrets(), []);
  });

  it('keeps the core\'s error codes and messages', async () => {
    const port = await closedPort();
    await rejectsWith(service.api['servers:preview']({ url: `http://127.0.0.1:${port}/mcp` }), 'server-unreachable', /^Cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    await rejectsWith(service.api['servers:preview']({ url: 'not a url' }), 'invalid-input', /is not a URL/);
    await rejectsWith(service.api['servers:preview']({ url: 'http://example.com/mcp' }), 'insecure-endpoint');
    await rejectsWith(service.api['servers:connect']({ id: 'nope' }), 'unknown-server');
    // As the window receives them: IpcResult with code and message.
    const result = await invokeChannel(service.api, 'servers:connect', { id: 'nope' });
    assert.deepEqual(result, { ok: false, error: { code: 'unknown-server', message: 'No server with id "nope"; run `mcp-keyring status` to list them.' } });
    assert.deepEqual(await invokeChannel(service.api, 'servers:list', undefined), { ok: true, value: [] });
    assert.equal((await invokeChannel(service.api, 'servers:nope' as never, undefined as never)).ok, false);
    assert.deepEqual(toIpcError(new Error('boom')), { code: 'internal', message: 'boom' });
  });

  it('checks what the window sends', async () => {
    await rejectsWith(service.api['servers:add'](null as never), 'invalid-input');
    await rejectsWith(service.api['servers:add']({ url: mcp.url, auth: { kind: 'oauth', scopes: 'mcp:tools' } as never }), 'invalid-input', /sign-in settings are not valid \(scopes:/);
    await rejectsWith(service.api['servers:add']({ url: keyMcp.url, auth: { kind: 'header', headerName: 'X-API-Key' } }), 'invalid-input', /Enter the key/);
    await rejectsWith(service.api['servers:add']({ url: mcp.url, auth: { kind: 'oauth', sendResource: true }, clientSecret: 's' }), 'invalid-input', /client id/);
    await rejectsWith(service.api['servers:connect']({ id: 42 } as never), 'invalid-input');
    await rejectsWith(service.api['settings:set']({ startAtLogin: 'yes' } as never), 'invalid-input');
    await rejectsWith(service.api['settings:set']({ theme: 'dark' } as never), 'invalid-input', /Unknown setting/);
    assert.deepEqual(await service.api['servers:list'](undefined), []);
  });

  let id: string;

  it('adds an OAuth server and tells the window', async () => {
    const since = Date.now();
    const view = await service.api['servers:add']({ url: mcp.url, name: 'Example', auth: { kind: 'oauth', sendResource: true } });
    id = view.id;
    assert.equal(id, 'example');
    assert.equal(view.status, 'not-connected');
    assert.equal(view.authKind, 'oauth');
    await waitForChange((servers) => servers.some((s) => s.id === id && s.status === 'not-connected'), since);
  });

  it('adds an API-key server with the key in the keychain only', async () => {
    const view = await service.api['servers:add']({ url: keyMcp.url, name: 'Keyed', auth: { kind: 'header', headerName: 'X-API-Key' }, secret: 'service-test-key-42' });
    assert.equal(view.status, 'connected');
    assert.equal(view.authKind, 'header');
    assert.equal(await profile.keyring.vault.get(secretNames.apiKey(view.id)), 'service-test-key-42');
    assert.ok(!(await fs.readFile(path.join(profile.home, 'servers.json'), 'utf8')).includes('service-test-key-42'));
    await rejectsWith(service.api['servers:connect']({ id: view.id }), 'invalid-input', /nothing to sign in to/);
  });

  it('connects, reporting each step, and the token lands in the keychain', async () => {
    const since = Date.now();
    const view = await service.api['servers:connect']({ id });
    assert.equal(view.status, 'connected');
    assert.deepEqual(view.state.scopes.includes('mcp:tools'), true);
    const steps = progressOf(id).map((p) => p.step);
    assert.deepEqual(steps, ['discovering', 'registering', 'waiting-for-browser', 'exchanging-code', 'done']);
    const waiting = progressOf(id).find((p) => p.step === 'waiting-for-browser') as ConnectProgress;
    assert.ok(waiting.url?.startsWith(`${as.issuer}/auth?`), 'the sign-in URL is there to copy');
    assert.ok(await profile.keyring.vault.get(secretNames.accessToken(id)));
    await waitForChange((servers) => servers.find((s) => s.id === id)?.status === 'connected', since);
  });

  it('runs one sign-in per server at a time, and Cancel stops it', async () => {
    let held: string | undefined;
    openBrowser = async (url) => {
      held = url;
    };
    const before = progressOf(id).length;
    const first = service.api['servers:connect']({ id });
    first.catch(() => undefined);
    while (!held) await sleep(10);
    await rejectsWith(service.api['servers:connect']({ id }), 'invalid-input', /already waiting for the browser/);
    await service.api['servers:cancel-connect']({ id });
    await rejectsWith(first, 'cancelled', /Sign-in cancelled/);
    assert.deepEqual(progressOf(id).slice(before).map((p) => p.step), ['discovering', 'registering', 'waiting-for-browser', 'cancelled']);
    // Still connected with the earlier sign-in; a new sign-in may start.
    assert.equal((await profile.keyring.list()).find((s) => s.id === id)?.status, 'connected');
    await service.api['servers:cancel-connect']({ id }); // nothing to cancel: fine
  });

  it('reports a browser that does not open, and a sign-in the user denies', async () => {
    openBrowser = async () => {
      throw new Error('no browser here');
    };
    const before = progressOf(id).length;
    const attempt = service.api['servers:connect']({ id });
    attempt.catch(() => undefined);
    for (let i = 0; i < 300 && !progressOf(id).slice(before).some((p) => p.message); i++) await sleep(10);
    const report = progressOf(id).slice(before).find((p) => p.message);
    assert.equal(report?.step, 'waiting-for-browser');
    assert.match(report?.message ?? '', /The browser did not open \(no browser here\)/);
    assert.ok(report?.url);
    await service.api['servers:cancel-connect']({ id });
    await rejectsWith(attempt, 'cancelled');

    openBrowser = async (url) => {
      await completeLogin(url, { deny: true });
    };
    const mark = progressOf(id).length;
    await rejectsWith(service.api['servers:connect']({ id }), 'access-denied', /Sign-in was denied/);
    const last = progressOf(id).slice(mark).at(-1);
    assert.equal(last?.step, 'failed');
    assert.match(last?.message ?? '', /Sign-in was denied/);
    openBrowser = async (url) => {
      await completeLogin(url);
    };
  });

  it('tells the window when another process changes a state file (one event per burst)', async () => {
    const file = profile.keyring.states.file(id);
    await sleep(100);
    let since = Date.now();
    const pid = await writeStateFromAnotherProcess(file, { status: 'connected' });
    const seen = await waitForChange((servers) => servers.find((s) => s.id === id)?.state.lastRefreshBy === `bridge (pid ${pid})`, since);
    assert.equal(seen.length, 2, 'the whole list');

    await sleep(100);
    since = Date.now();
    const burst = await writeStateFromAnotherProcess(file, { status: 'needs-sign-in', lastError: 'The authorization server refused the refresh token.' }, 25);
    await waitForChange((servers) => servers.find((s) => s.id === id)?.status === 'needs-sign-in', since);
    await sleep(150);
    const during = changes().filter((e) => e.at >= since);
    assert.ok(during.length <= 3, `25 writes coalesce into a few events, got ${during.length}`);
    assert.equal(during.at(-1)?.payload.find((s) => s.id === id)?.state.lastRefreshBy, `bridge (pid ${burst})`);
  });

  it('notices servers.json changed by another process (the CLI adding a server)', async () => {
    const since = Date.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [cliPath, 'add', openMcp.url, '--name', 'Open', '--no-auth'], { env: profile.env, stdio: 'ignore' });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    assert.equal(code, 0);
    await waitForChange((servers) => servers.some((s) => s.id === 'open' && s.authKind === 'none'), since);
  });

  it('puts the server into an MCP client\'s config', async () => {
    const before = await service.api['clients:list']({ id });
    assert.deepEqual(before.map((c) => c.id), ['claude-desktop', 'cursor', 'vscode', 'claude-code', 'windsurf']);
    assert.ok(before.every((c) => c.installed === false && c.exists === false));
    assert.ok(before.every((c) => c.supports.includes('stdio')));

    const result = await service.api['clients:install']({ id, client: 'claude-desktop' });
    const file = path.join(clientRoot, 'config', 'Claude', 'claude_desktop_config.json');
    assert.equal(result.path, file);
    assert.equal(result.created, true);
    assert.equal(result.changed, true);
    assert.equal(result.backupPath, null);
    assert.match(result.restartHint, /Claude Desktop/);
    const written = JSON.parse(await fs.readFile(file, 'utf8'));
    assert.deepEqual(written, JSON.parse(result.snippet));
    assert.deepEqual(written.mcpServers['mcp-keyring-example'].args, [bridgePath, 'example']);

    const after = await service.api['clients:list']({ id });
    assert.equal(after.find((c) => c.id === 'claude-desktop')?.installed, true);
    assert.equal(after.find((c) => c.id === 'claude-desktop')?.installedAs, 'stdio');
    assert.equal(after.find((c) => c.id === 'cursor')?.installed, false);
    assert.equal((await service.api['clients:list']({})).every((c) => c.installed === undefined), true);

    const again = await service.api['clients:install']({ id, client: 'claude-desktop' });
    assert.equal(again.changed, false);
    const vscode = await service.api['clients:install']({ id, client: 'vscode' });
    assert.equal(vscode.path, path.join(clientRoot, 'config', 'Code', 'User', 'mcp.json'));

    await rejectsWith(service.api['clients:install']({ id, client: 'emacs' as never }), 'invalid-input', /Unknown MCP client/);
    await rejectsWith(service.api['clients:install']({ id: 'nope', client: 'cursor' }), 'unknown-server');
    // A damaged client file is refused with the writer's message, and left as it was.
    await fs.mkdir(path.join(clientRoot, 'home', '.cursor'), { recursive: true });
    await fs.writeFile(path.join(clientRoot, 'home', '.cursor', 'mcp.json'), '{ broken');
    await rejectsWith(service.api['clients:install']({ id, client: 'cursor' }), 'config-malformed', /left it untouched/);
    assert.equal(await fs.readFile(path.join(clientRoot, 'home', '.cursor', 'mcp.json'), 'utf8'), '{ broken');
  });

  it('writes the local HTTP bridge form: {url, headers} for Cursor, refused where it cannot work', async () => {
    const cursorFile = path.join(clientRoot, 'home', '.cursor', 'mcp.json');
    await fs.rm(cursorFile); // the damaged file of the test before
    const targets = await service.api['clients:list']({ id });
    assert.deepEqual(Object.fromEntries(targets.map((c) => [c.id, c.supports])), {
      'claude-desktop': ['stdio'],
      cursor: ['stdio', 'http'],
      vscode: ['stdio', 'http'],
      'claude-code': ['stdio', 'http', 'headers-helper'],
      windsurf: ['stdio', 'http'],
    });

    // The client cannot take the form: said before anything else, nothing written.
    await rejectsWith(service.api['clients:install']({ id, client: 'claude-desktop', transport: 'http' }), 'invalid-input', /^Claude Desktop cannot connect to a URL from its config file.*Use the stdio bridge for Claude Desktop\.$/);
    await rejectsWith(service.api['clients:install']({ id, client: 'cursor', transport: 'headers-helper' }), 'invalid-input', /only Claude Code has.*Use the stdio bridge or the local HTTP bridge for Cursor/);
    await rejectsWith(service.api['clients:install']({ id, client: 'cursor', transport: 'carrier-pigeon' as never }), 'invalid-input', /Unknown entry form "carrier-pigeon"/);
    // No HTTP bridge running (its port was taken, say): a clear error, no file.
    await rejectsWith(service.api['clients:install']({ id, client: 'cursor', transport: 'http' }), 'invalid-input', /local HTTP bridge is not running.*Use the stdio bridge instead/);
    await assert.rejects(fs.stat(cursorFile), { code: 'ENOENT' });

    httpBridge = await startHttpBridge(profile.keyring, { port: 0 });
    const result = await service.api['clients:install']({ id, client: 'cursor', transport: 'http' });
    assert.equal(result.path, cursorFile);
    assert.equal(result.created, true);
    const written = JSON.parse(await fs.readFile(cursorFile, 'utf8'));
    assert.deepEqual(written, JSON.parse(result.snippet), 'the snippet is the entry, secret included (the user may paste it)');
    const secret = await profile.keyring.vault.get(secretNames.httpBridgeSecret());
    assert.ok(secret && secret === httpBridge.secret);
    const entry = written.mcpServers['mcp-keyring-example'];
    assert.deepEqual(entry, { url: `http://127.0.0.1:${httpBridge.port}/servers/example/mcp`, headers: { Authorization: `Bearer ${secret}` } });
    const listed = await service.api['clients:list']({ id });
    assert.equal(listed.find((c) => c.id === 'cursor')?.installedAs, 'http');

    // The entry works as Cursor would use it.
    const client = new Client({ name: 'service-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers } }));
    try {
      assert.ok((await client.listTools()).tools.some((t) => t.name === 'whoami'));
    } finally {
      await client.close();
    }

    // Picking stdio again replaces the http entry (one entry per server and client).
    const back = await service.api['clients:install']({ id, client: 'cursor', transport: 'stdio' });
    assert.equal(back.changed, true);
    assert.equal((await service.api['clients:list']({ id })).find((c) => c.id === 'cursor')?.installedAs, 'stdio');
  });

  it('writes Claude Code\'s headers-helper form, whose command prints the keychain\'s token', async () => {
    const result = await service.api['clients:install']({ id, client: 'claude-code', transport: 'headers-helper' });
    const file = path.join(clientRoot, 'home', '.claude.json');
    assert.equal(result.path, file);
    const written = JSON.parse(await fs.readFile(file, 'utf8'));
    assert.deepEqual(written, JSON.parse(result.snippet));
    const entry = written.mcpServers['mcp-keyring-example'];
    // No bridge: Claude Code talks to the server itself and asks our CLI for the header.
    assert.deepEqual(entry, { type: 'http', url: mcp.url, headersHelper: cliCommand(['headers', 'example']) });
    assert.ok(!result.snippet.includes((await profile.keyring.vault.get(secretNames.accessToken(id)))!), 'no token in the file');
    assert.equal((await service.api['clients:list']({ id })).find((c) => c.id === 'claude-code')?.installedAs, 'headers-helper');

    // Run it as Claude Code does: in a shell. The line itself names this profile
    // (MCP_KEYRING_HOME, MCP_KEYRING_SERVICE), so they are left out of the environment.
    const env = { ...profile.env };
    delete env.MCP_KEYRING_HOME;
    delete env.MCP_KEYRING_SERVICE;
    const { stdout } = await runInShell(entry.headersHelper, env);
    const headers = JSON.parse(stdout) as Record<string, string>;
    const token = await profile.keyring.vault.get(secretNames.accessToken(id));
    assert.ok(token);
    assert.deepEqual(headers, { Authorization: `Bearer ${token}` });
    // And that token opens the server, as Claude Code would use it.
    const client = new Client({ name: 'service-test-headers', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers } }));
    try {
      assert.ok((await client.listTools()).tools.some((t) => t.name === 'whoami'));
    } finally {
      await client.close();
    }

    // Only Claude Code has a headers helper; without a CLI command the form is refused.
    await rejectsWith(service.api['clients:install']({ id, client: 'windsurf', transport: 'headers-helper' }), 'invalid-input', /only Claude Code has/);
    const noCli = createKeyringService(profile.keyring, { ...platform, cliCommand: undefined });
    try {
      await rejectsWith(noCli.api['clients:install']({ id, client: 'claude-code', transport: 'headers-helper' }), 'invalid-input', /cannot name its command-line tool/);
    } finally {
      noCli.dispose();
    }
  });

  it('passes settings through and opens only http(s) links', async () => {
    assert.deepEqual(await service.api['settings:get'](undefined), { startAtLogin: false });
    assert.deepEqual(await service.api['settings:set']({ startAtLogin: true }), { startAtLogin: true });
    assert.deepEqual(await service.api['settings:get'](undefined), { startAtLogin: true });

    await service.api['app:open-external']({ url: 'https://modelcontextprotocol.io/docs' });
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'nonsense']) {
      await rejectsWith(service.api['app:open-external']({ url }), 'invalid-input');
    }
    assert.deepEqual(opened, ['https://modelcontextprotocol.io/docs']);
  });

  it('disconnects (revoking at the server) and removes', async () => {
    await service.api['servers:connect']({ id });
    const since = Date.now();
    const result = await service.api['servers:disconnect']({ id });
    assert.equal(result.revoked, true);
    await waitForChange((servers) => servers.find((s) => s.id === id)?.status === 'not-connected', since);
    assert.equal(await profile.keyring.vault.get(secretNames.refreshToken(id)), null);

    const removedAt = Date.now();
    await service.api['servers:remove']({ id });
    await waitForChange((servers) => !servers.some((s) => s.id === id), removedAt);
    await rejectsWith(service.api['servers:remove']({ id }), 'unknown-server');
  });

  it('stops watching after dispose', async () => {
    service.dispose();
    const count = events.length;
    await service.api['servers:add']({ url: openMcp.url, name: 'After dispose', auth: { kind: 'none' } });
    await sleep(200);
    assert.equal(events.length, count);
  });
});
