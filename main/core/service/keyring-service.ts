// The app's side of the window contract (shared/ipc-contract.ts), in plain Node:
// every channel implemented over the core, plus the events the window listens to.
// The Electron shell binds `api` to ipcMain and forwards `subscribe` to the
// window; the UI test harness serves the very same object over HTTP. No electron
// import here, so all of it runs and is tested under plain Node.
import fs from 'node:fs';
import path from 'node:path';
import type {
  AddServerRequest,
  AppSettings,
  ConnectProgress,
  IpcChannel,
  IpcContract,
  IpcError,
  IpcEventName,
  IpcEvents,
  IpcResult,
  KeyringApi,
} from '../../../shared/ipc-contract';
import { IPC_CHANNELS } from '../../../shared/ipc-contract';
import { ServerAuthSchema, type ServerAuth } from '../../../shared/server-config';
import type { ServerView } from '../../../shared/server-state';
import type { SignInProgress } from '../authorize/sign-in';
import { checkClientId, checkTransport, clientLaunch, installClient, listClientTargets, type ClientEnvironment } from './clients';
import type { BridgeLaunch } from '../clients/launch';
import { KeyringError, errorMessage, isKeyringError } from '../errors';
import type { Keyring } from '../keyring';
import { canonicalServerUrl } from '../url-policy';
import { adoptedForm, adoptServer } from '../adopt/apply';
import { scanForAdoption } from '../adopt/scan';
import { removeServerEntries, serverUsage } from '../adopt/usage';
import { readHistory, recordHistory } from '../history/history';
import { searchRegistry } from '../registry-search/registry-search';
import { CLIENT_TARGETS } from '../clients/targets';
import { processLabel } from '../tokens/token-manager';
import { addBrowserlessServer } from '../tokens/grants/browserless-servers';
import { identityProviderApi } from './identity-provider-api';

export type { ClientEnvironment } from './clients';

/** What the service needs from its host (the Electron shell, or a test harness). */
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

export type ServiceListener = <E extends IpcEventName>(event: E, payload: IpcEvents[E]) => void;

export interface KeyringService {
  api: KeyringApi;
  /** Events for the window; returns the unsubscribe function. */
  subscribe(listener: ServiceListener): () => void;
  /** Stops watching files, cancels sign-ins in progress and drops listeners. */
  dispose(): void;
}

/** How long file events are gathered before one 'servers:changed' goes out. */
export const CHANGE_DEBOUNCE_MS = 50;

/** Errors cross the boundary as data: a KeyringError keeps its code and message. */
export function toIpcError(error: unknown): IpcError {
  if (isKeyringError(error)) return { code: error.code, message: error.message };
  return { code: 'internal', message: errorMessage(error) || 'Something went wrong.' };
}

/** Runs one channel and wraps the outcome as the preload hands it to the window. */
export async function invokeChannel<C extends IpcChannel>(api: KeyringApi, channel: C, request: IpcContract[C]['request']): Promise<IpcResult<IpcContract[C]['response']>> {
  if (!isIpcChannel(channel)) return { ok: false, error: { code: 'invalid-input', message: `Unknown channel "${String(channel)}".` } };
  try {
    const handler = api[channel] as (request: IpcContract[C]['request']) => Promise<IpcContract[C]['response']>;
    return { ok: true, value: await handler(request) };
  } catch (error) {
    return { ok: false, error: toIpcError(error) };
  }
}

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && (IPC_CHANNELS as readonly string[]).includes(value);
}

// --- input checks: requests come from a renderer, so nothing is taken on trust ------

function invalid(message: string): KeyringError {
  return new KeyringError('invalid-input', message);
}

function record(request: unknown, what: string): Record<string, unknown> {
  if (!request || typeof request !== 'object' || Array.isArray(request)) throw invalid(`The ${what} request is malformed.`);
  return request as Record<string, unknown>;
}

function text(value: unknown, field: string, options: { optional?: boolean } = {}): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (options.optional) return undefined;
    throw invalid(`${field} is missing.`);
  }
  if (typeof value !== 'string') throw invalid(`${field} must be text.`);
  return value;
}

function serverId(request: unknown): string {
  return text(record(request, 'server').id, 'The server id')!;
}

