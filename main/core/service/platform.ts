// What the service needs from its host (the Electron shell, or a test harness).
import type { AppSettings } from '../../../shared/ipc-contract';
import type { BridgeLaunch } from '../clients/launch';
import type { ClientEnvironment } from './clients';

export interface KeyringPlatform {
  /** Opens the sign-in page in the user's browser. */
  openBrowser(url: string): Promise<void>;
  /** Opens an http(s) link the user clicked (already checked by the service). */
  openExternal(url: string): Promise<void>;
  getSettings(): Promise<AppSettings>;
  setSettings(patch: Partial<AppSettings>): Promise<AppSettings>;
  /** How an MCP client starts the bridge for one server (absolute paths). */
  bridgeLaunch(serverId: string): BridgeLaunch;
  /**
   * The running app's local HTTP bridge, if any (undefined: not running, e.g. its
   * port was taken). Needed for the 'http' entry form; its secret goes into the
   * entry and the snippet the window shows, and must never be logged.
   */
  httpBridge?: () => Promise<{ url(id: string): string; secret: string } | undefined>;
  /**
   * A shell command line that runs our CLI with `args` (quoted for the platform's
   * shell), for Claude Code's headers helper. Without it that form is refused.
   */
  cliCommand?: (args: string[]) => string;
  /**
   * Where the MCP clients' config files are looked up: platform, environment and
   * home directory. Defaults to this process's; tests point it at a temp directory.
   */
  clientEnvironment?: Partial<ClientEnvironment>;
  /** How long a sign-in waits for the browser (default: the core's 5 minutes). */
  signInTimeoutMs?: number;
  /** The MCP registry the Add dialog searches (default: MCP_KEYRING_REGISTRY_URL, else the official one). */
  registryUrl?: string;
}

/** The platform's client environment, this process's where it says nothing. */
export function clientEnvironment(platform: KeyringPlatform): ClientEnvironment {
  return {
    platform: platform.clientEnvironment?.platform ?? process.platform,
    env: platform.clientEnvironment?.env ?? process.env,
    homedir: platform.clientEnvironment?.homedir ?? (process.env.HOME || process.env.USERPROFILE || ''),
  };
}
