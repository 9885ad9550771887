import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { appCliCommand, appCliSpec } from '../../../main/app/app-layout';
import { cmdQuote, shellCommandLine, shQuote } from '../../../main/app/command-line';
import { isKeyringError } from '../../../main/core/errors';

const invalidInput = (pattern: RegExp) => (error: unknown) => isKeyringError(error, 'invalid-input') && pattern.test(error.message);

describe('POSIX sh', () => {
  test('plain words stay bare, everything else is single-quoted', () => {
    assert.equal(shQuote('headers'), 'headers');
    assert.equal(shQuote('/usr/bin/node'), '/usr/bin/node');
    assert.equal(shQuote('my-server_2'), 'my-server_2');
    assert.equal(shQuote(''), "''");
    assert.equal(shQuote('/Applications/MCP Keyring.app'), "'/Applications/MCP Keyring.app'");
    assert.equal(shQuote("it's"), "'it'\\''s'");
    assert.equal(shQuote('$HOME `id` "x" \\ ; & | * ?'), "'$HOME `id` \"x\" \\ ; & | * ?'");
    assert.throws(() => shQuote('a\0b'), invalidInput(/NUL/));
  });

  test('environment first, then program and arguments', () => {
    const line = shellCommandLine(
      { command: '/Applications/MCP Keyring.app/Contents/MacOS/MCP Keyring', args: ['/Applications/MCP Keyring.app/Contents/Resources/cli.mjs', 'headers', 'github'], env: { ELECTRON_RUN_AS_NODE: '1', MCP_KEYRING_HOME: "/Users/o'neil/kr" } },
      'darwin',
    );
    assert.equal(
      line,
      "ELECTRON_RUN_AS_NODE=1 MCP_KEYRING_HOME='/Users/o'\\''neil/kr' '/Applications/MCP Keyring.app/Contents/MacOS/MCP Keyring' '/Applications/MCP Keyring.app/Contents/Resources/cli.mjs' headers github",
    );
    // A program path with "=" must not read as another assignment.
    assert.equal(shellCommandLine({ command: '/opt/a=b/node', args: [] }, 'linux'), "'/opt/a=b/node'");
    assert.throws(() => shellCommandLine({ command: '/bin/x', args: [], env: { 'BAD NAME': '1' } }, 'linux'), invalidInput(/not a valid environment variable name/));
  });
});

describe('Windows cmd.exe', () => {
  test('arguments in double quotes, backslashes before the closing quote doubled', () => {
    assert.equal(cmdQuote('headers'), 'headers');
    assert.equal(cmdQuote('C:\\Program Files\\MCP Keyring\\MCP Keyring.exe'), '"C:\\Program Files\\MCP Keyring\\MCP Keyring.exe"');
    assert.equal(cmdQuote('C:\\dir with space\\'), '"C:\\dir with space\\\\"');
    assert.equal(cmdQuote('a&b|c<d>e^f'), '"a&b|c<d>e^f"');
    assert.equal(cmdQuote(''), '""');
  });

  test('refuses what cannot be quoted safely: double quotes, %, control characters', () => {
    assert.throws(() => cmdQuote('say "hi"'), invalidInput(/Windows command line/));
    assert.throws(() => cmdQuote('C:\\100%\\x'), invalidInput(/Windows command line/));
    assert.throws(() => cmdQuote('a\r\nb'), invalidInput(/Windows command line/));
    assert.throws(() => shellCommandLine({ command: 'C:\\x.exe', args: [], env: { A: '%PATH%' } }, 'win32'), invalidInput(/Windows command line/));
  });

  test('environment through `set "NAME=value" &&`, then the program', () => {
    const line = shellCommandLine(
      {
        command: 'C:\\Users\\Ann\\AppData\\Local\\Programs\\MCP Keyring\\MCP Keyring.exe',
        args: ['C:\\Users\\Ann\\AppData\\Local\\Programs\\MCP Keyring\\resources\\cli.mjs', 'headers', 'github'],
        env: { ELECTRON_RUN_AS_NODE: '1', MCP_KEYRING_KEYTAR: 'C:\\Program Files (x86)\\R&D\\keytar' },
      },
      'win32',
    );
    assert.equal(
      line,
      'set "ELECTRON_RUN_AS_NODE=1" && set "MCP_KEYRING_KEYTAR=C:\\Program Files (x86)\\R&D\\keytar" && "C:\\Users\\Ann\\AppData\\Local\\Programs\\MCP Keyring\\MCP Keyring.exe" "C:\\Users\\Ann\\AppData\\Local\\Programs\\MCP Keyring\\resources\\cli.mjs" headers github',
    );
    assert.equal(shellCommandLine({ command: 'C:\\node\\node.exe', args: ['C:\\repo\\dist\\cli.mjs', 'headers', 'a'] }, 'win32'), '"C:\\node\\node.exe" "C:\\repo\\dist\\cli.mjs" headers a');
  });
});

