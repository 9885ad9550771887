// Desktop notifications: shown only where the system supports them, kept
// referenced until clicked or closed (or a click may be lost to garbage
// collection), and all closed when the app stops.
import { Notification } from 'electron';

export class Notifications {
  readonly #open = new Set<Notification>();

  show(title: string, body: string, onClick: () => void): void {
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title, body });
    this.#open.add(notification);
    notification.on('click', () => {
      this.#open.delete(notification);
      onClick();
    });
    notification.on('close', () => this.#open.delete(notification));
    notification.show();
  }

  closeAll(): void {
    for (const notification of this.#open) notification.close();
    this.#open.clear();
  }
}
