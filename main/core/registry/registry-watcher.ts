// One watcher of the registry's files per keyring: servers.json (the list) and the
// state files (sign-ins, refreshes, disconnects by any process). The window's
// service and the HTTP bridge run in the same app process over the same keyring;
// they subscribe here instead of each opening its own fs.watch.
import fs from 'node:fs';
import path from 'node:path';
import type { KeyringPaths } from '../paths';
import type { StateStore } from './state-store';

export interface RegistryChangeListener {
  /** servers.json was written (atomic writes rename a temporary file over it). */
  onServersChanged?(): void;
  /** The state file of server `id` was written. */
  onStateChanged?(id: string): void;
}

/** What the watcher needs of a keyring. */
export interface WatchedRegistry {
  readonly registry: { readonly paths: Pick<KeyringPaths, 'serversFile'> };
  readonly states: Pick<StateStore, 'watch'>;
}

export interface RegistrySubscription {
  /** Why a file could not be watched (inotify exhausted, say); empty when both are watched. */
  readonly problems: readonly string[];
  unsubscribe(): void;
}

class RegistryWatcher {
  readonly #listeners = new Set<RegistryChangeListener>();
  readonly #stop: Array<() => void> = [];
  #problems: string[] = [];

  constructor(private readonly source: WatchedRegistry) {}

  subscribe(listener: RegistryChangeListener): RegistrySubscription {
    if (this.#listeners.size === 0) this.#start();
    this.#listeners.add(listener);
    let done = false;
    return {
      problems: [...this.#problems],
      unsubscribe: () => {
        if (done) return;
        done = true;
        this.#listeners.delete(listener);
        // The last one out closes the file watches; the next subscriber opens them again.
        if (this.#listeners.size === 0) this.#close();
      },
    };
  }

  #start(): void {
    this.#problems = [];
    const file = this.source.registry.paths.serversFile;
    const base = path.basename(file);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const watcher = fs.watch(path.dirname(file), (_event, name) => {
        // No name (some platforms): treat it as a change rather than miss one.
        if (!name || name.toString() === base) for (const listener of [...this.#listeners]) safely(() => listener.onServersChanged?.());
      });
      watcher.on('error', () => undefined); // the directory went away; readers re-read on their own
      this.#stop.push(() => watcher.close());
    } catch (error) {
      this.#problems.push(`not watching ${file} (${error instanceof Error ? error.message : String(error)})`);
    }
    try {
      this.#stop.push(this.source.states.watch((id) => {
        for (const listener of [...this.#listeners]) safely(() => listener.onStateChanged?.(id));
      }));
    } catch (error) {
      this.#problems.push(`not watching the token states (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  #close(): void {
    for (const stop of this.#stop.splice(0)) stop();
  }
}

/** One listener's failure must not stop the others. */
function safely(call: () => void): void {
  try {
    call();
  } catch {
    // ignored on purpose
  }
}

const watchers = new WeakMap<WatchedRegistry, RegistryWatcher>();

/** Follows the registry files of `keyring`, sharing one set of file watches with every other subscriber. */
export function watchRegistry(keyring: WatchedRegistry, listener: RegistryChangeListener): RegistrySubscription {
  let watcher = watchers.get(keyring);
  if (!watcher) {
    watcher = new RegistryWatcher(keyring);
    watchers.set(keyring, watcher);
  }
  return watcher.subscribe(listener);
}
