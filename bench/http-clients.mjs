// The HTTP bench's clients, in a process of their own (as an MCP client is), so
// the direct client does not share an event loop with the MCP server it measures.
// argv[2]: JSON { contenders: [{ url, bearer }], calls, warmup, block, clients, callsPerClient }.
// Prints JSON: per contender, sequential latencies (alternating blocks, so machine
// noise hits all alike) and the concurrent run's throughput and latencies.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const job = JSON.parse(process.argv[2]);

async function connect(url, bearer) {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } }));
  return client;
}

async function echoLoop(client, count, label, into) {
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const result = await client.callTool({ name: 'echo', arguments: { text: `${label} ${i}` } });
    into?.push(performance.now() - t0);
    if (result.content[0]?.text !== `${label} ${i}`) throw new Error(`wrong answer from ${label}`);
  }
}

async function concurrent(url, bearer, label) {
  const clients = await Promise.all(Array.from({ length: job.clients }, () => connect(url, bearer)));
  try {
    await Promise.all(clients.map((c, i) => echoLoop(c, Math.ceil(job.warmup / job.clients), `${label} warm ${i}`)));
    const latencies = [];
    const t0 = performance.now();
    await Promise.all(clients.map((c, i) => echoLoop(c, job.callsPerClient, `${label} ${i}`, latencies)));
    return { seconds: (performance.now() - t0) / 1000, latencies };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

const clients = await Promise.all(job.contenders.map((c) => connect(c.url, c.bearer)));
for (const [i, client] of clients.entries()) await echoLoop(client, job.warmup, `warm ${i}`);
const sequential = job.contenders.map(() => []);
for (let done = 0; done < job.calls; done += job.block) {
  for (const [i, client] of clients.entries()) await echoLoop(client, job.block, `seq ${i}`, sequential[i]);
}
await Promise.all(clients.map((c) => c.close()));
const results = [];
for (const [i, contender] of job.contenders.entries()) {
  results.push({ sequential: sequential[i], concurrent: await concurrent(contender.url, contender.bearer, `c${i}`) });
}
process.stdout.write(JSON.stringify(results));
process.exit(0);
