// The tray's behaviour: it follows the service's server list and sign-ins in
// progress, answers its menu (open, connect, start at login, quit), and tells the
// user by notification when a server newly needs them. The icon and menu
// themselves are tray.ts and tray-state.ts.
import type { AppSettings, IpcEventName, IpcEvents } from '../../shared/ipc-contract';
import type { ServerView } from '../../shared/server-state';
import { errorMessage, isKeyringError } from '../core/errors';
import type { KeyringService } from '../core/service/keyring-service';
import type { AppLog } from './log';
import type { Notifications } from './notifications';
import { AppTray } from './tray';
import { newlyNeedingSignIn, signInNotification, type TrayAction } from './tray-state';
import type { MainWindow } from './window';

/** How often the tray re-reads the list even without file events ("expiring" is a matter of time). */
const TRAY_TICK_MS = 60_000;

export interface TrayControllerOptions {
  service: KeyringService;
  window: Pick<MainWindow, 'show' | 'focusServer' | 'isFocused'>;
  log: AppLog;
  notifications: Notifications;
  iconsDir: string;
  /** The settings as last read or written by the service's platform. */
  settings: () => AppSettings;
  quit: () => void;
}

export class TrayController {
  readonly tray: AppTray;
  #views: ServerView[] | undefined;
  #lastList = '';
  readonly #connecting = new Set<string>();
  #tick: NodeJS.Timeout | undefined;

  constructor(private readonly options: TrayControllerOptions) {
    this.tray = new AppTray({ iconsDir: options.iconsDir, onAction: (action) => this.#onAction(action), onClick: () => void options.window.show() });
  }

  /** Reads the settings and the list now, and the list again every minute. */
  start(): void {
    const { service, log } = this.options;
    void service.api['settings:get'](undefined)
      .then(() => this.refresh())
      .catch((error: unknown) => log.error('Reading the settings failed', error));
    void this.#readList();
    this.#tick = setInterval(() => void this.#readList(), TRAY_TICK_MS);
  }

  stop(): void {
    if (this.#tick) clearInterval(this.#tick);
    this.tray.destroy();
  }

  refresh(): void {
    this.tray.update(this.#views ?? [], { startAtLogin: this.options.settings().startAtLogin, connecting: this.#connecting });
  }

  /** One event of the service (the window gets it too). */
  onEvent<E extends IpcEventName>(event: E, payload: IpcEvents[E]): void {
    if (event === 'servers:changed') this.#onServers(payload as ServerView[]);
    if (event === 'connect:progress') {
      const progress = payload as { id: string; step: string };
      if (progress.step === 'done' || progress.step === 'failed' || progress.step === 'cancelled') this.#connecting.delete(progress.id);
      else this.#connecting.add(progress.id);
      this.refresh();
    }
  }

  #onAction(action: TrayAction): void {
    const { window, service, log } = this.options;
    switch (action.type) {
      case 'open':
        void window.show();
        break;
      case 'open-server':
        if (action.id) void window.focusServer(action.id);
        break;
      case 'connect':
        if (action.id) this.#connect(action.id);
        break;
      case 'toggle-login':
        void service.api['settings:set']({ startAtLogin: !this.options.settings().startAtLogin }).catch((error: unknown) => log.error('Changing "Start at login" failed', error));
        break;
      case 'quit':
        this.options.quit();
        break;
    }
  }

  #onServers(next: ServerView[]): void {
    const { window, log, notifications } = this.options;
    const newly = newlyNeedingSignIn(this.#views, next);
    this.#views = next;
    this.#lastList = listKey(next);
    this.refresh();
    if (window.isFocused()) return; // the user is looking at the list already
    for (const id of newly) {
      const view = next.find((v) => v.id === id);
      if (!view) continue;
      const { title, body } = signInNotification(view);
      log.info(`${view.id} needs the user: ${view.status}`);
      notifications.show(title, body, () => void window.focusServer(id));
    }
  }

  #connect(id: string): void {
    const { window, service, log, notifications } = this.options;
    service.api['servers:connect']({ id }).catch((error: unknown) => {
      if (isKeyringError(error, 'cancelled')) return;
      log.error(`Connecting ${id} from the tray failed`, error);
      const name = this.#views?.find((v) => v.id === id)?.name ?? id;
      notifications.show(`Could not connect ${name}`, errorMessage(error), () => void window.focusServer(id));
    });
  }

  async #readList(): Promise<void> {
    try {
      const next = await this.options.service.api['servers:list'](undefined);
      if (this.#views === undefined || listKey(next) !== this.#lastList) this.#onServers(next);
    } catch (error) {
      this.options.log.error('Reading the server list failed', error);
    }
  }
}

function listKey(list: ServerView[]): string {
  return JSON.stringify(list.map((v) => [v.id, v.name, v.status]));
}
