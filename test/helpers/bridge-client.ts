// Talks to `mcp-keyring bridge <id>` the way Claude Desktop does: an SDK Client
// over StdioClientTransport that spawns the bridge process.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { bridgePath } from './keyring-env';

export interface BridgeClient {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  logs: string[];
  pid: number | null;
  close(): Promise<void>;
}

export async function connectBridge(serverId: string, env: NodeJS.ProcessEnv, options: { answer?: string } = {}): Promise<BridgeClient> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bridgePath, serverId], // as client configs start it
    env: env as Record<string, string>,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new Client({ name: 'test-client', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  const logs: string[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(String(n.params.data));
  });
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { answer: options.answer ?? 'forty-two' } }));
  await client.connect(transport);
  return {
    client,
    transport,
    stderr: () => stderr,
    logs,
    pid: transport.pid,
    close: () => client.close(),
  };
}

/** The text of a tool result's first content item. */
export function text(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content[0]?.text ?? '';
}
