// The servers:* channels: the list, adding (browser sign-in or browserless),
// connecting through the sign-in tracker, disconnecting and removing, history.
import type { AddServerRequest, KeyringApi } from '../../../shared/ipc-contract';
import { readHistory } from '../history/history';
import type { Keyring } from '../keyring';
import { addBrowserlessServer } from '../browserless-servers';
import { canonicalServerUrl } from '../url-policy';
import type { ChangeFeed } from './change-feed';
import type { SignInTracker } from './sign-in-tracker';
import { invalid, parseAuth, record, serverId, text } from './validate-input';

type ServerChannels =
  | 'servers:list'
  | 'servers:preview'
  | 'servers:add'
  | 'servers:remove'
  | 'servers:connect'
  | 'servers:cancel-connect'
  | 'servers:start-over'
  | 'servers:disconnect'
  | 'servers:history';

export function serverHandlers(keyring: Keyring, signIns: SignInTracker, feed: ChangeFeed): Pick<KeyringApi, ServerChannels> {
  const { changed } = feed;
  return {
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
      signIns.cancel(id);
      return changed(await keyring.remove(id));
    },

    'servers:connect': async (request) => signIns.connect(serverId(request)),

    'servers:cancel-connect': async (request) => {
      const id = serverId(request);
      await keyring.registry.get(id);
      signIns.cancel(id);
    },

    // "Start over" aborts the sign-in and runs it again with a new registration; the waiting connect call answers for both.
    'servers:start-over': async (request) => signIns.startOver(serverId(request)),

    'servers:disconnect': async (request) => {
      const id = serverId(request);
      signIns.cancel(id);
      return changed(await keyring.disconnect(id));
    },

    'servers:history': async (request) => {
      const id = serverId(request);
      await keyring.registry.get(id);
      return readHistory(keyring.registry.paths, id);
    },
  };
}
