// V8 settings for the bridge process, a proxy that mostly waits on I/O, set at run
// time so that every way of starting the bridge gets them: the written configs,
// `mcp-keyring bridge`, `npx mcp-keyring bridge` and the packaged app (Electron
// as Node). They are what `--lite-mode` implies for memory: no optimizing or
// baseline compilers, lazy feedback vectors, size over speed; and a young
// generation that does not grow (the default grows to 16 MB semi-spaces under the
// steady churn of forwarded messages). Measured with `npm run bench`: peak RSS after
// 1,000 calls ≈ 65 MB, as with `--lite-mode` on the command line, but without its
// start-up cost (any V8 flag on the command line turns off Node's embedded code cache).
// Node and Electron keep V8's flags writable after start-up (no freeze-flags-after-init).
// Only flags that are safe to change while code runs: not --max-lazy, for one, which
// changes how functions already pre-parsed are parsed (V8 aborts on the mismatch).
import v8 from 'node:v8';

export const LEAN_V8_FLAGS: readonly string[] = [
  '--no-turbofan',
  '--no-maglev',
  '--no-sparkplug',
  '--lazy-feedback-allocation',
  '--optimize-for-size',
  '--semi-space-growth-factor=1',
];

/** Applies LEAN_V8_FLAGS, unless the command line asked for lite mode already; call it before the bulk of the bridge is compiled. */
export function useLeanV8(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.includes('--lite-mode')) return false;
  v8.setFlagsFromString(LEAN_V8_FLAGS.join(' '));
  return true;
}
