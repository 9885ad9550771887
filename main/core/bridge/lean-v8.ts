// V8 settings for the bridge process, a proxy that mostly waits on I/O, set at run
// time so that every way of starting the bridge gets them: the written configs,
// `mcp-keyring bridge`, `npx mcp-keyring bridge` and the packaged app (Electron
// as Node). They are what `--lite-mode` implies for memory: no optimizing or
// baseline compilers, lazy feedback vectors, size over speed; and a young
// generation that does not grow (the default grows to 16 MB semi-spaces under the
// steady churn of forwarded messages). Measured with `npm run bench`: peak RSS after
// 1,000 calls as with `--lite-mode` on the command line, but without its start-up
// cost (any V8 flag on the command line turns off Node's embedded code cache).
// Node and Electron keep V8's flags writable after start-up (no freeze-flags-after-init).
// Only flags that are safe to change while code runs: not --max-lazy, for one, which
// changes how functions already pre-parsed are parsed (V8 aborts on the mismatch).
import { createRequire } from 'node:module';
import v8 from 'node:v8';

// Measured (peak RSS after 1,100 calls / instructions per start, callgrind): all of
// them from the start 63 MB / 398 M; all once start-up is over 66.4 MB / 374 M (the
// young generation grows during start-up and stays grown); without --optimize-for-size
// 70 MB. Memory is the budget that binds, so they apply from the start.
export const LEAN_V8_FLAGS: readonly string[] = [
  '--no-turbofan',
  '--no-maglev',
  '--no-sparkplug',
  '--lazy-feedback-allocation',
  '--optimize-for-size',
  '--semi-space-growth-factor=1',
];

/**
 * The Node built-ins the bridge uses. Once a V8 flag changes, Node can no longer use
 * the code cache embedded for its own modules (V8 checks the flags it was made with),
 * so they are loaded first (measured: loading them after a flag change took ~25 ms longer).
 */
export const BRIDGE_BUILTINS: readonly string[] = ['node:http', 'node:https', 'node:zlib', 'node:crypto', 'node:fs/promises', 'node:os', 'node:stream/web', 'node:util'];

/**
 * Applies LEAN_V8_FLAGS, unless the command line asked for lite mode already, after
 * loading BRIDGE_BUILTINS; call it before the bulk of the bridge is compiled.
 */
export function useLeanV8(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.includes('--lite-mode')) return false;
  const load = createRequire(import.meta.url);
  for (const name of BRIDGE_BUILTINS) load(name);
  v8.setFlagsFromString(LEAN_V8_FLAGS.join(' '));
  return true;
}
