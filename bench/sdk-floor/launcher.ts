// Launches the SDK floor (proxy.ts) as main/bridge-launcher.ts launches the bridge:
// the same V8 settings, the same code cache. The bench passes the server's URL and
// a token in the environment.
import path from 'node:path';
import { loadWithCodeCache } from '../../main/core/bridge/code-cache';
import { useLeanV8 } from '../../main/core/bridge/lean-v8';
import type { startProxy as StartProxy } from './proxy';

declare const PROXY_BUNDLE_SHA256: string;

useLeanV8();
const bundle = loadWithCodeCache(path.join(__dirname, 'proxy.cjs'), PROXY_BUNDLE_SHA256, process.env.BENCH_SDK_FLOOR_CACHE);
(bundle.exports.startProxy as typeof StartProxy)({
  url: process.env.BENCH_SDK_FLOOR_URL ?? '',
  token: process.env.BENCH_SDK_FLOOR_TOKEN ?? '',
  afterStartUp: () => bundle.saveCache(),
});
