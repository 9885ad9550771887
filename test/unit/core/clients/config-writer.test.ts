import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { isKeyringError } from '../../../../main/core/errors';
import {
  clientConfigPath,
  clientEntrySnippet,
  listBackups,
  listClients,
  readClientEntry,
  removeClientEntry,
  writeClientEntry,
} from '../../../../main/core/clients/config-writer';
import { bridgeLaunch, headersHelperLaunch, httpLaunch, type BridgeLaunch } from '../../../../main/core/clients/launch';
import { CLIENT_IDS, CLIENT_TARGETS, type ClientId } from '../../../../main/core/clients/targets';

const posix = process.platform !== 'win32';
const NOW = new Date(2025, 2, 4, 5, 6, 7); // local time 2025-03-04 05:06:07
const STAMP = '20250304T050607';

const stdio: BridgeLaunch = bridgeLaunch({
  serverId: 'example',
  mode: 'development',
  execPath: '/usr/local/bin/node',
  bridgeScript: '/opt/mcp-keyring/dist/bridge.cjs',
});
const stdioEntry = { command: '/usr/local/bin/node', args: ['/opt/mcp-keyring/dist/bridge.cjs', 'example'] };

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-clients-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string | Buffer, mode = 0o600): Promise<string> {
  const file = path.join(dir, name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text, { mode });
  await fs.chmod(file, mode);
  return file;
}

const read = (file: string) => fs.readFile(file, 'utf8');

async function rejectsWith(promise: Promise<unknown>, code: string, ...parts: Array<string | RegExp>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isKeyringError(error), `expected a KeyringError, got ${String(error)}`);
    assert.equal(error.code, code);
    for (const part of parts) {
      if (typeof part === 'string') assert.ok(error.message.includes(part), `"${error.message}" should mention "${part}"`);
      else assert.match(error.message, part);
    }
    return true;
  });
}

describe('bridge launch forms', () => {
  test('packaged: the app executable runs the bundle as node', () => {
    const launch = bridgeLaunch({
      serverId: 'srv',
      mode: 'packaged',
      execPath: '/Applications/MCP Keyring.app/Contents/MacOS/MCP Keyring',
      bridgeScript: '/Applications/MCP Keyring.app/Contents/Resources/app.asar.unpacked/dist/bridge.mjs',
      env: { MCP_KEYRING_HOME: '/tmp/kr' },
    });
    assert.deepEqual(launch, {
      kind: 'stdio',
      command: '/Applications/MCP Keyring.app/Contents/MacOS/MCP Keyring',
      args: ['/Applications/MCP Keyring.app/Contents/Resources/app.asar.unpacked/dist/bridge.mjs', 'srv'],
      env: { MCP_KEYRING_HOME: '/tmp/kr', ELECTRON_RUN_AS_NODE: '1' },
    });
    const plain = bridgeLaunch({ serverId: 'srv', mode: 'packaged', execPath: 'C:\\Program Files\\MCP Keyring\\MCP Keyring.exe', bridgeScript: 'C:\\Program Files\\MCP Keyring\\resources\\bridge.mjs' });
    assert.deepEqual(plain.kind === 'stdio' && plain.env, { ELECTRON_RUN_AS_NODE: '1' });
  });

  test('development: node runs the bundle; env only when given', () => {
    assert.deepEqual(stdio, { kind: 'stdio', ...stdioEntry });
    assert.ok(!('env' in stdio));
    const withEnv = bridgeLaunch({ serverId: 'x', mode: 'development', execPath: '/n', bridgeScript: '/b.mjs', env: { MCP_KEYRING_HOME: '/h' } });
    assert.deepEqual(withEnv, { kind: 'stdio', command: '/n', args: ['/b.mjs', 'x'], env: { MCP_KEYRING_HOME: '/h' } });
    assert.ok(!(withEnv.kind === 'stdio' && withEnv.env && 'ELECTRON_RUN_AS_NODE' in withEnv.env));
  });

  test('relative paths and bad URLs are refused', () => {
    assert.throws(() => bridgeLaunch({ serverId: 'x', mode: 'development', execPath: 'node', bridgeScript: '/b.mjs' }), /absolute/);
    assert.throws(() => bridgeLaunch({ serverId: 'x', mode: 'development', execPath: '/node', bridgeScript: 'dist/b.mjs' }), /absolute/);
    assert.throws(() => httpLaunch('not a url'), /not a valid URL/);
    assert.throws(() => headersHelperLaunch('ftp://x', 'cmd'), /http/);
  });

  test('http and headers-helper constructors', () => {
    assert.deepEqual(httpLaunch('http://127.0.0.1:7777/mcp/x'), { kind: 'http', url: 'http://127.0.0.1:7777/mcp/x' });
    assert.deepEqual(httpLaunch('http://127.0.0.1:7777/mcp/x', { name: 'Authorization', value: 'Bearer s' }), {
      kind: 'http',
      url: 'http://127.0.0.1:7777/mcp/x',
      headers: { Authorization: 'Bearer s' },
    });
    assert.deepEqual(headersHelperLaunch('https://mcp.example.com/mcp', '/bin/kr headers x'), {
      kind: 'headers-helper',
      url: 'https://mcp.example.com/mcp',
      headersHelper: '/bin/kr headers x',
    });
  });
});

