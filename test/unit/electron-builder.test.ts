// electron-builder.yml: parsed with the js-yaml electron-builder itself uses, and
// validated by electron-builder's own validateConfiguration (its JSON schema), so a
// misspelt key fails here instead of at packaging time.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/keyring-env';

const require = createRequire(import.meta.url);
const configFile = path.join(repoRoot, 'electron-builder.yml');

function loadYaml(): { load(text: string): unknown } | undefined {
  try {
    return require('js-yaml') as { load(text: string): unknown };
  } catch {
    return undefined;
  }
}

type Config = Record<string, any>;
const yaml = loadYaml();
const config = yaml ? (yaml.load(fs.readFileSync(configFile, 'utf8')) as Config) : undefined;

test('electron-builder.yml passes electron-builder 26 validation', { skip: !config && 'js-yaml is not installed' }, async () => {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
    validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(key: string, value: unknown): void }): Promise<void>;
  };
  await validateConfiguration(structuredClone(config), { isEnabled: false, add: () => undefined });
  // And a wrong key is caught by the same check (so the check above means something).
  await assert.rejects(validateConfiguration({ ...structuredClone(config), electronFuses: { runAsNod: true } }, { isEnabled: false, add: () => undefined }), /electronFuses/);
});

test('identity, fuses, keytar unpacked, bridge and CLI as resources', { skip: !config && 'js-yaml is not installed' }, () => {
  const c = config!;
  assert.equal(c.appId, 'dev.mcpkeyring.app');
  assert.equal(c.productName, 'MCP Keyring');
  assert.deepEqual(c.electronFuses, {
    runAsNode: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    enableCookieEncryption: true,
  });
  assert.equal(c.asar, true);
  assert.deepEqual(c.asarUnpack, ['node_modules/keytar/**']);
  assert.ok(c.files.includes('node_modules/keytar/**'));
  for (const pattern of ['dist/app/**', 'dist/renderer/**', 'package.json']) assert.ok(c.files.includes(pattern), pattern);
  assert.deepEqual(c.extraResources, [
    { from: 'dist/bridge.cjs', to: 'bridge.cjs' },
    { from: 'dist/bridge-bundle.cjs', to: 'bridge-bundle.cjs' },
    { from: 'dist/bridge.mjs', to: 'bridge.mjs' },
    { from: 'dist/cli.mjs', to: 'cli.mjs' },
    { from: 'dist/cli-main.mjs', to: 'cli-main.mjs' },
  ]);
  // The packaged app's bridge launch (main/app/app-layout.ts) expects exactly these names.
  const layout = fs.readFileSync(path.join(repoRoot, 'main', 'app', 'app-layout.ts'), 'utf8');
  assert.match(layout, /'bridge\.cjs'/);
  assert.match(layout, /'app\.asar\.unpacked', 'node_modules', 'keytar'/);
});

test('platform targets: dmg+zip, nsis, AppImage+deb needing libsecret', { skip: !config && 'js-yaml is not installed' }, () => {
  const c = config!;
  assert.deepEqual(c.mac.target, ['dmg', 'zip']);
  assert.equal(c.mac.category, 'public.app-category.developer-tools');
  assert.equal(c.win.target, 'nsis');
  assert.deepEqual(c.linux.target, ['AppImage', 'deb']);
  assert.equal(c.linux.category, 'Development');
  assert.ok(c.deb.depends.includes('libsecret-1-0'));
  // Icons exist where the config and the app look for them.
  for (const icon of [c.mac.icon, c.win.icon, c.linux.icon]) assert.ok(fs.existsSync(path.join(repoRoot, icon)), icon);
  for (const file of ['tray-ok.png', 'tray-ok@2x.png', 'tray-no-servers.png', 'tray-attention.png', 'tray-needs-sign-in.png']) {
    assert.ok(fs.existsSync(path.join(repoRoot, 'main', 'app', 'icons', file)), file);
  }
  // The output directory is not dist/, which holds the build that goes into the package.
  assert.notEqual(c.directories.output, 'dist');
});
