// The window's side of enterprise-managed authorization (shared/ipc-contract.ts,
// the idps:* channels) and of machine-to-machine keys (servers:public-key), over
// the core. Plain Node, like the rest of the service.
import type { IdentityProviderView, IpcContract, KeyringApi } from '../../../shared/ipc-contract';
import type { IdpView } from '../idp/identity-providers';
import { signInToIdp } from '../idp/idp-sign-in';
import type { Keyring } from '../keyring';
import { identityProviders, reconnectThroughIdp, serverPublicJwk } from '../browserless-servers';
import { invalid } from './validate-input';

type IdpChannels = 'servers:public-key' | 'idps:list' | 'idps:add' | 'idps:connect' | 'idps:cancel-connect' | 'idps:sign-out' | 'idps:remove';

function field(input: unknown, name: string, what: string, optional = false): string | undefined {
  const value = input && typeof input === 'object' ? (input as Record<string, unknown>)[name] : undefined;
  if (value === undefined || value === null || value === '') {
    if (optional) return undefined;
    throw invalid(`${what} is missing.`);
  }
  if (typeof value !== 'string') throw invalid(`${what} must be text.`);
  return value;
}

export function identityProviderView(view: IdpView, servers: string[], now = Date.now()): IdentityProviderView {
  const { config, session } = view;
  const expired = session.status === 'signed-in' && session.expiresAt !== null && session.expiresAt <= now && !session.hasRefreshToken;
  return {
    id: config.id,
    name: config.name,
    issuer: config.issuer,
    clientId: config.clientId,
    status: expired ? 'expired' : session.status,
    user: session.email ?? session.subject,
    expiresAt: session.expiresAt,
    renews: session.hasRefreshToken,
    lastError: session.lastError,
    servers,
  };
}

export function identityProviderApi(
  keyring: Keyring,
  platform: { openBrowser(url: string): Promise<void>; signInTimeoutMs?: number },
  changed: <T>(value: T) => T,
): Pick<KeyringApi, IdpChannels> & { dispose(): void } {
  const idps = identityProviders(keyring);
  const signIns = new Map<string, AbortController>();

  const view = async (id: string): Promise<IdentityProviderView> => {
    const servers = (await keyring.registry.list()).filter((s) => s.auth.kind === 'oauth' && s.auth.grant?.type === 'id-jag' && s.auth.grant.idp === id).map((s) => s.id);
    return identityProviderView(await idps.get(id), servers);
  };

  return {
    'servers:public-key': async (request: IpcContract['servers:public-key']['request']) => ({ jwk: await serverPublicJwk(keyring, field(request, 'id', 'The server id')!) }),

    'idps:list': async () => Promise.all((await idps.list()).map((v) => view(v.config.id))),

    'idps:add': async (request) => {
      const issuer = field(request, 'issuer', 'The issuer URL')!;
      const clientId = field(request, 'clientId', 'The client id')!;
      const clientSecret = field(request, 'clientSecret', 'The client secret', true);
      const name = field(request, 'name', 'The name', true)?.trim();
      const config = await idps.add({ issuer, clientId, ...(clientSecret ? { clientSecret } : {}), ...(name ? { name } : {}) });
      return changed(await view(config.id));
    },

    'idps:connect': async (request) => {
      const id = field(request, 'id', 'The identity provider id')!;
      if (signIns.has(id)) throw invalid('A sign-in to this identity provider is already waiting for the browser.');
      const controller = new AbortController();
      signIns.set(id, controller);
      try {
        await signInToIdp(idps, id, {
          signal: controller.signal,
          ...(platform.signInTimeoutMs ? { timeoutMs: platform.signInTimeoutMs } : {}),
          openBrowser: async (url) => {
            platform.openBrowser(url).catch(() => undefined);
          },
        });
        // Servers waiting for this sign-in connect again (their own errors show in their rows).
        await reconnectThroughIdp(keyring, id);
        return changed(await view(id));
      } finally {
        signIns.delete(id);
      }
    },

    'idps:cancel-connect': async (request) => {
      const id = field(request, 'id', 'The identity provider id')!;
      await idps.get(id);
      signIns.get(id)?.abort();
    },

    'idps:sign-out': async (request) => {
      const id = field(request, 'id', 'The identity provider id')!;
      signIns.get(id)?.abort();
      await idps.signOut(id);
      return changed(await view(id));
    },

    'idps:remove': async (request) => {
      const id = field(request, 'id', 'The identity provider id')!;
      const { servers } = await view(id);
      if (servers.length) throw invalid(`Remove the servers that use this identity provider first (${servers.join(', ')}).`);
      signIns.get(id)?.abort();
      changed(await idps.remove(id));
    },

    dispose() {
      for (const controller of signIns.values()) controller.abort();
    },
  };
}
