// The window's events: listeners, and 'servers:changed', where any write to
// servers.json or a state file, by any process, becomes one fresh list after a
// short quiet period. No polling.
import type { IpcEventName, IpcEvents } from '../../../shared/ipc-contract';
import type { ServerView } from '../../../shared/server-state';
import type { Keyring } from '../keyring';
import { watchRegistry } from '../registry/registry-watcher';

export type ServiceListener = <E extends IpcEventName>(event: E, payload: IpcEvents[E]) => void;

/** How long file events are gathered before one 'servers:changed' goes out. */
export const CHANGE_DEBOUNCE_MS = 50;

export class ChangeFeed {
  readonly #listeners = new Set<ServiceListener>();
  #disposed = false;
  #timer: NodeJS.Timeout | undefined;
  #lastSent: string | undefined;
  #sending: Promise<void> = Promise.resolve();
  readonly #unwatch: () => void;

  constructor(private readonly keyring: Keyring) {
    // Without file watching, changes made through the service still go out (see `changed`).
    const subscription = watchRegistry(keyring, { onServersChanged: () => this.schedule(), onStateChanged: () => this.schedule() });
    this.#unwatch = () => subscription.unsubscribe();
  }

  emit<E extends IpcEventName>(event: E, payload: IpcEvents[E]): void {
    if (this.#disposed) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(event, payload);
      } catch {
        // One broken listener (a closed window) must not stop the others.
      }
    }
  }

  /** Events for the window; returns the unsubscribe function. */
  subscribe(listener: ServiceListener): () => void {
    if (this.#disposed) return () => undefined;
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** A fresh list soon, whatever changed. */
  schedule(): void {
    if (this.#disposed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // One list at a time, in order, so an older read never overtakes a newer one.
      const send = () => this.#send();
      this.#sending = this.#sending.then(send, send);
    }, CHANGE_DEBOUNCE_MS);
    this.#timer.unref?.();
  }

  /** After an action here: the watchers would notice too, but do not depend on them. */
  readonly changed = <T>(value: T): T => {
    this.schedule();
    return value;
  };

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#unwatch();
    this.#listeners.clear();
  }

  async #send(): Promise<void> {
    if (this.#disposed || this.#listeners.size === 0) return;
    let servers: ServerView[];
    try {
      servers = await this.keyring.list();
    } catch {
      // servers.json is mid-edit or damaged: the window's next servers:list shows the error.
      return;
    }
    const fingerprint = JSON.stringify(servers);
    if (fingerprint === this.#lastSent) return;
    this.#lastSent = fingerprint;
    this.emit('servers:changed', servers);
  }
}
