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
// means compiling as usual, and a failed write is ignored. V8 (in Node 20) does not
// report a truncated or damaged cache as rejected, so the file carries its own
// magic number and CRC-32 and a damaged one is compiled around and rewritten.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import zlib from 'node:zlib';

const MAGIC = 0x3876_6b6d; // 'mkv8' read as a little-endian uint32
const HEADER_BYTES = 8; // magic, then the CRC-32 of the V8 data

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
  // Compiled code is code: read it only from a folder no one else can write to.
  const stored = cacheFile && isPrivateOrAbsent(path.dirname(cacheFile)) ? readIfPresent(cacheFile) : undefined;
  const cachedData = stored && unwrap(stored);
  // The CommonJS wrapper on a line of its own (lineOffset -1), so stack traces keep the bundle's line numbers.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
    filename: file,
    lineOffset: -1,
    ...(cachedData ? { cachedData } : {}),
  });
  const cache: CodeCacheState = !cacheFile ? 'off' : !stored ? 'missing' : !cachedData || script.cachedDataRejected ? 'rejected' : 'used';
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  // Only a missing or rejected cache is written, once; the script is not kept otherwise.
  let toSave: vm.Script | undefined = cacheFile && (cache === 'missing' || cache === 'rejected') ? script : undefined;
  return {
    get exports() {
      return module.exports;
    },
    cache,
    saveCache() {
      if (!toSave || !cacheFile) return;
      const data = toSave.createCachedData();
      toSave = undefined;
      writeCache(cacheFile, wrap(data));
    },
  };
}

/**
 * `<build>-<runtime>`, 16 hex characters each: the bundle's hash, and one of Node's and
 * V8's versions and the process's V8 options (a config written by 0.1 passes --lite-mode,
 * and the app runs the bridge with Electron's Node: each keeps a cache of its own).
 */
function cacheKey(sourceHash: string): string {
  const runtime = [process.version, process.versions.v8, process.versions.electron ?? '', process.arch, process.execArgv.join(' ')].join('\0');
  // FNV-1a, twice with different offsets: a file name, not a security boundary (V8 checks length and flags too).
  return `${sourceHash.slice(0, 16)}-${fnv1a(runtime, 0x811c9dc5)}${fnv1a(runtime, 0x01000193)}`;
}

function fnv1a(text: string, seed: number): string {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

function wrap(data: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(zlib.crc32(data), 4);
  return Buffer.concat([header, data]);
}

/** The V8 data of a cache file, or undefined when it is not one of ours or is damaged. */
function unwrap(file: Buffer): Buffer | undefined {
  if (file.length <= HEADER_BYTES || file.readUInt32LE(0) !== MAGIC) return undefined;
  const data = file.subarray(HEADER_BYTES);
  return zlib.crc32(data) === file.readUInt32LE(4) ? data : undefined;
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Best effort: a private directory, a new temporary file, then an atomic rename; caches of other builds go. */
function writeCache(file: string, data: Buffer): void {
  const dir = path.dirname(file);
  // A name of this process's own, created exclusively ('wx'): a clash just skips the write.
  const temp = `${file}.${process.pid}-${Date.now()}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!isPrivateOrAbsent(dir)) return;
    fs.writeFileSync(temp, data, { mode: 0o600, flag: 'wx' });
    fs.renameSync(temp, file);
  } catch {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // nothing was created
    }
    return;
  }
  const [, stem, build] = CACHE_NAME.exec(path.basename(file)) ?? [];
  try {
    for (const name of fs.readdirSync(dir)) {
      const other = CACHE_NAME.exec(name);
      if (other && other[1] === stem && other[2] !== build) fs.rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // an old cache left behind costs only disk space
  }
}

const CACHE_NAME = /^(.*-)([0-9a-f]{16})-[0-9a-f]{16}\.v8cache$/;

/** POSIX: a folder of this user's that others cannot write to (or none yet: it is then made 0700). */
function isPrivateOrAbsent(dir: string): boolean {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return true;
  try {
    const stat = fs.lstatSync(dir);
    return stat.isDirectory() && stat.uid === process.getuid() && (stat.mode & 0o022) === 0;
  } catch {
    return true;
  }
}