describe('client entries', () => {
  const http = httpLaunch('http://127.0.0.1:7777/mcp/x', { name: 'Authorization', value: 'Bearer s' });
  const helper = headersHelperLaunch('https://mcp.example.com/mcp', '/bin/kr headers x');

  test('each client spells the launch its own way', () => {
    const { 'claude-desktop': desktop, cursor, vscode, 'claude-code': code, windsurf } = CLIENT_TARGETS;
    assert.deepEqual(desktop.entry(stdio), stdioEntry);
    assert.deepEqual(cursor.entry(stdio), stdioEntry);
    assert.deepEqual(cursor.entry(http), { url: http.kind === 'http' && http.url, headers: { Authorization: 'Bearer s' } });
    assert.deepEqual(vscode.entry(stdio), { type: 'stdio', ...stdioEntry });
    assert.deepEqual(vscode.entry(httpLaunch('http://h/x')), { type: 'http', url: 'http://h/x' });
    assert.deepEqual(code.entry(stdio), { type: 'stdio', ...stdioEntry });
    assert.deepEqual(code.entry(http), { type: 'http', url: 'http://127.0.0.1:7777/mcp/x', headers: { Authorization: 'Bearer s' } });
    assert.deepEqual(code.entry(helper), { type: 'http', url: 'https://mcp.example.com/mcp', headersHelper: '/bin/kr headers x' });
    assert.deepEqual(windsurf.entry(http), { serverUrl: 'http://127.0.0.1:7777/mcp/x', headers: { Authorization: 'Bearer s' } });
    assert.deepEqual(windsurf.entry(stdio), stdioEntry);
    const env = bridgeLaunch({ serverId: 's', mode: 'packaged', execPath: '/app', bridgeScript: '/b.mjs' });
    assert.deepEqual(desktop.entry(env), { command: '/app', args: ['/b.mjs', 's'], env: { ELECTRON_RUN_AS_NODE: '1' } });
  });

  test('Claude Desktop refuses a URL, with a clear message and no file written', async () => {
    const file = path.join(dir, 'claude_desktop_config.json');
    await rejectsWith(writeClientEntry({ client: 'claude-desktop', name: 'kr', launch: http, configPath: file }), 'invalid-input', 'Claude Desktop', 'URL', 'stdio');
    await assert.rejects(fs.access(file));
  });

  test('only Claude Code takes a headers helper', async () => {
    for (const client of ['claude-desktop', 'cursor', 'vscode', 'windsurf'] as const) {
      assert.throws(() => CLIENT_TARGETS[client].entry(helper), (error: unknown) => isKeyringError(error, 'invalid-input'));
      assert.ok(!CLIENT_TARGETS[client].supports.includes('headers-helper'));
    }
    assert.deepEqual(CLIENT_TARGETS['claude-desktop'].supports, ['stdio']);
  });

  test('Windsurf file uses serverUrl; Claude Code file holds the headers-helper form', async () => {
    const windsurf = await writeClientEntry({ client: 'windsurf', name: 'kr', launch: httpLaunch('http://127.0.0.1:1/x'), configPath: path.join(dir, 'w.json') });
    assert.deepEqual(JSON.parse(await read(windsurf.path)), { mcpServers: { kr: { serverUrl: 'http://127.0.0.1:1/x' } } });
    const code = await writeClientEntry({ client: 'claude-code', name: 'kr', launch: helper, configPath: path.join(dir, 'c.json') });
    assert.deepEqual(JSON.parse(await read(code.path)), {
      mcpServers: { kr: { type: 'http', url: 'https://mcp.example.com/mcp', headersHelper: '/bin/kr headers x' } },
    });
    assert.equal(code.restartHint, 'Restart Claude Code sessions');
  });
});

