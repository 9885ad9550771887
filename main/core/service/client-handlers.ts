// The channels about MCP clients' config files: listing and installing entries,
// adopting servers a client already has in plain text, and which entries use ours.
import type { KeyringApi } from '../../../shared/ipc-contract';
import { adoptedForm, adoptServer } from '../adopt/apply';
import { scanForAdoption } from '../adopt/scan';
import { removeServerEntries, serverUsage } from '../adopt/usage';
import { CLIENT_TARGETS } from '../clients/targets';
import { recordHistory } from '../history/history';
import type { Keyring } from '../keyring';
import type { ChangeFeed } from './change-feed';
import { checkClientId, checkTransport, clientLaunch, installClient, listClientTargets } from './clients';
import { clientEnvironment, type KeyringPlatform } from './platform';
import { invalid, record, serverId, text } from './validate-input';

type ClientChannels = 'clients:list' | 'clients:install' | 'adopt:scan' | 'adopt:apply' | 'servers:usage' | 'servers:remove-client-entries';

export function clientHandlers(keyring: Keyring, platform: KeyringPlatform, feed: ChangeFeed): Pick<KeyringApi, ClientChannels> {
  const where = () => clientEnvironment(platform);
  return {
    'clients:list': async (request) => {
      const input = request === undefined || request === null ? {} : record(request, 'clients');
      const id = text(input.id, 'The server id', { optional: true });
      if (id) await keyring.registry.get(id);
      return listClientTargets(where(), id);
    },

    'clients:install': async (request) => {
      const input = record(request, 'install');
      const id = text(input.id, 'The server id')!;
      const client = checkClientId(text(input.client, 'The client'));
      const transport = checkTransport(input.transport);
      const server = await keyring.registry.get(id);
      const launch = await clientLaunch(client, transport, server, platform);
      const installed = await installClient(where(), client, id, launch);
      if (installed.changed) recordHistory(keyring.registry.paths, id, { kind: 'config-written', by: keyring.actor, client: CLIENT_TARGETS[client].label, path: installed.path });
      return installed;
    },

    'adopt:scan': async () => (await scanForAdoption(where(), await keyring.registry.list())).scan,

    'adopt:apply': async (request) => {
      const input = record(request, 'adopt');
      const key = text(input.key, 'The server to adopt')!;
      if (input.deletePlaintext !== undefined && typeof input.deletePlaintext !== 'boolean') throw invalid('deletePlaintext is true or false.');
      const result = await adoptServer(
        {
          keyring,
          where: where(),
          launch: async (client, server, entry) => {
            const form = adoptedForm(client, Boolean(platform.cliCommand), entry);
            return { launch: await clientLaunch(client, form, server, platform), form };
          },
        },
        { key, deletePlaintext: input.deletePlaintext === true },
      );
      return feed.changed(result);
    },

    'servers:usage': async () => serverUsage(where()),

    'servers:remove-client-entries': async (request) => {
      const id = serverId(request);
      await keyring.registry.get(id);
      return removeServerEntries(where(), keyring.registry.paths, id, keyring.actor);
    },
  };
}
