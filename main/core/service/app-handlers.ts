// The channels about the app itself: settings, opening a link, and the MCP
// registry search of the Add dialog.
import type { KeyringApi } from '../../../shared/ipc-contract';
import type { NodeFetch } from '../http/node-fetch';
import { searchRegistry } from '../registry-search/registry-search';
import type { KeyringPlatform } from './platform';
import { httpUrl, record, settingsPatch, text } from './validate-input';

type AppChannels = 'settings:get' | 'settings:set' | 'app:open-external' | 'registry:search';

export function appHandlers(platform: KeyringPlatform, fetch: NodeFetch): Pick<KeyringApi, AppChannels> {
  return {
    'settings:get': async () => platform.getSettings(),

    'settings:set': async (request) => platform.setSettings(settingsPatch(request)),

    'app:open-external': async (request) => {
      await platform.openExternal(httpUrl(record(request, 'open').url));
    },

    'registry:search': async (request) => {
      const input = record(request, 'search');
      const words = text(input.words, 'The search words', { optional: true }) ?? '';
      const cursor = text(input.cursor, 'The page cursor', { optional: true });
      return searchRegistry(words, { fetch, ...(platform.registryUrl ? { baseUrl: platform.registryUrl } : {}), ...(cursor ? { cursor } : {}) });
    },
  };
}
