// dist/bridge.cjs: the stdio bridge's one entry, whichever way it was started
// (the written client configs, `mcp-keyring bridge`, `npx mcp-keyring bridge`,
// `node dist/cli.mjs bridge`, the packaged app as Node). CommonJS on purpose: an
// ES module entry costs Node's ESM loader, and only a script can use V8's code
// cache on Node 20. It sets the bridge's V8 flags, loads the bridge bundle from
// the cache, and saves the cache once start-up is over.
import path from 'node:path';
import type { BridgeStartHooks } from './bridge';
import { loadWithCodeCache } from './core/bridge/code-cache';
import { useLeanV8 } from './core/bridge/lean-v8';
import { codeCacheDir } from './core/paths';

/** The bundle's SHA-256, written in by scripts/build.mjs. */
declare const BRIDGE_BUNDLE_SHA256: string;

// Before the bundle is compiled, so that its code cache is made and used under the same V8 flags.
useLeanV8();
const bundle = loadWithCodeCache(path.join(__dirname, 'bridge-bundle.cjs'), BRIDGE_BUNDLE_SHA256, codeCacheDir());
const startBridge = bundle.exports.startBridge as (args: readonly string[], hooks: BridgeStartHooks) => void;
startBridge(process.argv.slice(2), { afterStartUp: () => bundle.saveCache() });
