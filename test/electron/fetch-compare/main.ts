// Run inside Electron by test/electron/net-fetch.test.ts (bundled at test time):
// Electron's net.fetch (Chromium's network stack, where the system's proxy and PAC
// settings apply) against the core's node:http fetch, on the same loopback server,
// in alternating blocks so that drift hits both. Prints one JSON line and quits.
import { app, net } from 'electron';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeFetch } from '../../../main/core/http/node-fetch';

type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<{ status: number; text(): Promise<string> }>;

const CALLS = Number(process.env.FETCH_COMPARE_CALLS ?? 300);
const BLOCKS = 3;
const answer = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'x'.repeat(2000) }] } });

async function block(fetchLike: FetchLike, url: string, calls: number): Promise<{ times: number[]; ok: number; rssGrowthMb: number }> {
  const before = process.memoryUsage().rss;
  const times: number[] = [];
  let ok = 0;
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    const response = await fetchLike(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call' }) });
    const text = await response.text();
    times.push(performance.now() - t0);
    if (response.status === 200 && text === answer) ok++;
  }
  return { times, ok, rssGrowthMb: (process.memoryUsage().rss - before) / 2 ** 20 };
}

function summary(times: number[]): { p50: number; p99: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)]!, p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]! };
}

async function main(): Promise<void> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  const contenders: Record<string, FetchLike> = {
    'node:http (createNodeFetch)': createNodeFetch() as unknown as FetchLike,
    'Electron net.fetch': (input, init) => net.fetch(input, init),
  };
  const results: Record<string, { times: number[]; ok: number; rssGrowthMb: number[] }> = {};
  for (let b = 0; b < BLOCKS; b++) {
    for (const [name, fetchLike] of Object.entries(contenders)) {
      const r = await block(fetchLike, url, Math.ceil(CALLS / BLOCKS));
      const into = (results[name] ??= { times: [], ok: 0, rssGrowthMb: [] });
      into.times.push(...r.times);
      into.ok += r.ok;
      into.rssGrowthMb.push(r.rssGrowthMb);
    }
  }
  server.close();
  const out = Object.fromEntries(Object.entries(results).map(([name, r]) => [name, { calls: r.times.length, ok: r.ok, ...summary(r.times), rssGrowthMb: r.rssGrowthMb }]));
  process.stdout.write(`${JSON.stringify({ electron: process.versions.electron, platform: process.platform, results: out })}\n`);
}

app.whenReady().then(main).then(
  () => app.quit(),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    app.exit(1);
  },
);
