// The tray icon: its picture, tooltip and menu come from tray-state.ts (pure and
// unit-tested); this file only hands them to Electron, and only when they change.
import { Menu, nativeImage, Tray, type NativeImage } from 'electron';
import path from 'node:path';
import type { ServerView } from '../../shared/server-state';
import { aggregateStatus, iconFor, trayMenuTemplate, trayTooltip, withHandlers, type TrayAction, type TrayMenuOptions } from './tray-state';

export interface AppTrayOptions {
  iconsDir: string;
  onAction: (action: TrayAction) => void;
  /** Left click (Windows, some Linux trays): the menu is on the right button there. */
  onClick: () => void;
  platform?: NodeJS.Platform;
}

export class AppTray {
  readonly tray: Tray;
  private readonly images = new Map<string, NativeImage>();
  private shown = { icon: '', tooltip: '', menu: '' };

  constructor(private readonly options: AppTrayOptions) {
    const icon = iconFor('no-servers');
    this.tray = new Tray(this.image(icon));
    this.shown.icon = icon;
    if ((options.platform ?? process.platform) !== 'darwin') this.tray.on('click', () => options.onClick());
    this.update([], { startAtLogin: false });
  }

  update(views: readonly ServerView[], options: TrayMenuOptions): void {
    if (this.tray.isDestroyed()) return;
    const icon = iconFor(aggregateStatus(views));
    if (icon !== this.shown.icon) {
      this.tray.setImage(this.image(icon));
      this.shown.icon = icon;
    }
    const tooltip = trayTooltip(views);
    if (tooltip !== this.shown.tooltip) {
      this.tray.setToolTip(tooltip);
      this.shown.tooltip = tooltip;
    }
    const template = trayMenuTemplate(views, options);
    const key = JSON.stringify(template);
    if (key !== this.shown.menu) {
      this.tray.setContextMenu(Menu.buildFromTemplate(withHandlers(template, this.options.onAction)));
      this.shown.menu = key;
    }
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }

  private image(file: string): NativeImage {
    let image = this.images.get(file);
    if (!image) {
      // createFromPath picks up the @2x file beside it on high-DPI screens.
      image = nativeImage.createFromPath(path.join(this.options.iconsDir, file));
      this.images.set(file, image);
    }
    return image;
  }
}