describe('config paths', () => {
  const expected: Record<ClientId, Record<'darwin' | 'win32' | 'linux', string>> = {
    'claude-desktop': {
      darwin: '/Users/ann/Library/Application Support/Claude/claude_desktop_config.json',
      win32: 'C:\\Users\\ann\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
      linux: '/home/ann/.config/Claude/claude_desktop_config.json',
    },
    cursor: {
      darwin: '/Users/ann/.cursor/mcp.json',
      win32: 'C:\\Users\\ann\\.cursor\\mcp.json',
      linux: '/home/ann/.cursor/mcp.json',
    },
    vscode: {
      darwin: '/Users/ann/Library/Application Support/Code/User/mcp.json',
      win32: 'C:\\Users\\ann\\AppData\\Roaming\\Code\\User\\mcp.json',
      linux: '/home/ann/.config/Code/User/mcp.json',
    },
    'claude-code': {
      darwin: '/Users/ann/.claude.json',
      win32: 'C:\\Users\\ann\\.claude.json',
      linux: '/home/ann/.claude.json',
    },
    windsurf: {
      darwin: '/Users/ann/.codeium/windsurf/mcp_config.json',
      win32: 'C:\\Users\\ann\\.codeium\\windsurf\\mcp_config.json',
      linux: '/home/ann/.codeium/windsurf/mcp_config.json',
    },
  };
  const homes = { darwin: '/Users/ann', win32: 'C:\\Users\\ann', linux: '/home/ann' };
  const envs = { darwin: {}, win32: { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, linux: {} };

  for (const client of CLIENT_IDS) {
    test(`${client} on darwin, win32 and linux`, () => {
      for (const platform of ['darwin', 'win32', 'linux'] as const) {
        assert.equal(clientConfigPath(client, platform, envs[platform], homes[platform]), expected[client][platform], `${client} on ${platform}`);
      }
    });
  }

  test('XDG_CONFIG_HOME (absolute only), APPDATA fallback, CLAUDE_CONFIG_DIR', () => {
    assert.equal(clientConfigPath('claude-desktop', 'linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/ann'), '/xdg/Claude/claude_desktop_config.json');
    assert.equal(clientConfigPath('vscode', 'linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/ann'), '/xdg/Code/User/mcp.json');
    assert.equal(clientConfigPath('claude-desktop', 'linux', { XDG_CONFIG_HOME: 'rel' }, '/home/ann'), expected['claude-desktop'].linux);
    assert.equal(clientConfigPath('claude-desktop', 'darwin', { XDG_CONFIG_HOME: '/xdg' }, '/Users/ann'), expected['claude-desktop'].darwin);
    assert.equal(clientConfigPath('claude-desktop', 'win32', {}, 'C:\\Users\\ann'), expected['claude-desktop'].win32);
    assert.equal(clientConfigPath('vscode', 'win32', { APPDATA: 'D:\\Roam' }, 'C:\\Users\\ann'), 'D:\\Roam\\Code\\User\\mcp.json');
    assert.equal(clientConfigPath('claude-code', 'linux', { CLAUDE_CONFIG_DIR: '/cfg' }, '/home/ann'), '/cfg/.claude.json');
  });

  test('listClients reports each path and whether it exists', async () => {
    await write('.cursor/mcp.json', '{}');
    const clients = await listClients('linux', {}, dir);
    assert.deepEqual(clients.map((c) => c.id), [...CLIENT_IDS]);
    const cursor = clients.find((c) => c.id === 'cursor')!;
    assert.equal(cursor.path, path.join(dir, '.cursor', 'mcp.json'));
    assert.equal(cursor.label, 'Cursor');
    assert.equal(cursor.exists, true);
    assert.ok(clients.filter((c) => c.id !== 'cursor').every((c) => !c.exists));
  });
});

describe('writeClientEntry', () => {
  test('absent file: created with parent directories, mode 0600, no backup', async () => {
    const file = path.join(dir, 'deep', 'er', 'claude_desktop_config.json');
    const result = await writeClientEntry({ client: 'claude-desktop', name: 'mcp-keyring-example', launch: stdio, configPath: file, now: NOW });
    assert.equal(result.path, file);
    assert.equal(result.created, true);
    assert.equal(result.changed, true);
    assert.equal(result.backupPath, null);
    assert.equal(result.restartHint, 'Quit and reopen Claude Desktop');
    assert.equal(await read(file), `${result.snippet}\n`);
    assert.deepEqual(JSON.parse(result.snippet), { mcpServers: { 'mcp-keyring-example': stdioEntry } });
    if (posix) assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await fs.readdir(path.dirname(file)), ['claude_desktop_config.json']);
  });

  test('the snippet is the pasteable entry for the client', () => {
    assert.equal(
      clientEntrySnippet('vscode', 'kr', stdio),
      JSON.stringify({ servers: { kr: { type: 'stdio', ...stdioEntry } } }, null, 2),
    );
  });

  test('other servers and keys are kept byte for byte; backup is identical to the original', async () => {
    const original = [
      '{',
      '  "globalShortcut": "Ctrl+Space",',
      '  "mcpServers": {',
      '    "filesystem": {',
      '      "command": "npx",',
      '      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/ann/Desktop"]',
      '    },',
      '    "weird":{"command":"x"}',
      '  },',
      '  "zzz": [1,2,   3]',
      '}',
      '',
    ].join('\n');
    const file = await write('claude_desktop_config.json', original, 0o640);
    const result = await writeClientEntry({ client: 'claude-desktop', name: 'mcp-keyring-example', launch: stdio, configPath: file, now: NOW });
    const ours = [
      '    "mcp-keyring-example": {',
      '      "command": "/usr/local/bin/node",',
      '      "args": [',
      '        "/opt/mcp-keyring/dist/bridge.cjs",',
      '        "example"',
      '      ]',
      '    }',
    ].join('\n');
    assert.equal(await read(file), original.replace('    "weird":{"command":"x"}\n', `    "weird":{"command":"x"},\n${ours}\n`));
    assert.equal(result.created, false);
    assert.equal(result.changed, true);
    assert.equal(result.backupPath, `${file}.mcp-keyring-backup-${STAMP}`);
    assert.ok((await fs.readFile(result.backupPath!)).equals(Buffer.from(original)));
    if (posix) {
      // Either may hold the HTTP-bridge secret: both are narrowed to 0600, whatever the original's mode.
      assert.equal((await fs.stat(file)).mode & 0o777, 0o600, 'the file is written 0600');
      assert.equal((await fs.stat(result.backupPath!)).mode & 0o777, 0o600, 'the backup is 0600');
    }
    assert.deepEqual(await listBackups(file), [result.backupPath]);
  });

  test('a second identical write changes nothing and makes no backup', async () => {
    const file = await write('mcp.json', '{\n  "mcpServers": {\n    "other": { "url": "https://x" }\n  }\n}\n');
    const first = await writeClientEntry({ client: 'cursor', name: 'kr', launch: stdio, configPath: file, now: NOW });
    assert.equal(first.changed, true);
    const after = await fs.readFile(file);
    const { mtimeMs } = await fs.stat(file);
    const second = await writeClientEntry({ client: 'cursor', name: 'kr', launch: stdio, configPath: file, now: new Date(2026, 0, 1) });
    assert.equal(second.changed, false);
    assert.equal(second.created, false);
    assert.equal(second.backupPath, null);
    assert.ok((await fs.readFile(file)).equals(after));
    assert.equal((await fs.stat(file)).mtimeMs, mtimeMs);
    assert.equal((await listBackups(file)).length, 1);
    // Key order inside our entry does not matter for "already there".
    const reordered = (await read(file)).replace(/"command": "[^"]*",\n(\s*)("args": \[[^\]]*\])/, '$2,\n$1"command": "/usr/local/bin/node"');
    await fs.writeFile(file, reordered);
    assert.equal((await writeClientEntry({ client: 'cursor', name: 'kr', launch: stdio, configPath: file })).changed, false);
  });

  test('updating an existing entry changes only that entry', async () => {
    const before = [
      '{',
      '  "mcpServers": {',
      '    "a": { "command": "a" },',
      '    "kr": {',
      '      "command": "/old/node",',
      '      "args": ["/old/bridge.mjs", "example"],',
      '      "env": { "X": "1" }',
      '    },',
      '    "b": { "command": "b" }',
      '  },',
      '  "other": true',
      '}',
    ].join('\n');
    const file = await write('mcp.json', before);
    const result = await writeClientEntry({ client: 'windsurf', name: 'kr', launch: stdio, configPath: file, now: NOW });
    assert.equal(result.changed, true);
    const start = before.indexOf('{\n      "command": "/old/node"');
    const stop = before.indexOf('    },\n    "b"') + '    }'.length;
    const replacement = '{\n      "command": "/usr/local/bin/node",\n      "args": [\n        "/opt/mcp-keyring/dist/bridge.cjs",\n        "example"\n      ]\n    }';
    assert.equal(await read(file), before.slice(0, start) + replacement + before.slice(stop));
    assert.deepEqual(await readClientEntry({ client: 'windsurf', name: 'kr', configPath: file }), stdioEntry);
    assert.equal(result.restartHint, "Press refresh in Windsurf's MCP panel");
  });

  test('VS Code JSONC: comments and trailing commas are kept', async () => {
    const before = [
      '// My MCP servers',
      '{',
      '  /* block',
      '     comment */',
      '  "inputs": [],',
      '  "servers": {',
      '    // GitHub, from the marketplace',
      '    "github": {',
      '      "type": "http",',
      '      "url": "https://api.githubcopilot.com/mcp/", // remote',
      '    },',
      '    // "disabled": { "command": "x" },',
      '  },',
      '}',
      '',
    ].join('\n');
    const file = await write('Code/User/mcp.json', before);
    const result = await writeClientEntry({ client: 'vscode', name: 'kr', launch: stdio, configPath: file, now: NOW });
    const ours = [
      '    "kr": {',
      '      "type": "stdio",',
      '      "command": "/usr/local/bin/node",',
      '      "args": [',
      '        "/opt/mcp-keyring/dist/bridge.cjs",',
      '        "example"',
      '      ]',
      '    },',
    ].join('\n');
    assert.equal(await read(file), before.replace('    },\n    // "disabled"', `    },\n${ours}\n    // "disabled"`));
    assert.deepEqual(await readClientEntry({ client: 'vscode', name: 'kr', configPath: file }), { type: 'stdio', ...stdioEntry });
    assert.ok((await fs.readFile(result.backupPath!)).equals(Buffer.from(before)));

    // And back out again: exactly the original.
    const removed = await removeClientEntry({ client: 'vscode', name: 'kr', configPath: file, now: new Date(2025, 2, 4, 5, 6, 8) });
    assert.equal(removed.changed, true);
    assert.equal(await read(file), before);
  });

  test('VS Code JSONC: a line comment after the last server stays on its line', async () => {
    const before = '{\n  "servers": {\n    "a": { "command": "a" } // note about a\n  }\n}\n';
    const file = await write('mcp.json', before);
    await writeClientEntry({ client: 'vscode', name: 'kr', launch: httpLaunch('http://h/x'), configPath: file });
    assert.equal(
      await read(file),
      '{\n  "servers": {\n    "a": { "command": "a" }, // note about a\n    "kr": {\n      "type": "http",\n      "url": "http://h/x"\n    }\n  }\n}\n',
    );
  });

  test('VS Code JSONC: servers holding only comments', async () => {
    const before = '{\n  "servers": {\n    // nothing yet\n  }\n}\n';
    const file = await write('mcp.json', before);
    await writeClientEntry({ client: 'vscode', name: 'kr', launch: httpLaunch('http://h/x'), configPath: file });
    const text = await read(file);
    assert.ok(text.includes('// nothing yet'));
    assert.deepEqual(await readClientEntry({ client: 'vscode', name: 'kr', configPath: file }), { type: 'http', url: 'http://h/x' });
    await removeClientEntry({ client: 'vscode', name: 'kr', configPath: file });
    assert.equal(await read(file), before);
  });

  test('a tab-indented file keeps tabs', async () => {
    const before = '{\n\t"mcpServers": {\n\t\t"a": {\n\t\t\t"command": "a"\n\t\t}\n\t}\n}';
    const file = await write('mcp.json', before);
    await writeClientEntry({ client: 'cursor', name: 'kr', launch: httpLaunch('http://h/x'), configPath: file });
    assert.equal(await read(file), '{\n\t"mcpServers": {\n\t\t"a": {\n\t\t\t"command": "a"\n\t\t},\n\t\t"kr": {\n\t\t\t"url": "http://h/x"\n\t\t}\n\t}\n}');
  });

  test('four-space indentation, CRLF line endings and a BOM are kept', async () => {
    const before = '\uFEFF{\r\n    "mcpServers": {}\r\n}\r\n';
    const file = await write('mcp.json', before);
    await writeClientEntry({ client: 'cursor', name: 'kr', launch: httpLaunch('http://h/x'), configPath: file });
    assert.equal(await read(file), '\uFEFF{\r\n    "mcpServers": {\r\n        "kr": {\r\n            "url": "http://h/x"\r\n        }\r\n    }\r\n}\r\n');
  });

  test('a one-line file stays one line, other content untouched', async () => {
    const before = '{"a":1,"mcpServers":{"x":{"command":"y"}},"b":[1,2]}';
    const file = await write('mcp.json', before);
    await writeClientEntry({ client: 'cursor', name: 'kr', launch: httpLaunch('http://h/x'), configPath: file });
    assert.equal(await read(file), '{"a":1,"mcpServers":{"x":{"command":"y"},"kr":{"url":"http://h/x"}},"b":[1,2]}');
  });

  test('a file without the servers key gets it appended at the end', async () => {
    const before = '{\n  "numStartups": 41,\n  "projects": {\n    "/p": { "mcpServers": {} }\n  }\n}\n';
    const file = await write('.claude.json', before);
    await writeClientEntry({ client: 'claude-code', name: 'kr', launch: httpLaunch('http://h/x'), configPath: file });
    assert.equal(
      await read(file),
      '{\n  "numStartups": 41,\n  "projects": {\n    "/p": { "mcpServers": {} }\n  },\n  "mcpServers": {\n    "kr": {\n      "type": "http",\n      "url": "http://h/x"\n    }\n  }\n}\n',
    );
  });

  test('empty files and a bare {} are laid out', async () => {
    for (const before of ['', '  \n', '{}', '{}\n']) {
      const file = await write('mcp.json', before);
      await writeClientEntry({ client: 'cursor', name: 'kr', launch: httpLaunch('http://h/x'), configPath: file });
      const text = await read(file);
      assert.equal(text.replace(/\n$/, ''), '{\n  "mcpServers": {\n    "kr": {\n      "url": "http://h/x"\n    }\n  }\n}', JSON.stringify(before));
      await fs.rm(dir, { recursive: true });
      await fs.mkdir(dir);
    }
  });

  test('a symlinked config file is written through the link', { skip: !posix }, async () => {
    const real = await write('dotfiles/mcp.json', '{\n  "mcpServers": {}\n}\n');
    const link = path.join(dir, 'mcp.json');
    await fs.symlink(real, link);
    const result = await writeClientEntry({ client: 'cursor', name: 'kr', launch: httpLaunch('http://h/x'), configPath: link, now: NOW });
    assert.ok((await fs.lstat(link)).isSymbolicLink());
    assert.deepEqual(JSON.parse(await read(real)), { mcpServers: { kr: { url: 'http://h/x' } } });
    assert.equal(result.backupPath, `${link}.mcp-keyring-backup-${STAMP}`);
  });

  test('backups made within the same second do not overwrite each other', async () => {
    const file = await write('mcp.json', '{}');
    const one = await writeClientEntry({ client: 'cursor', name: 'a', launch: stdio, configPath: file, now: NOW });
    const two = await writeClientEntry({ client: 'cursor', name: 'b', launch: stdio, configPath: file, now: NOW });
    assert.notEqual(one.backupPath, two.backupPath);
    assert.equal(two.backupPath, `${file}.mcp-keyring-backup-${STAMP}-2`);
    assert.equal(await read(one.backupPath!), '{}');
  });

  test('entry names are validated', async () => {
    const file = path.join(dir, 'mcp.json');
    for (const name of ['', '   ', 'a\nb', 'tab\there', '\u0000', '__proto__']) {
      await rejectsWith(writeClientEntry({ client: 'cursor', name, launch: stdio, configPath: file }), 'invalid-input');
    }
    await assert.rejects(fs.access(file));
    const odd = 'ünïcode "quoted" name';
    await writeClientEntry({ client: 'cursor', name: odd, launch: stdio, configPath: file });
    assert.deepEqual(await readClientEntry({ client: 'cursor', name: odd, configPath: file }), stdioEntry);
  });
});

