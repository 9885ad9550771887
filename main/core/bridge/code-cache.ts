// Loads a CommonJS bundle through V8's code cache, so that a process started
// again and again (the stdio bridge: every MCP client start) does not parse and
// compile the same half-megabyte of JavaScript each time. Node 20 has no compile
// cache of its own (module.enableCompileCache() arrived in Node 22.1), so this is
// what Node's CommonJS loader does, plus vm.Script's cachedData.
//
// The cache file's name carries the bundle's content hash (computed at build time:
// hashing half a megabyte costs more at start-up than it saves), Node's and V8's
// versions and the process's V8 options. V8 itself only checks the source's length
// and its flags, so a rebuilt bundle of the same length must never meet an old
// cache. The cache is an optimisation: an unreadable, stale or rejected cache just
// means compiling as usual, and a failed write is ignored.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

export type CodeCacheState = 'used' | 'rejected' | 'missing' | 'off';

export interface CachedModule {
  exports: Record<string, unknown>;
  /** What happened to the cache when the bundle was compiled. */
  readonly cache: CodeCacheState;
  /**
   * Writes the cache when there was none or V8 rejected it. Call it after start-up:
   * the cache then also holds every function compiled so far, not just the top level.
   */
  saveCache(): void;
}

/**
 * Runs the CommonJS `file` (whose content hash is `sourceHash`) like `require`, compiled from the
 * cache in `cacheDir` when there is a usable one; no cacheDir: no cache.
 */
export function loadWithCodeCache(file: string, sourceHash: string, cacheDir: string | undefined): CachedModule {
  const source = fs.readFileSync(file, 'utf8');
  const cacheFile = cacheDir ? path.join(cacheDir, `${path.basename(file)}-${cacheKey(sourceHash)}.v8cache`) : undefined;
  const cachedData = cacheFile ? readIfPresent(cacheFile) : undefined;
  // The CommonJS wrapper on a line of its own (lineOffset -1), so stack traces keep the bundle's line numbers.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
    filename: file,
    lineOffset: -1,
    ...(cachedData ? { cachedData } : {}),
  });
  const cache: CodeCacheState = !cacheFile ? 'off' : !cachedData ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used';
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  let saved = cache === 'used' || cache === 'off';
  return {
    get exports() {
      return module.exports;
    },
    cache,
    saveCache() {
      if (saved || !cacheFile) return;
      saved = true;
      writeCache(cacheFile, script.createCachedData());
    },
  };
}

/** 32 hex characters that change with the bundle, the runtime and its V8 options. */
function cacheKey(sourceHash: string): string {
  const runtime = [sourceHash, process.version, process.versions.v8, process.versions.electron ?? '', process.arch, process.execArgv.join(' ')].join('\0');
  // FNV-1a, twice with different offsets: a file name, not a security boundary (V8 checks length and flags too).
  return fnv1a(runtime, 0x811c9dc5) + fnv1a(runtime, 0x01000193) + sourceHash.slice(0, 16);
}

function fnv1a(text: string, seed: number): string {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Best effort: a private directory, a new temporary file, then an atomic rename; old caches of other builds go. */
function writeCache(file: string, data: Buffer): void {
  const dir = path.dirname(file);
  // A name of this process's own, created exclusively ('wx'): a clash just skips the write.
  const temp = `${file}.${process.pid}-${Date.now()}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(temp, data, { mode: 0o600, flag: 'wx' });
    fs.renameSync(temp, file);
  } catch {
    fs.rmSync(temp, { force: true });
    return;
  }
  const prefix = path.basename(file).replace(/-[0-9a-f]{32}\.v8cache$/, '-');
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(prefix) && name !== path.basename(file) && !name.endsWith('.tmp')) fs.rmSync(path.join(dir, name), { force: true });
  }
}
