// Issue 10 asks to measure Electron's net.fetch (which honours the system's proxy and
// PAC settings) against the core's node:http fetch before the app chooses one. This
// runs both inside the real Electron on the same loopback server and prints the
// figures (p50/p99 per request, RSS growth per block) in the test log; it asserts that
// both fetches delivered every answer intact. Skips, with the reason, where the
// Electron binary is missing (as here); CI runs it on Linux, macOS and Windows.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { repoRoot } from '../helpers/keyring-env';
import { electronToRun } from './electron-binary';

interface Figures {
  calls: number;
  ok: number;
  p50: number;
  p99: number;
  rssGrowthMb: number[];
}

test('Electron net.fetch against the node:http fetch, in the real Electron (figures in the log)', async (t) => {
  const binary = electronToRun();
  if ('skip' in binary) {
    t.skip(binary.skip);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-keyring-fetch-compare-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const script = path.join(dir, 'main.cjs');
  await build({
    entryPoints: [path.join(repoRoot, 'test', 'electron', 'fetch-compare', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['electron'],
    outfile: script,
    logLevel: 'warning',
  });
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // Electron proper: net.fetch exists only there
  // No web page is loaded, so Chromium's sandbox has nothing to guard; CI runners may not allow it on Linux.
  const child = spawn(binary.path, [...(process.platform === 'linux' ? ['--no-sandbox'] : []), script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  assert.ok(line, `no result line (stdout: ${stdout}, stderr: ${stderr})`);
  const { electron, results } = JSON.parse(line) as { electron: string; results: Record<string, Figures> };
  assert.deepEqual(Object.keys(results).sort(), ['Electron net.fetch', 'node:http (createNodeFetch)']);
  for (const [name, figures] of Object.entries(results)) {
    assert.equal(figures.ok, figures.calls, `${name}: every answer arrived intact`);
    t.diagnostic(`${name} (Electron ${electron}, ${process.platform}): p50 ${figures.p50.toFixed(3)} ms, p99 ${figures.p99.toFixed(3)} ms over ${figures.calls} requests; RSS growth per block ${figures.rssGrowthMb.map((m) => m.toFixed(1)).join(' / ')} MB`);
  }
});
