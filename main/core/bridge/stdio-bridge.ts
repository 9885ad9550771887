// The stdio bridge Claude Desktop launches: JSON-RPC from the client's stdio is
// sent on to the remote server as it is, and everything the server sends comes
// back as it is (responses, notifications, server-to-client requests). When a
// message cannot be delivered, a request gets a JSON-RPC error saying what to do.
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Readable, Writable } from 'node:stream';
import { errorMessage } from '../errors';
import { classifyError, describeError } from './http/errors';
import { RemoteSession } from './remote-session';

export { BRIDGE_ERROR } from './http/errors';

export interface StdioBridgeOptions {
  url: string;
  fetch: FetchLike;
  log: (line: string) => void;
  stdin?: Readable;
  stdout?: Writable;
  /** Called once, on the next turn of the event loop after the first message reached the client. */
  afterFirstReply?: () => void;
}

export async function runStdioBridge(options: StdioBridgeOptions): Promise<{ closed: Promise<void> }> {
  const local = new StdioServerTransport(options.stdin, options.stdout);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));

  // The per-message path stays a plain local.send(); only the first reply also arms the start-up hook.
  let replied = false;
  const reply = (message: JSONRPCMessage): Promise<void> => {
    const sent = local.send(message);
    if (!replied) {
      replied = true;
      const after = options.afterFirstReply;
      if (after) sent.then(() => setImmediate(after), () => undefined);
    }
    return sent;
  };

  const remote = new RemoteSession({
    url: new URL(options.url),
    fetch: options.fetch,
    onmessage: (message) => {
      reply(message).catch((error) => options.log(`could not write to the client: ${errorMessage(error)}`));
    },
    onerror: (error) => options.log(`remote: ${errorMessage(error)}`),
    onclose: () => options.log('the remote server closed the connection'),
  });

  const forward = async (message: JSONRPCMessage) => {
    try {
      await remote.send(message);
    } catch (error) {
      const text = describeError(error, options.url);
      options.log(text);
      if ('method' in message && 'id' in message && message.id !== undefined) {
        await reply({ jsonrpc: '2.0', id: message.id, error: { code: classifyError(error).code, message: text } });
      }
    }
  };

  local.onmessage = (message) => {
    void forward(message);
  };
  local.onerror = (error) => options.log(`client: ${errorMessage(error)}`);
  local.onclose = () => {
    void remote.close().finally(resolveClosed);
  };
  await local.start();
  // StdioServerTransport does not notice the end of stdin; the client closing it means goodbye.
  (options.stdin ?? process.stdin).once('end', () => void local.close());
  return { closed };
}