describe('malformed files are refused and left untouched', () => {
  async function assertUntouched(file: string, before: Buffer, mtimeMs: number): Promise<void> {
    assert.ok((await fs.readFile(file)).equals(before), 'bytes unchanged');
    assert.equal((await fs.stat(file)).mtimeMs, mtimeMs, 'mtime unchanged');
    assert.deepEqual(await fs.readdir(path.dirname(file)), [path.basename(file)], 'no backup or temp file');
  }

  async function refuse(client: ClientId, text: string, ...parts: Array<string | RegExp>): Promise<void> {
    const file = await write(`case/${client}.json`, text);
    const before = await fs.readFile(file);
    const { mtimeMs } = await fs.stat(file);
    await rejectsWith(writeClientEntry({ client, name: 'kr', launch: stdio, configPath: file, now: NOW }), 'config-malformed', file, 'untouched', ...parts);
    await rejectsWith(removeClientEntry({ client, name: 'kr', configPath: file }), 'config-malformed', file);
    await rejectsWith(readClientEntry({ client, name: 'kr', configPath: file }), 'config-malformed', file);
    await assertUntouched(file, before, mtimeMs);
    await fs.rm(path.dirname(file), { recursive: true });
  }

  test('syntax errors name the path, line and column', async () => {
    await refuse('claude-desktop', '{\n  "mcpServers": {\n    "a": { "command": "a" }\n    "b": {}\n  }\n}\n', 'line 4, column 5', "expected ','");
    await refuse('cursor', '{"mcpServers": {}} trailing', 'line 1, column 20', 'unexpected character');
    await refuse('cursor', '{"mcpServers": {}}\n{}', 'line 2, column 1', 'after the end');
    await refuse('windsurf', '{\n  "mcpServers": {\n', /line \d+/);
  });

  test('comments and trailing commas in plain-JSON files', async () => {
    await refuse('claude-desktop', '{\n  // hi\n  "mcpServers": {}\n}\n', 'line 2, column 3', 'comments are not allowed');
    await refuse('claude-code', '{\n  "mcpServers": {},\n}\n', 'line 3');
  });

  test('JSONC syntax errors are refused too', async () => {
    await refuse('vscode', '{\n  // ok\n  "servers": { "a": }\n}\n', 'line 3', 'JSON (with comments)');
  });

  test('wrong shapes', async () => {
    await refuse('claude-desktop', '{\n  "mcpServers": []\n}\n', 'array', '"mcpServers"');
    await refuse('vscode', '{ "servers": "nope" }', 'string');
    await refuse('cursor', '[]', 'array', 'top level');
    await refuse('cursor', '"text"', 'top level');
    await refuse('cursor', '{"mcpServers": {}, "mcpServers": {}}', '2 times');
    await refuse('cursor', '{"mcpServers": {"kr": {}, "kr": {}}}', '"kr" 2 times');
  });

  test('non-UTF-8 bytes', async () => {
    const file = await write('mcp.json', Buffer.from([0x7b, 0xff, 0x7d]));
    await rejectsWith(writeClientEntry({ client: 'cursor', name: 'kr', launch: stdio, configPath: file }), 'config-malformed', 'UTF-8');
  });

  test('a directory where the file should be is an IO failure', async () => {
    const file = path.join(dir, 'mcp.json');
    await fs.mkdir(file);
    await rejectsWith(writeClientEntry({ client: 'cursor', name: 'kr', launch: stdio, configPath: file }), 'config-write-failed', file);
  });
});

