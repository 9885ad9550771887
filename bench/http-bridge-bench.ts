// The local HTTP bridge side by side with a direct SDK client, against the same
// local MCP server with the same token:
//   - 1,000 sequential echo calls each (after 100 warm-up), p50/p99 and the p50 the bridge adds;
//     direct and bridge calls alternate in blocks of 100, so machine noise hits both alike;
//   - 4 concurrent clients × 250 echo calls each: throughput and p50/p99 per call.
// The bridge runs in its own process, bundled the way `mcp-keyring serve` ships
// (esbuild, one file), as a client would meet it; the clients run in a process of
// their own (bench/http-clients.mjs), apart from the MCP server, so the direct
// client does not share its event loop with the server it measures. A third row, a minimal node:http
// pipe proxy in its own process (no checks, no keychain, the client's token passed
// through), shows what one extra local HTTP hop costs on this machine by itself.
// Prints a markdown table.
//
//   node scripts/build.mjs && CI=1 scripts/with-keyring.sh node --import tsx bench/http-bridge-bench.ts
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { secretNames } from '../main/core/vault/secrets';
import { startAuthServer } from '../test/helpers/auth-server';
import { cliPath, createKeyringEnv, repoRoot } from '../test/helpers/keyring-env';
import { startMcpServer } from '../test/helpers/mcp-server';
import { completeLogin } from '../test/helpers/user-agent';
import { freePort } from '../test/helpers/free-port';

const CALLS = 1000;
const WARMUP = 100;
const BLOCK = 100;
const CONCURRENT_CLIENTS = 4;
const CALLS_PER_CLIENT = 250;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

/** Peak RSS (VmHWM) of a live process, in MB. */
function peakRssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return kb / 1024;
  } catch {
    return undefined;
  }
}

/** The bridge as users run it: `mcp-keyring serve` from the built CLI, in its own process. */
async function startBridgeProcess(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [cliPath, 'serve', '--port', String(port)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
      if (err.includes('listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`mcp-keyring serve exited (${code}): ${err}`)));
  });
  return { child, port };
}

/** The floor: the least a reverse proxy in another process can do (forward the MCP headers and body, pipe the answer back). */
async function startFloorProxy(target: string): Promise<{ child: ChildProcess; url: string }> {
  const url = new URL(target);
  const source = `
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true });
    const names = ['content-type', 'accept', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id', 'authorization'];
    const server = http.createServer((req, res) => {
      const headers = {};
      for (const name of names) if (req.headers[name]) headers[name] = req.headers[name];
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (body.length) headers['content-length'] = body.length;
        const upstream = http.request({ host: '127.0.0.1', port: ${url.port}, path: ${JSON.stringify(url.pathname)}, method: req.method, headers, agent }, (answer) => {
          const out = {};
          for (const name of ['content-type', 'mcp-session-id', 'cache-control']) if (answer.headers[name]) out[name] = answer.headers[name];
          res.writeHead(answer.statusCode, out);
          res.flushHeaders();
          answer.pipe(res);
        });
        res.on('close', () => { if (!res.writableFinished) upstream.destroy(); });
        upstream.end(body);
      });
    });
    server.listen(0, '127.0.0.1', () => console.log('ready ' + server.address().port));`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(/ready (\d+)/.exec(chunk.toString('utf8'))?.[1])));
    child.once('exit', (code) => reject(new Error(`the floor proxy exited (${code})`)));
  });
  return { child, url: `http://127.0.0.1:${port}${url.pathname}` };
}

interface Contender {
  name: string;
  url: string;
  bearer: string;
  pid?: number | undefined;
}

interface Concurrent {
  throughput: number;
  p50: number;
  p99: number;
}

interface ClientResult {
  sequential: number[];
  concurrent: { seconds: number; latencies: number[] };
}

/** Runs all the clients in one process of their own (bench/http-clients.mjs). */
function runClients(contenders: Contender[]): Promise<ClientResult[]> {
  const job = { contenders: contenders.map(({ url, bearer }) => ({ url, bearer })), calls: CALLS, warmup: WARMUP, block: BLOCK, clients: CONCURRENT_CLIENTS, callsPerClient: CALLS_PER_CLIENT };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bench', 'http-clients.mjs'), JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ClientResult[]) : reject(new Error(`the client process exited with ${code}`))));
  });
}

async function main() {
  const as = await startAuthServer({ accessTokenTTL: 3600 });
  const mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  const profile = await createKeyringEnv('http-bench');
  const children: ChildProcess[] = [];
  try {
    const server = await profile.keyring.add({ url: mcp.url, name: 'bench' });
    await profile.keyring.connect(server.id, { openBrowser: (url) => completeLogin(url).then(() => undefined), timeoutMs: 30_000 });
    const token = (await profile.keyring.vault.get(secretNames.accessToken(server.id)))!;
    const bridge = await startBridgeProcess(profile.env);
    children.push(bridge.child);
    const floor = await startFloorProxy(mcp.url);
    children.push(floor.child);
    const secret = (await profile.keyring.vault.get(secretNames.httpBridgeSecret()))!;

    const contenders: Contender[] = [
      { name: 'direct SDK client', url: mcp.url, bearer: token },
      { name: 'minimal pipe proxy (floor of one extra hop)', url: floor.url, bearer: token },
      { name: 'mcp-keyring HTTP bridge', url: `http://127.0.0.1:${bridge.port}/servers/${server.id}/mcp`, bearer: secret, pid: bridge.child.pid },
    ];

    const results = await runClients(contenders);
    const rows = contenders.map((contender, i) => {
      const { sequential, concurrent } = results[i]!;
      return {
        contender,
        p50: percentile(sequential, 50),
        p99: percentile(sequential, 99),
        concurrent: { throughput: concurrent.latencies.length / concurrent.seconds, p50: percentile(concurrent.latencies, 50), p99: percentile(concurrent.latencies, 99) } as Concurrent,
      };
    });

    const f = (n: number, digits = 3) => n.toFixed(digits);
    const direct = rows[0]!;
    const lines = [
      `| contender | ${CALLS} sequential echo: p50 | p99 | added p50 vs direct | ${CONCURRENT_CLIENTS}×${CALLS_PER_CLIENT} concurrent: calls/s | p50 | p99 | peak RSS |`,
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map((r) => {
        const rss = peakRssMb(r.contender.pid);
        return `| ${r.contender.name} | ${f(r.p50)} ms | ${f(r.p99)} ms | ${r === direct ? '-' : `${f(r.p50 - direct.p50)} ms`} | ${f(r.concurrent!.throughput, 0)} | ${f(r.concurrent!.p50)} ms | ${f(r.concurrent!.p99)} ms | ${rss ? `${rss.toFixed(1)} MB` : '-'} |`;
      }),
    ];
    console.log(
      `\nHTTP bridge: ${WARMUP} warm-up calls per client; node ${process.version}, ${os.cpus().length} CPUs; the MCP server and the authorization server run in this process, the clients in one of their own, each proxy in its own\n`,
    );
    console.log(lines.join('\n'));
    const b = rows[2]!;
    console.log(
      `\nthrough the bridge: added p50 ${f(b.p50 - direct.p50)} ms (the floor adds ${f(rows[1]!.p50 - direct.p50)} ms); concurrent throughput ${((b.concurrent!.throughput / direct.concurrent!.throughput) * 100).toFixed(0)}% of direct`,
    );
  } finally {
    for (const child of children) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await profile.cleanup();
    await mcp.close();
    await as.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
