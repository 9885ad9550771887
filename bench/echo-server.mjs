// The floor for the start-up figures: a bare `node` process that speaks just enough
// MCP over stdio (initialize, tools/list, an echo tool) with no library at all.
// Whatever a launch path takes beyond this row is its own cost.
import readline from 'node:readline';

const reply = (id, result) => process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`);
const echo = { name: 'echo', description: 'Echoes its text', inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } };
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  const message = JSON.parse(line);
  if (message.id === undefined) return;
  if (message.method === 'initialize') reply(message.id, { protocolVersion: message.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'echo', version: '1.0.0' } });
  else if (message.method === 'tools/list') reply(message.id, { tools: [echo] });
  else if (message.method === 'tools/call') reply(message.id, { content: [{ type: 'text', text: message.params.arguments.text }] });
  else process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'Method not found' } })}\n`);
});
