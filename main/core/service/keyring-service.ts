// The app's side of the window contract (shared/ipc-contract.ts), in plain Node:
// every channel implemented over the core, plus the events the window listens to.
// The Electron shell binds `api` to ipcMain and forwards `subscribe` to the
// window; the UI test harness serves the very same object over HTTP. No electron
// import here, so all of it runs and is tested under plain Node.
//
// This file only composes the parts: input checks (validate-input.ts), dispatch
// (ipc-dispatch.ts), the event feed (change-feed.ts), sign-ins in progress
// (sign-in-tracker.ts) and the handlers, one file per area.
import type { KeyringApi } from '../../../shared/ipc-contract';
import type { Keyring } from '../keyring';
import { appHandlers } from './app-handlers';
import { ChangeFeed, type ServiceListener } from './change-feed';
import { clientHandlers } from './client-handlers';
import { identityProviderApi } from './identity-provider-api';
import type { KeyringPlatform } from './platform';
import { serverHandlers } from './server-handlers';
import { SignInTracker } from './sign-in-tracker';

export type { ClientEnvironment } from './clients';
export { CHANGE_DEBOUNCE_MS, type ServiceListener } from './change-feed';
export { invokeChannel, isIpcChannel, toIpcError } from './ipc-dispatch';
export type { KeyringPlatform } from './platform';

export interface KeyringService {
  api: KeyringApi;
  /** Events for the window; returns the unsubscribe function. */
  subscribe(listener: ServiceListener): () => void;
  /** Stops watching files, cancels sign-ins in progress and drops listeners. */
  dispose(): void;
}

export function createKeyringService(keyring: Keyring, platform: KeyringPlatform): KeyringService {
  const feed = new ChangeFeed(keyring);
  const signIns = new SignInTracker(keyring, platform, feed);
  const identityProviders = identityProviderApi(keyring, platform, feed.changed);
  const { dispose: disposeIdentityProviders, ...identityProviderChannels } = identityProviders;

  const api: KeyringApi = {
    ...serverHandlers(keyring, signIns, feed),
    ...clientHandlers(keyring, platform, feed),
    ...appHandlers(platform, keyring.fetch),
    ...identityProviderChannels,
  };

  let disposed = false;
  return {
    api,
    subscribe: (listener) => feed.subscribe(listener),
    dispose() {
      if (disposed) return;
      disposed = true;
      // The feed first: the sign-ins cancelled below send no events to a closed window.
      feed.dispose();
      signIns.dispose();
      disposeIdentityProviders();
    },
  };
}
