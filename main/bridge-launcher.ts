// dist/bridge.cjs: the stdio bridge's one entry, whichever way it was started
// (the written client configs, `mcp-keyring bridge`, `npx mcp-keyring bridge`,
// `node dist/cli.mjs bridge`, the packaged app as Node). CommonJS on purpose: an
// ES module entry costs Node's ESM loader, and only a script can use V8's code
// cache on Node 20. In order: start the keychain read (it runs on a worker thread
// while the rest happens), set the bridge's V8 flags, load the bridge bundle from
// the code cache, run it, and save the cache once start-up is over.
import path from 'node:path';
import type { startBridge as StartBridge } from './bridge';
import { bridgeServerId } from './core/bridge/bridge-start';
import { loadWithCodeCache } from './core/bridge/code-cache';
import { useLeanV8 } from './core/bridge/lean-v8';
import { codeCacheDir } from './core/paths';
import { secretNames } from './core/vault/secrets';
import { KeychainVault } from './core/vault/vault';

/** The bundle's SHA-256, written in by scripts/build.mjs. */
declare const BRIDGE_BUNDLE_SHA256: string;

const id = bridgeServerId(process.argv.slice(2));
if (!id) {
  process.stderr.write('usage: mcp-keyring bridge <server-id>\n');
  process.exit(2);
}
const vault = new KeychainVault();
vault.prefetch(secretNames.accessToken(id));
// Before the bundle is compiled, so that its code cache is made and used under the same V8 flags.
useLeanV8();
const bundle = loadWithCodeCache(path.join(__dirname, 'bridge-bundle.cjs'), BRIDGE_BUNDLE_SHA256, codeCacheDir());
(bundle.exports.startBridge as typeof StartBridge)({ id, vault, afterStartUp: () => bundle.saveCache() });
