// What the bridge's launcher and its bundle agree on (main/bridge-launcher.ts hands
// these to main/bridge.ts): which server, and the keychain whose read started first.
import type { Vault } from '../vault/vault';

export interface BridgeStart {
  /** The server id from the command line. */
  id: string;
  /** The keychain, with the server's access token already being read. */
  vault: Vault;
  /** Called once the first reply has reached the client: start-up is over. */
  afterStartUp?: () => void;
}

/** `bridge.cjs <id>` or `mcp-keyring bridge <id>`: the server id, or undefined when there is none. */
export function bridgeServerId(args: readonly string[]): string | undefined {
  const id = args[0] === 'bridge' ? args[1] : args[0];
  return id && !id.startsWith('-') ? id : undefined;
}
