// Packs the app with the real electron-builder and electron-builder.yml (Linux
// "dir" target) around a stand-in Electron distribution — the real binary cannot
// be downloaded here — and checks what a user would get: the asar holds the built
// app, the icons and keytar only; keytar is unpacked; the bridge and CLI scripts sit in
// resources/; the fuses are flipped as configured. The stand-in is a file carrying
// Electron's fuse wire (sentinel, version, length, one byte per fuse), which is all
// @electron/fuses reads and writes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../helpers/keyring-env';

const require = createRequire(import.meta.url);
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Fuse order of FuseV1Options: RunAsNode, EnableCookieEncryption, EnableNodeOptionsEnvironmentVariable,
// EnableNodeCliInspectArguments, EnableEmbeddedAsarIntegrityValidation, OnlyLoadAppFromAsar,
// LoadBrowserProcessSpecificV8Snapshot, GrantFileProtocolExtraPrivileges. Start opposite to the config.
const INITIAL_WIRE = '00110001';

const built = ['dist/app/main.cjs', 'dist/app/preload.cjs', 'dist/renderer/index.html', 'dist/bridge.cjs', 'dist/bridge-bundle.cjs', 'dist/cli.mjs', 'dist/cli-main.mjs'].every((f) => fs.existsSync(path.join(repoRoot, f)));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-keyring-pack-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

test('electron-builder packs exactly the app, keytar unpacked, resources and fuses', { skip: process.platform === 'win32' ? 'POSIX paths and modes' : !built && 'run `npm run build` first' }, async () => {
  const electronDist = path.join(work, 'electron-dist');
  fs.mkdirSync(path.join(electronDist, 'resources'), { recursive: true });
  fs.writeFileSync(path.join(electronDist, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n'), Buffer.from(SENTINEL), Buffer.from([1, INITIAL_WIRE.length]), Buffer.from(INITIAL_WIRE)]), { mode: 0o755 });
  fs.writeFileSync(path.join(electronDist, 'version'), '45.4.1');
  const output = path.join(work, 'release');

  const result = await run(
    process.execPath,
    [require.resolve('electron-builder/cli.js'), '--config', 'electron-builder.yml', '--linux', 'dir', `-c.electronDist=${electronDist}`, '-c.npmRebuild=false', `-c.directories.output=${output}`],
    { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
  );
  assert.equal(result.code, 0, result.output);

  const app = path.join(output, 'linux-unpacked');
  const resources = path.join(app, 'resources');
  const asar = require('@electron/asar') as { listPackage(archive: string, options: { isPack: boolean }): string[] };
  const listed = asar.listPackage(path.join(resources, 'app.asar'), { isPack: false }).map((f) => f.split(path.sep).join('/'));
  const filesOnly = listed.filter((f) => path.extname(f) !== '' || f.endsWith('LICENSE'));
  for (const file of [
    '/package.json',
    '/dist/app/main.cjs',
    '/dist/app/preload.cjs',
    '/dist/renderer/index.html',
    '/dist/renderer/app.js',
    '/main/app/icons/tray-ok.png',
    '/main/app/icons/tray-ok@2x.png',
    '/main/app/icons/tray-no-servers.png',
    '/main/app/icons/tray-attention.png',
    '/main/app/icons/tray-needs-sign-in.png',
    '/main/app/icons/app.png',
    '/node_modules/keytar/package.json',
    '/node_modules/keytar/lib/keytar.js',
  ]) {
    assert.ok(listed.includes(file), `${file} is in app.asar`);
  }
  // Everything else is bundled into dist/: no other dependency, no sources, no maps.
  const modules = new Set(listed.filter((f) => f.startsWith('/node_modules/')).map((f) => f.split('/')[2]));
  assert.deepEqual([...modules], ['keytar']);
  assert.deepEqual(filesOnly.filter((f) => f.endsWith('.map') || f.endsWith('.ts') || f.startsWith('/test/') || f.startsWith('/renderer/')), []);

  // keytar's binary is a real file beside the asar, where main.cjs and the bridge load it.
  assert.ok(fs.statSync(path.join(resources, 'app.asar.unpacked', 'node_modules', 'keytar', 'build', 'Release', 'keytar.node')).isFile());
  assert.ok(fs.statSync(path.join(resources, 'app.asar.unpacked', 'node_modules', 'keytar', 'package.json')).isFile());
  for (const script of ['bridge.cjs', 'bridge-bundle.cjs', 'bridge.mjs', 'cli.mjs', 'cli-main.mjs']) {
    assert.equal(fs.readFileSync(path.join(resources, script), 'utf8'), fs.readFileSync(path.join(repoRoot, 'dist', script), 'utf8'), script);
  }

  const binary = fs.readFileSync(path.join(app, 'mcp-keyring'));
  const at = binary.indexOf(SENTINEL) + SENTINEL.length;
  const wire = binary.subarray(at + 2, at + 2 + binary[at + 1]!).toString('latin1');
  assert.equal(wire, '11001101', 'runAsNode on, cookie encryption on, NODE_OPTIONS off, --inspect off, asar integrity on, asar only on, snapshot as was, file:// privileges as was');
});