describe('removeClientEntry', () => {
  const three = [
    '{',
    '  "mcpServers": {',
    '    "a": { "command": "a" },',
    '    "kr": { "command": "k" },',
    '    "b": { "command": "b" }',
    '  },',
    '  "x": 1',
    '}',
    '',
  ].join('\n');

  test('removes only our entry, wherever it is', async () => {
    const servers = (...lines: string[]) => ['{', '  "mcpServers": {', ...lines, '  },', '  "x": 1', '}', ''].join('\n');
    const a = '    "a": { "command": "a" }';
    const b = '    "b": { "command": "b" }';
    const kr = '    "kr": { "command": "k" }';
    const cases: Array<[string, string]> = [
      [servers(`${a},`, `${kr},`, b), servers(`${a},`, b)],
      [servers(`${kr},`, `${a},`, b), servers(`${a},`, b)],
      [servers(`${a},`, `${b},`, kr), servers(`${a},`, b)],
    ];
    for (const [before, after] of cases) {
      const file = await write('mcp.json', before);
      const result = await removeClientEntry({ client: 'cursor', name: 'kr', configPath: file, now: NOW });
      assert.equal(result.changed, true);
      assert.equal(await read(file), after);
      assert.ok((await fs.readFile(result.backupPath!)).equals(Buffer.from(before)));
      await fs.rm(dir, { recursive: true });
      await fs.mkdir(dir);
    }
  });

  test('JSONC: comments next to other servers stay', async () => {
    const before = '{\n  "servers": {\n    "a": 1, // a\n    "b": 2, // b stays\n    "kr": { "command": "k" } // ours\n  }\n}\n';
    const file = await write('mcp.json', before);
    await removeClientEntry({ client: 'vscode', name: 'kr', configPath: file });
    assert.equal(await read(file), '{\n  "servers": {\n    "a": 1, // a\n    "b": 2 // b stays\n  }\n}\n');
    const middle = '{\n  "servers": {\n    "a": 1, // a\n    "kr": 2, // ours\n    // about b\n    "b": 2\n  }\n}\n';
    await fs.writeFile(file, middle);
    await removeClientEntry({ client: 'vscode', name: 'kr', configPath: file });
    assert.equal(await read(file), '{\n  "servers": {\n    "a": 1, // a\n    // about b\n    "b": 2\n  }\n}\n');
    const only = '{\n  "servers": { // mine\n    "kr": 2 // ours\n  }\n}\n';
    await fs.writeFile(file, only);
    await removeClientEntry({ client: 'vscode', name: 'kr', configPath: file });
    assert.equal(await read(file), '{\n  "servers": { // mine\n  }\n}\n');
  });

  test('the only entry leaves an empty object', async () => {
    const file = await write('.claude.json', '{\n  "a": 1,\n  "mcpServers": {\n    "kr": {\n      "type": "stdio"\n    }\n  }\n}\n');
    await removeClientEntry({ client: 'claude-code', name: 'kr', configPath: file });
    assert.equal(await read(file), '{\n  "a": 1,\n  "mcpServers": {}\n}\n');
  });

  test('one-line files', async () => {
    const file = await write('mcp.json', '{"mcpServers":{"a":1,"kr":{"command":"k"},"b":2}}');
    await removeClientEntry({ client: 'cursor', name: 'kr', configPath: file });
    assert.equal(await read(file), '{"mcpServers":{"a":1,"b":2}}');
    await writeClientEntry({ client: 'cursor', name: 'kr', launch: httpLaunch('http://h/x'), configPath: file });
    await removeClientEntry({ client: 'cursor', name: 'kr', configPath: file });
    assert.equal(await read(file), '{"mcpServers":{"a":1,"b":2}}');
  });

  test('absent entry or absent file: no-op', async () => {
    const file = await write('mcp.json', three);
    const { mtimeMs } = await fs.stat(file);
    const result = await removeClientEntry({ client: 'cursor', name: 'nope', configPath: file });
    assert.deepEqual({ changed: result.changed, backupPath: result.backupPath }, { changed: false, backupPath: null });
    assert.equal(await read(file), three);
    assert.equal((await fs.stat(file)).mtimeMs, mtimeMs);
    const missing = path.join(dir, 'missing', 'mcp.json');
    assert.equal((await removeClientEntry({ client: 'cursor', name: 'kr', configPath: missing })).changed, false);
    await assert.rejects(fs.access(path.dirname(missing)));
  });

  test('only the top-level servers key is touched in ~/.claude.json', async () => {
    const before = '{\n  "projects": {\n    "/p": {\n      "mcpServers": {\n        "kr": { "type": "stdio" }\n      }\n    }\n  }\n}\n';
    const file = await write('.claude.json', before);
    assert.equal(await readClientEntry({ client: 'claude-code', name: 'kr', configPath: file }), undefined);
    assert.equal((await removeClientEntry({ client: 'claude-code', name: 'kr', configPath: file })).changed, false);
    assert.equal(await read(file), before);
  });
});

