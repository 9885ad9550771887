// The bridge's V8 code cache: what is compiled from it, what is written, and that a
// missing, stale, foreign or broken cache only ever means compiling as usual.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { loadWithCodeCache } from '../../../../main/core/bridge/code-cache';
import { codeCacheDir } from '../../../../main/core/paths';

function fixture(source: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'code-cache-'));
  const file = path.join(dir, 'bundle.cjs');
  fs.writeFileSync(file, source);
  return { dir, file, cacheDir: path.join(dir, 'cache'), [Symbol.dispose]: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

// A module with some functions to compile lazily, CommonJS arguments it relies on, and a stack trace to check line numbers.
const SOURCE = [
  "const path = require('node:path');",
  'function square(n) { return n * n; }',
  'exports.sum = (list) => list.map(square).reduce((a, b) => a + b, 0);',
  'exports.where = () => path.basename(__filename) + " " + path.basename(__dirname);',
  'exports.line = () => new Error("here").stack.split("\\n")[1];',
].join('\n');

test('first run compiles and saves the cache after start-up; the next run uses it', () => {
  using f = fixture(SOURCE);
  const first = loadWithCodeCache(f.file, 'a'.repeat(64), f.cacheDir);
  assert.equal(first.cache, 'missing');
  assert.equal((first.exports.sum as (l: number[]) => number)([1, 2, 3]), 14);
  assert.equal((first.exports.where as () => string)(), `bundle.cjs ${path.basename(f.dir)}`);
  assert.match((first.exports.line as () => string)(), /bundle\.cjs:5:/, 'stack traces keep the file and its line numbers');
  assert.equal(fs.existsSync(f.cacheDir), false, 'nothing is written before saveCache()');
  first.saveCache();
  const files = fs.readdirSync(f.cacheDir);
  assert.equal(files.length, 1);
  assert.match(files[0]!, /^bundle\.cjs-[0-9a-f]{16}-[0-9a-f]{16}\.v8cache$/);
  if (process.platform !== 'win32') {
    assert.equal(fs.statSync(f.cacheDir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(f.cacheDir, files[0]!)).mode & 0o777, 0o600);
  }

  const second = loadWithCodeCache(f.file, 'a'.repeat(64), f.cacheDir);
  assert.equal(second.cache, 'used');
  assert.equal((second.exports.sum as (l: number[]) => number)([4]), 16);
  second.saveCache(); // a used cache is not rewritten
  assert.deepEqual(fs.readdirSync(f.cacheDir), files);
});

test('a new build (another hash) gets its own cache and the old one goes', () => {
  using f = fixture(SOURCE);
  loadWithCodeCache(f.file, 'a'.repeat(64), f.cacheDir).saveCache();
  const [old] = fs.readdirSync(f.cacheDir);
  // Same length, other content: V8 alone would accept the old cache (it checks the length); the hash in the name keeps them apart.
  fs.writeFileSync(f.file, SOURCE.replace('n * n', 'n + n'));
  // A cache of the same build for another runtime (another Node, other V8 options) is left alone.
  const otherRuntime = old!.replace(/-[0-9a-f]{16}\.v8cache$/, '-0123456789abcdef.v8cache');
  fs.copyFileSync(path.join(f.cacheDir, old!), path.join(f.cacheDir, otherRuntime));
  const again = loadWithCodeCache(f.file, 'a'.repeat(64), f.cacheDir);
  assert.equal(again.cache, 'used');
  const rebuilt = loadWithCodeCache(f.file, 'b'.repeat(64), f.cacheDir);
  assert.equal(rebuilt.cache, 'missing');
  assert.equal((rebuilt.exports.sum as (l: number[]) => number)([1, 2, 3]), 12, 'the new code runs, not the cached old one');
  rebuilt.saveCache();
  const now = fs.readdirSync(f.cacheDir);
  assert.equal(now.length, 1, 'both caches of the old build went');
  assert.notEqual(now[0], old);
});

test('a damaged, truncated or foreign cache file is not handed to V8: the code compiles from source and a good cache replaces it', () => {
  using f = fixture(SOURCE);
  loadWithCodeCache(f.file, 'c'.repeat(64), f.cacheDir).saveCache();
  const [name] = fs.readdirSync(f.cacheDir);
  const cacheFile = path.join(f.cacheDir, name!);
  const good = fs.readFileSync(cacheFile);
  const flipped = Buffer.from(good);
  flipped[flipped.length - 10]! ^= 0xff;
  for (const [what, bytes] of [
    ['garbage', Buffer.alloc(4096, 0x5a)],
    ['truncated', good.subarray(0, good.length - 20)],
    ['one byte changed', flipped],
    ['empty', Buffer.alloc(0)],
  ] as const) {
    fs.writeFileSync(cacheFile, bytes);
    const loaded = loadWithCodeCache(f.file, 'c'.repeat(64), f.cacheDir);
    assert.equal(loaded.cache, 'rejected', what);
    assert.equal((loaded.exports.sum as (l: number[]) => number)([2, 2]), 8, what);
    loaded.saveCache();
    assert.equal(loadWithCodeCache(f.file, 'c'.repeat(64), f.cacheDir).cache, 'used', what);
  }
});

test('no cache folder, or one that cannot be written: the module still loads and saveCache() does not throw', () => {
  using f = fixture(SOURCE);
  const off = loadWithCodeCache(f.file, 'd'.repeat(64), undefined);
  assert.equal(off.cache, 'off');
  assert.equal((off.exports.sum as (l: number[]) => number)([3]), 9);
  off.saveCache();
  // A file where the folder should be: mkdir fails.
  const blocked = path.join(f.dir, 'blocked');
  fs.writeFileSync(blocked, '');
  const loaded = loadWithCodeCache(f.file, 'd'.repeat(64), blocked);
  assert.equal(loaded.cache, 'missing');
  assert.doesNotThrow(() => loaded.saveCache());
  assert.equal(fs.readFileSync(blocked, 'utf8'), '');
});

test('a cache folder that others can write to is neither read nor written', { skip: process.platform === 'win32' && 'POSIX modes' }, () => {
  using f = fixture(SOURCE);
  loadWithCodeCache(f.file, 'e'.repeat(64), f.cacheDir).saveCache();
  const [name] = fs.readdirSync(f.cacheDir);
  fs.chmodSync(f.cacheDir, 0o777);
  const loaded = loadWithCodeCache(f.file, 'e'.repeat(64), f.cacheDir);
  assert.equal(loaded.cache, 'missing', 'a planted cache would be code run by the bridge');
  assert.equal((loaded.exports.sum as (l: number[]) => number)([5]), 25);
  fs.rmSync(path.join(f.cacheDir, name!));
  loaded.saveCache();
  assert.deepEqual(fs.readdirSync(f.cacheDir), [], 'nothing written there either');
});

test('the cache lives in the per-user cache folder, or in the profile when MCP_KEYRING_HOME is set', () => {
  assert.equal(codeCacheDir({ MCP_KEYRING_HOME: '/p/kr' }, 'linux', '/home/a'), path.resolve('/p/kr', 'cache'));
  assert.equal(codeCacheDir({}, 'linux', '/home/a'), path.join('/home/a', '.cache', 'mcp-keyring'));
  assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/a'), path.join('/xdg', 'mcp-keyring'));
  assert.equal(codeCacheDir({}, 'darwin', '/Users/a'), path.join('/Users/a', 'Library', 'Caches', 'MCP Keyring'));
  assert.equal(codeCacheDir({ LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' }, 'win32', 'C:\\Users\\a'), path.join('C:\\Users\\a\\AppData\\Local', 'MCP Keyring', 'Cache'));
});
