// Everything the stdio bridge process does once it knows its server id: load
// the server, pick its credentials, run the bridge until the client goes away.
import { actorLabel } from '../actor';
import { errorMessage } from '../errors';
import { installResponseLite } from '../http/install-response-lite';
import { createNodeFetch } from '../http/node-fetch';
import { Keyring } from '../keyring';
import { redact } from '../redact';
import type { Vault } from '../vault/vault';
import { createAuthFetch } from './auth-fetch';
import { credentialsFor, OAuthCredentials } from './credentials';
import type { BridgeStart } from './bridge-start';
import { runStdioBridge } from './stdio-bridge';

export async function runBridgeProcess(id: string, vault: Vault, hooks: Pick<BridgeStart, 'afterStartUp'> = {}): Promise<void> {
  installResponseLite();
  const keyring = new Keyring({ vault, actor: actorLabel('bridge') });
  const server = await keyring.registry.get(id);
  const credentials = credentialsFor(server, keyring);
  const log = (line: string) => process.stderr.write(`[mcp-keyring bridge ${id}] ${redact(line, credentials.secrets)}\n`);
  if (credentials instanceof OAuthCredentials) {
    credentials.preload();
    // A new sign-in or a disconnect elsewhere takes effect on the next request, without a restart.
    keyring.states.watch((changed) => {
      if (changed === id) credentials.invalidate();
    });
  }
  const { closed } = await runStdioBridge({ url: server.url, fetch: createAuthFetch(createNodeFetch(), credentials), log, ...(hooks.afterStartUp ? { afterFirstReply: hooks.afterStartUp } : {}) });
  await closed;
}

export function reportFatal(error: unknown): never {
  process.stderr.write(`[mcp-keyring bridge] ${redact(errorMessage(error))}\n`);
  process.exit(1);
}
