import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { appBridgeLaunch, appFiles, findOnPath, profileEnv } from '../../../main/app/app-layout';

let dir: string;
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-layout-'));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test('app files sit relative to dist/app, packaged (in the asar) or not', () => {
  const files = appFiles('/opt/MCP Keyring/resources/app.asar/dist/app');
  assert.deepEqual(files, {
    root: '/opt/MCP Keyring/resources/app.asar',
    preload: '/opt/MCP Keyring/resources/app.asar/dist/app/preload.cjs',
    rendererHtml: '/opt/MCP Keyring/resources/app.asar/dist/renderer/index.html',
    iconsDir: '/opt/MCP Keyring/resources/app.asar/main/app/icons',
  });
});

test('packaged: the app runs the bridge as Node, with the unpacked keytar', () => {
  const launch = appBridgeLaunch('github', {
    packaged: true,
    execPath: '/Applications/MCP Keyring.app/Contents/MacOS/MCP Keyring',
    resourcesPath: '/Applications/MCP Keyring.app/Contents/Resources',
    root: '/Applications/MCP Keyring.app/Contents/Resources/app.asar',
    env: { MCP_KEYRING_HOME: '/Users/u/alt-profile', HOME: '/Users/u', SECRET_THING: 'x' },
    platform: 'darwin',
  });
  assert.deepEqual(launch, {
    kind: 'stdio',
    command: '/Applications/MCP Keyring.app/Contents/MacOS/MCP Keyring',
    args: ['/Applications/MCP Keyring.app/Contents/Resources/bridge.cjs', 'github'],
    env: {
      MCP_KEYRING_HOME: '/Users/u/alt-profile',
      MCP_KEYRING_KEYTAR: '/Applications/MCP Keyring.app/Contents/Resources/app.asar.unpacked/node_modules/keytar',
      ELECTRON_RUN_AS_NODE: '1',
    },
  });
});

test('development: node from PATH runs dist/bridge.cjs; without node, Electron as Node does', async () => {
  const bin = path.join(dir, 'bin');
  await fs.mkdir(bin);
  const node = path.join(bin, 'node');
  await fs.writeFile(node, '#!/bin/sh\n', { mode: 0o755 });
  const host = { packaged: false, execPath: '/repo/node_modules/electron/dist/electron', resourcesPath: '/unused', root: '/repo', platform: 'linux' as const };
  assert.deepEqual(appBridgeLaunch('a', { ...host, env: { PATH: `relative/bin:${bin}:/nonexistent` } }), { kind: 'stdio', command: node, args: ['/repo/dist/bridge.cjs', 'a'] });
  assert.deepEqual(appBridgeLaunch('a', { ...host, env: { PATH: '/nonexistent', MCP_KEYRING_SERVICE: 'svc' } }), {
    kind: 'stdio',
    command: '/repo/node_modules/electron/dist/electron',
    args: ['/repo/dist/bridge.cjs', 'a'],
    env: { MCP_KEYRING_SERVICE: 'svc', ELECTRON_RUN_AS_NODE: '1' },
  });
});

test('findOnPath finds executables only, and profileEnv passes the profile on', async () => {
  const plain = path.join(dir, 'plain');
  await fs.mkdir(plain);
  await fs.writeFile(path.join(plain, 'node'), 'not executable', { mode: 0o644 });
  await fs.mkdir(path.join(plain, 'tool'));
  if (process.platform !== 'win32') assert.equal(findOnPath('node', { PATH: plain }, 'linux'), undefined);
  assert.equal(findOnPath('tool', { PATH: plain }, 'linux'), undefined, 'a directory is not an executable');
  assert.deepEqual(profileEnv({ MCP_KEYRING_HOME: 'rel/home', MCP_KEYRING_SERVICE: 's', PATH: '/bin' }), { MCP_KEYRING_HOME: path.resolve('rel/home'), MCP_KEYRING_SERVICE: 's' });
  assert.deepEqual(profileEnv({}), {});
});
