// One benchmark client, in a process of its own (as an MCP client is): reads a
// JSON job from argv[2], prints JSON results on stdout. Plain ESM, so nothing
// (no tsx) is loaded into it but the SDK client.
//   { kind: 'stdio', command, args, env, starts, warmup, calls }   a bridge launch path
//   { kind: 'http', url, headers, nodeFetch?, starts, warmup, calls }  straight to a server (the "direct" rows)
// A stdio job may carry `pair: { url, headers }`: each of its calls is then followed by the
// same call straight to the server (over the bridge's HTTP stack), and `added` holds the
// per-pair differences, so that the machine's drift hits both sides of each one.
// For each of `starts` fresh connections: spawn (or connect) → initialize → first
// tools/list result, in ms. Then one connection: `warmup` + `calls` echo calls,
// their latencies, and the peak RSS (VmHWM) of the spawned process after them.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import fs from 'node:fs';

const job = JSON.parse(process.argv[2]);
// { nodeFetch: true }: the direct client sends over the bridge's own HTTP stack (node:http, not undici), run with --import tsx.
const nodeFetch = job.nodeFetch || job.pair ? (await import('../main/core/http/node-fetch.ts')).createNodeFetch() : undefined;

function peakRssMb(pid) {
  if (!pid) return null;
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return null;
  }
}

/**
 * Peak RSS of the launch path's process tree (npx runs the bridge as a grandchild):
 * `bridge` is the process that ends up running the bridge (the deepest one), `tree` all of them.
 */
function treePeakRssMb(pid) {
  const self = peakRssMb(pid);
  if (self === null) return null;
  let children = [];
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {}
  const below = children.map(treePeakRssMb).filter(Boolean);
  return { bridge: below.length ? below[below.length - 1].bridge : self, tree: self + below.reduce((sum, c) => sum + c.tree, 0) };
}

const TICK_MS = 10; // USER_HZ is 100 on Linux
/** CPU time (user + system) the launch path's processes have used so far, in ms: less noisy than wall time on a busy machine. */
function treeCpuMs(pid) {
  let stat;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let total = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  try {
    for (const child of fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) total += treeCpuMs(Number(child));
  } catch {}
  return total;
}

async function connect() {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  let transport;
  if (job.kind === 'stdio') transport = new StdioClientTransport({ command: job.command, args: job.args, env: job.env, stderr: 'ignore' });
  else transport = new StreamableHTTPClientTransport(new URL(job.url), { requestInit: { headers: job.headers }, ...(nodeFetch ? { fetch: nodeFetch } : {}) });
  await client.connect(transport);
  return { client, transport };
}

const starts = [];
const startCpu = [];
for (let i = 0; i < job.starts; i++) {
  const t0 = performance.now();
  const { client, transport } = await connect();
  await client.listTools();
  starts.push(performance.now() - t0);
  if (job.kind === 'stdio') startCpu.push(treeCpuMs(transport.pid));
  await client.close();
}

async function echo(client, text) {
  const t0 = performance.now();
  const result = await client.callTool({ name: 'echo', arguments: { text } });
  if (result.content?.[0]?.text !== text) throw new Error(`wrong echo answer: ${JSON.stringify(result)}`);
  return performance.now() - t0;
}

const { client, transport } = await connect();
let direct;
if (job.pair) {
  direct = new Client({ name: 'bench-pair', version: '1.0.0' });
  await direct.connect(new StreamableHTTPClientTransport(new URL(job.pair.url), { requestInit: { headers: job.pair.headers }, fetch: nodeFetch }));
}
for (let i = 0; i < job.warmup; i++) {
  await echo(client, `warm ${i}`);
  if (direct) await echo(direct, `warm ${i}`);
}
const latencies = [];
const added = [];
for (let i = 0; i < job.calls; i++) {
  const through = await echo(client, `call ${i}`);
  latencies.push(through);
  if (direct) added.push(through - (await echo(direct, `call ${i}`)));
}
const rss = job.kind === 'stdio' ? treePeakRssMb(transport.pid) : null;
await client.close();
await direct?.close();
process.stdout.write(JSON.stringify({ starts, startCpu, latencies, added, rss }));
process.exit(0);