function parseAuth(value: unknown): ServerAuth | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = ServerAuthSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw invalid(`The sign-in settings are not valid (${where}${issue?.message ?? 'unexpected shape'}).`);
  }
  return parsed.data;
}

function httpUrl(value: unknown): string {
  const url = text(value, 'The link')!;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`"${url}" is not a valid link.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalid(`Only http:// and https:// links can be opened, not ${parsed.protocol}// links.`);
  }
  return parsed.href;
}

const SETTING_KEYS: ReadonlyArray<keyof AppSettings> = ['startAtLogin'];

function settingsPatch(request: unknown): Partial<AppSettings> {
  const input = record(request, 'settings');
  const patch: Partial<AppSettings> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!(SETTING_KEYS as readonly string[]).includes(key)) throw invalid(`Unknown setting "${key}".`);
    if (typeof value !== 'boolean') throw invalid(`The setting "${key}" is on or off (true or false).`);
    patch[key as keyof AppSettings] = value;
  }
  return patch;
}

// --- the service ------------------------------------------------------------------

export function createKeyringService(keyring: Keyring, platform: KeyringPlatform): KeyringService {
  const listeners = new Set<ServiceListener>();
  const signIns = new Map<string, AbortController>();
  let disposed = false;

  const emit = <E extends IpcEventName>(event: E, payload: IpcEvents[E]): void => {
    if (disposed) return;
    for (const listener of [...listeners]) {
      try {
        listener(event, payload);
      } catch {
        // One broken listener (a closed window) must not stop the others.
      }
    }
  };

  // 'servers:changed': any write to servers.json or a state file, by any process,
  // becomes one fresh list after a short quiet period. No polling.
  let changeTimer: NodeJS.Timeout | undefined;
  let lastSent: string | undefined;
  let sending: Promise<void> = Promise.resolve();
  const scheduleChange = (): void => {
    if (disposed) return;
    if (changeTimer) clearTimeout(changeTimer);
    changeTimer = setTimeout(() => {
      changeTimer = undefined;
      // One list at a time, in order, so an older read never overtakes a newer one.
      sending = sending.then(sendChange, sendChange);
    }, CHANGE_DEBOUNCE_MS);
    changeTimer.unref?.();
  };
  const sendChange = async (): Promise<void> => {
    if (disposed || listeners.size === 0) return;
    let servers: ServerView[];
    try {
      servers = await keyring.list();
    } catch {
      // servers.json is mid-edit or damaged: the window's next servers:list shows the error.
      return;
    }
    const fingerprint = JSON.stringify(servers);
    if (fingerprint === lastSent) return;
    lastSent = fingerprint;
    emit('servers:changed', servers);
  };

  const stopWatching: Array<() => void> = [];
  const watch = (): void => {
    try {
      stopWatching.push(keyring.states.watch(() => scheduleChange()));
    } catch {
      // Without a watcher, changes made here still go out (see `changed` below).
    }
    try {
      const serversFile = keyring.registry.paths.serversFile;
      const dir = path.dirname(serversFile);
      const name = path.basename(serversFile);
      fs.mkdirSync(dir, { recursive: true });
      const watcher = fs.watch(dir, (_event, filename) => {
        if (filename?.toString() === name) scheduleChange();
      });
      watcher.on('error', () => undefined);
      stopWatching.push(() => watcher.close());
    } catch {
      // as above
    }
  };
  watch();

  /** After an action here: the watchers would notice too, but do not depend on them. */
  const changed = <T>(value: T): T => {
    scheduleChange();
    return value;
  };

  const view = async (id: string): Promise<ServerView> => keyring.view(await keyring.registry.get(id));

  const progress = (id: string, step: ConnectProgress['step'], extra: Omit<ConnectProgress, 'id' | 'step'> = {}): void => {
    emit('connect:progress', { id, step, ...extra });
  };

  async function connect(request: IpcContract['servers:connect']['request']): Promise<ServerView> {
    const id = serverId(request);
    const server = await keyring.registry.get(id);
    if (signIns.has(id)) {
      throw new KeyringError('invalid-input', `A sign-in to ${server.name} is already waiting for the browser; finish or cancel it first.`);
    }
    // "Start over" aborts the sign-in and runs it again with a new registration; this call answers for both.
    for (let freshRegistration = false; ; freshRegistration = true) {
      const controller = new AbortController();
      signIns.set(id, controller);
      try {
        await keyring.connect(id, {
          signal: controller.signal,
          ...(platform.signInTimeoutMs ? { timeoutMs: platform.signInTimeoutMs } : {}),
          ...(freshRegistration ? { freshRegistration } : {}),
          onProgress: (step: SignInProgress) => {
            if (step.step === 'waiting-for-browser') progress(id, step.step, { url: step.url });
            else progress(id, step.step);
          },
          // The browser is opened without waiting for it: the sign-in waits for the
          // callback (and for Cancel) meanwhile. A browser that will not open is
          // reported, and the page address stays in the row for the user to open.
          openBrowser: async (url: string) => {
            if (controller.signal.aborted) return;
            platform.openBrowser(url).catch((error: unknown) => {
              if (controller.signal.aborted) return;
              progress(id, 'waiting-for-browser', { url, message: `The browser did not open (${errorMessage(error)}); open the sign-in page yourself.` });
            });
          },
        });
        // A sign-in that completed while Cancel was on its way stands: the tokens are stored.
        const result = await view(id);
        progress(id, 'done');
        return changed(result);
      } catch (error) {
        if (startingOver.delete(controller)) continue;
        if (controller.signal.aborted || isKeyringError(error, 'cancelled')) {
          progress(id, 'cancelled');
          scheduleChange();
          throw isKeyringError(error, 'cancelled') ? error : new KeyringError('cancelled', 'Sign-in cancelled.', { cause: error });
        }
        progress(id, 'failed', { message: errorMessage(error) });
        scheduleChange();
        throw error;
      } finally {
        startingOver.delete(controller);
        if (signIns.get(id) === controller) signIns.delete(id);
      }
    }
  }

  /** Sign-ins aborted by "start over", which their connect call runs again. */
  const startingOver = new Set<AbortController>();

  const cancelSignIn = (id: string): boolean => {
    const controller = signIns.get(id);
    if (!controller) return false;
    controller.abort();
    return true;
  };

  const clientEnvironment = (): ClientEnvironment => ({
    platform: platform.clientEnvironment?.platform ?? process.platform,
    env: platform.clientEnvironment?.env ?? process.env,
    homedir: platform.clientEnvironment?.homedir ?? (process.env.HOME || process.env.USERPROFILE || ''),
  });

  const identityProviders = identityProviderApi(keyring, platform, changed);
  const api: KeyringApi = {
    'servers:list': async () => keyring.list(),

    'servers:preview': async (request) => {
      const input = record(request, 'preview');
      const url = canonicalServerUrl(text(input.url, 'The server URL')!);
      return keyring.preview(url, parseAuth(input.auth));
    },

    'servers:add': async (request: AddServerRequest) => {
      const input = record(request, 'add');
      const url = text(input.url, 'The server URL')!;
      const name = text(input.name, 'The name', { optional: true })?.trim();
      const auth = parseAuth(input.auth) ?? { kind: 'oauth', sendResource: true };
      const secret = text(input.secret, 'The key', { optional: true });
      const clientSecret = text(input.clientSecret, 'The client secret', { optional: true });
      if (auth.kind === 'header' && !secret) throw invalid(`Enter the key that goes in the ${auth.headerName} header.`);
      if (secret && auth.kind !== 'header') throw invalid('A key only goes with a server that uses an API key header.');
      if (clientSecret && !(auth.kind === 'oauth' && auth.clientId)) throw invalid('A client secret goes with a client id; enter the client id too.');
      if (auth.kind === 'oauth' && auth.grant) {
        // Machine-to-machine / enterprise-managed: the key or secret is checked, then kept in the keychain only.
        const privateKeyPem = text(input.privateKeyPem, 'The private key', { optional: true });
        const added = await addBrowserlessServer(keyring, { url, ...(name ? { name } : {}), auth: { ...auth, grant: auth.grant }, ...(clientSecret ? { clientSecret } : {}), ...(privateKeyPem ? { privateKeyPem } : {}), ...(input.generateKey === true ? { generateKey: true } : {}) });
        return changed(await keyring.view(added.server));
      }
      const server = await keyring.add({
        url,
        ...(name ? { name } : {}),
        auth,
        ...(secret ? { secret } : {}),
        ...(clientSecret ? { clientSecret } : {}),
      });
      return changed(await keyring.view(server));
    },

    'servers:remove': async (request) => {
      const id = serverId(request);
      cancelSignIn(id);
      return changed(await keyring.remove(id));
    },

    'servers:connect': connect,

    'servers:cancel-connect': async (request) => {
      const id = serverId(request);
      await keyring.registry.get(id);
      cancelSignIn(id);
    },

    'servers:start-over': async (request) => {
      const id = serverId(request);
      const server = await keyring.registry.get(id);
      const controller = signIns.get(id);
      if (!controller) throw new KeyringError('invalid-input', `No sign-in to ${server.name} is in progress; click Connect.`);
      startingOver.add(controller);
      controller.abort();
    },

    'servers:disconnect': async (request) => {
      const id = serverId(request);
      cancelSignIn(id);
      return changed(await keyring.disconnect(id));
    },

    'clients:list': async (request) => {
      const input = request === undefined || request === null ? {} : record(request, 'clients');
      const id = text(input.id, 'The server id', { optional: true });
      if (id) await keyring.registry.get(id);
      return listClientTargets(clientEnvironment(), id);
    },

    'clients:install': async (request) => {
      const input = record(request, 'install');
      const id = text(input.id, 'The server id')!;
      const client = checkClientId(text(input.client, 'The client'));
      const transport = checkTransport(input.transport);
      const server = await keyring.registry.get(id);
      const launch = await clientLaunch(client, transport, server, platform);
      const installed = await installClient(clientEnvironment(), client, id, launch);
      if (installed.changed) recordHistory(keyring.registry.paths, id, { kind: 'config-written', by: processLabel(), client: CLIENT_TARGETS[client].label, path: installed.path });
      return installed;
    },

    'settings:get': async () => platform.getSettings(),

    'settings:set': async (request) => platform.setSettings(settingsPatch(request)),

    'app:open-external': async (request) => {
      await platform.openExternal(httpUrl(record(request, 'open').url));
    },

    'adopt:scan': async () => (await scanForAdoption(clientEnvironment(), await keyring.registry.list())).scan,

    'adopt:apply': async (request) => {
      const input = record(request, 'adopt');
      const key = text(input.key, 'The server to adopt')!;
      if (input.deletePlaintext !== undefined && typeof input.deletePlaintext !== 'boolean') throw invalid('deletePlaintext is true or false.');
      const result = await adoptServer(
        {
          keyring,
          where: clientEnvironment(),
          launch: async (client, server, entry) => {
            const form = adoptedForm(client, Boolean(platform.cliCommand), entry);
            return { launch: await clientLaunch(client, form, server, platform), form };
          },
        },
        { key, deletePlaintext: input.deletePlaintext === true },
      );
      return changed(result);
    },

    'servers:history': async (request) => {
      const id = serverId(request);
      await keyring.registry.get(id);
      return readHistory(keyring.registry.paths, id);
    },

    'servers:usage': async () => serverUsage(clientEnvironment()),

    'registry:search': async (request) => {
      const input = record(request, 'search');
      const words = text(input.words, 'The search words', { optional: true }) ?? '';
      const cursor = text(input.cursor, 'The page cursor', { optional: true });
      return searchRegistry(words, { ...(platform.registryUrl ? { baseUrl: platform.registryUrl } : {}), ...(cursor ? { cursor } : {}) });
    },

    'servers:remove-client-entries': async (request) => {
      const id = serverId(request);
      await keyring.registry.get(id);
      return removeServerEntries(clientEnvironment(), keyring.registry.paths, id);
    },
    'servers:public-key': identityProviders['servers:public-key'],
    'idps:list': identityProviders['idps:list'],
    'idps:add': identityProviders['idps:add'],
    'idps:connect': identityProviders['idps:connect'],
    'idps:cancel-connect': identityProviders['idps:cancel-connect'],
    'idps:sign-out': identityProviders['idps:sign-out'],
    'idps:remove': identityProviders['idps:remove'],
  };

  return {
    api,
    subscribe(listener) {
      if (disposed) return () => undefined;
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (changeTimer) clearTimeout(changeTimer);
      for (const stop of stopWatching.splice(0)) stop();
      for (const controller of signIns.values()) controller.abort();
      identityProviders.dispose();
      listeners.clear();
    },
  };
}