describe('readClientEntry', () => {
  test('undefined for a missing file or entry, the entry otherwise', async () => {
    const file = path.join(dir, 'mcp.json');
    assert.equal(await readClientEntry({ client: 'cursor', name: 'kr', configPath: file }), undefined);
    await write('mcp.json', '{"mcpServers": {"other": {}}}');
    assert.equal(await readClientEntry({ client: 'cursor', name: 'kr', configPath: file }), undefined);
    await writeClientEntry({ client: 'cursor', name: 'kr', launch: stdio, configPath: file });
    const entry = await readClientEntry({ client: 'cursor', name: 'kr', configPath: file });
    assert.deepEqual(entry, stdioEntry);
    assert.equal(Object.getPrototypeOf(entry), Object.prototype);
  });

  test('default paths come from platform, env and homedir', async () => {
    await writeClientEntry({ client: 'windsurf', name: 'kr', launch: stdio, platform: 'linux', env: {}, homedir: dir });
    const file = path.join(dir, '.codeium', 'windsurf', 'mcp_config.json');
    assert.deepEqual(JSON.parse(await read(file)), { mcpServers: { kr: stdioEntry } });
    assert.deepEqual(await readClientEntry({ client: 'windsurf', name: 'kr', platform: 'linux', env: {}, homedir: dir }), stdioEntry);
  });
});
