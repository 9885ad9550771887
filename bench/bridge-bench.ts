// `npm run bench`: the stdio bridge side by side with a direct SDK client and
// mcp-remote, against the same local MCP server with the same token.
// Prints: spawn → initialize result (median of 10), 1,000 echo calls p50/p99,
// peak RSS of the bridge process. Targets are in ../shared/DESIGN.md.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BRIDGE_NODE_FLAGS } from '../main/core/clients/launch';
import { secretNames } from '../main/core/vault/secrets';
import { startAuthServer } from '../test/helpers/auth-server';
import { bridgePath, createKeyringEnv, repoRoot } from '../test/helpers/keyring-env';
import { startMcpServer } from '../test/helpers/mcp-server';
import { completeLogin } from '../test/helpers/user-agent';

const STARTS = 10;
const CALLS = 1000;
const WARMUP = 100;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const median = (values: number[]) => percentile(values, 50);

/** Peak RSS (VmHWM) of a live process, in MB. */
function peakRssMb(pid: number | null | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return undefined;
  }
}

interface Contender {
  name: string;
  connect(): Promise<{ client: Client; pid?: number | null }>;
}

interface Row {
  name: string;
  startMs: number;
  p50: number;
  p99: number;
  rssMb?: number;
}

async function measure(contender: Contender): Promise<Row> {
  const starts: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const t0 = performance.now();
    const { client } = await contender.connect();
    starts.push(performance.now() - t0);
    await client.close();
  }
  const { client, pid } = await contender.connect();
  for (let i = 0; i < WARMUP; i++) await client.callTool({ name: 'echo', arguments: { text: `warm ${i}` } });
  const latencies: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await client.callTool({ name: 'echo', arguments: { text: `call ${i}` } });
    latencies.push(performance.now() - t0);
  }
  const rssMb = peakRssMb(pid);
  await client.close();
  return { name: contender.name, startMs: median(starts), p50: percentile(latencies, 50), p99: percentile(latencies, 99), ...(rssMb ? { rssMb } : {}) };
}

function stdioContender(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Contender {
  return {
    name,
    async connect() {
      const transport = new StdioClientTransport({ command, args, env: env as Record<string, string>, stderr: 'ignore' });
      const client = new Client({ name: 'bench', version: '1.0.0' });
      await client.connect(transport);
      return { client, pid: transport.pid };
    },
  };
}

async function main() {
  const as = await startAuthServer({ accessTokenTTL: 3600 });
  const mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  const profile = await createKeyringEnv('bench');
  const mcpRemoteHome = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-remote-bench-'));
  try {
    const server = await profile.keyring.add({ url: mcp.url, name: 'bench' });
    await profile.keyring.connect(server.id, { openBrowser: (url) => completeLogin(url).then(() => undefined), timeoutMs: 30_000 });
    const token = (await profile.keyring.vault.get(secretNames.accessToken(server.id)))!;

    const direct: Contender = {
      name: 'direct SDK client (in-process)',
      async connect() {
        const client = new Client({ name: 'bench', version: '1.0.0' });
        await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
        return { client, pid: null };
      },
    };
    // Exactly as a client config starts it (see bridgeLaunch).
    const bridge = stdioContender('mcp-keyring bridge', process.execPath, [...BRIDGE_NODE_FLAGS, bridgePath, server.id], profile.env);
    // The same bundle without the V8 flags, to show what they trade (start-up for memory).
    const bridgeNoFlags = stdioContender('mcp-keyring bridge, no V8 flags', process.execPath, [bridgePath, server.id], profile.env);
    const mcpRemoteEntry = path.join(repoRoot, 'node_modules', 'mcp-remote', 'dist', 'proxy.js');
    const mcpRemote = stdioContender(
      'mcp-remote 0.15.1',
      process.execPath,
      [mcpRemoteEntry, mcp.url, '--allow-http', '--transport', 'http-only', '--header', 'Authorization:${MCP_BENCH_AUTH}', '--silent'],
      { ...process.env, MCP_BENCH_AUTH: `Bearer ${token}`, MCP_REMOTE_CONFIG_DIR: mcpRemoteHome },
    );

    const rows: Row[] = [];
    for (const contender of [direct, bridge, bridgeNoFlags, mcpRemote]) {
      try {
        rows.push(await measure(contender));
      } catch (error) {
        console.error(`${contender.name}: ${(error as Error).message}`);
      }
    }
    const directRow = rows[0]!;
    const fmt = (n: number | undefined, digits = 2) => (n === undefined ? '-' : n.toFixed(digits));
    const lines = [
      `| contender | spawn→initialize (median of ${STARTS}) | echo p50 | echo p99 | added p50 vs direct | peak RSS |`,
      '| --- | --- | --- | --- | --- | --- |',
      ...rows.map(
        (r) =>
          `| ${r.name} | ${fmt(r.startMs, 1)} ms | ${fmt(r.p50, 3)} ms | ${fmt(r.p99, 3)} ms | ${r === directRow ? '-' : `${fmt(r.p50 - directRow.p50, 3)} ms`} | ${r.rssMb ? `${fmt(r.rssMb, 1)} MB` : '-'} |`,
      ),
    ];
    console.log(`\n${CALLS} echo calls after ${WARMUP} warm-up, node ${process.version}, ${os.cpus().length} CPUs\n`);
    console.log(lines.join('\n'));
    const b = rows.find((r) => r.name === 'mcp-keyring bridge');
    if (b) {
      console.log(
        `\nbridge targets: start ≤ 150 ms: ${b.startMs <= 150 ? 'met' : 'MISSED'}; added p50 ≤ 0.25 ms: ${b.p50 - directRow.p50 <= 0.25 ? 'met' : 'MISSED'}; peak RSS ≤ 60 MB: ${(b.rssMb ?? Infinity) <= 60 ? 'met' : 'MISSED'}`,
      );
    }
  } finally {
    await profile.cleanup();
    fs.rmSync(mcpRemoteHome, { recursive: true, force: true });
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