describe('the CLI command of this install', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "mcp-keyring cli 'quote' $HOME "));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('packaged: the app executable as Node runs resources/cli.mjs with the unpacked keytar', () => {
    const host = {
      packaged: true,
      execPath: '/Applications/MCP Keyring.app/Contents/MacOS/MCP Keyring',
      resourcesPath: '/Applications/MCP Keyring.app/Contents/Resources',
      root: '/Applications/MCP Keyring.app/Contents/Resources/app.asar',
      env: { MCP_KEYRING_SERVICE: 'alt', HOME: '/Users/u', OTHER: 'x' },
      platform: 'darwin' as const,
    };
    assert.deepEqual(appCliSpec(['headers', 'github'], host), {
      command: '/Applications/MCP Keyring.app/Contents/MacOS/MCP Keyring',
      args: ['/Applications/MCP Keyring.app/Contents/Resources/cli.mjs', 'headers', 'github'],
      env: {
        ELECTRON_RUN_AS_NODE: '1',
        MCP_KEYRING_SERVICE: 'alt',
        MCP_KEYRING_KEYTAR: '/Applications/MCP Keyring.app/Contents/Resources/app.asar.unpacked/node_modules/keytar',
      },
    });
    assert.equal(
      appCliCommand(['headers', 'github'], host),
      "ELECTRON_RUN_AS_NODE=1 MCP_KEYRING_SERVICE=alt MCP_KEYRING_KEYTAR='/Applications/MCP Keyring.app/Contents/Resources/app.asar.unpacked/node_modules/keytar' '/Applications/MCP Keyring.app/Contents/MacOS/MCP Keyring' '/Applications/MCP Keyring.app/Contents/Resources/cli.mjs' headers github",
    );
  });

  test('development: absolute node from PATH runs dist/cli.mjs; without node, Electron as Node', async () => {
    const bin = path.join(dir, 'bin');
    await fs.mkdir(bin, { recursive: true });
    const node = path.join(bin, 'node');
    await fs.writeFile(node, '#!/bin/sh\n', { mode: 0o755 });
    const host = { packaged: false, execPath: '/repo/node_modules/electron/dist/electron', resourcesPath: '/unused', root: '/repo', platform: 'linux' as const };
    assert.deepEqual(appCliSpec(['headers', 'a'], { ...host, env: { PATH: bin } }), { command: node, args: ['/repo/dist/cli.mjs', 'headers', 'a'] });
    assert.deepEqual(appCliSpec(['headers', 'a'], { ...host, env: { PATH: '/nonexistent', MCP_KEYRING_HOME: '/tmp/kr' } }), {
      command: '/repo/node_modules/electron/dist/electron',
      args: ['/repo/dist/cli.mjs', 'headers', 'a'],
      env: { ELECTRON_RUN_AS_NODE: '1', MCP_KEYRING_HOME: '/tmp/kr' },
    });
  });

  test('a real sh runs the line with every word intact, whatever the paths hold', { skip: process.platform === 'win32' }, async () => {
    // A fake app root under a directory with spaces, quotes and $: dist/cli.mjs prints what it got.
    const root = path.join(dir, "app root 'x' $(id) `y`");
    await fs.mkdir(path.join(root, 'dist'), { recursive: true });
    await fs.writeFile(path.join(root, 'dist', 'cli.mjs'), 'process.stdout.write(JSON.stringify({ argv: process.argv.slice(2), home: process.env.MCP_KEYRING_HOME, service: process.env.MCP_KEYRING_SERVICE }));\n');
    const home = path.join(dir, "profile 'p' $HOME");
    const line = appCliCommand(['headers', 'srv'], {
      packaged: false,
      execPath: process.execPath,
      resourcesPath: '/unused',
      root,
      env: { PATH: path.dirname(process.execPath), MCP_KEYRING_HOME: home, MCP_KEYRING_SERVICE: 'svc; rm -rf /' },
      platform: process.platform,
    });
    const out = execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    assert.deepEqual(JSON.parse(out), { argv: ['headers', 'srv'], home, service: 'svc; rm -rf /' });
  });
});
