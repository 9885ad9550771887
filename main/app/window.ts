// The one app window and the session hardening around it. The settings and rules
// themselves are pure functions in window-options.ts (unit-tested); this file
// applies them through Electron.
import { BrowserWindow, nativeTheme, type App, type Session, type WebContents } from 'electron';
import { pathToFileURL } from 'node:url';
import type { IpcEventName, IpcEvents } from '../../shared/ipc-contract';
import { sendEvent } from './ipc-binding';
import { CONTENT_SECURITY_POLICY, isAllowedNavigation, WINDOW_BACKGROUND, windowOpenDecision, windowOptions } from './window-options';

export { CONTENT_SECURITY_POLICY, isAllowedNavigation, windowOpenDecision, windowOptions } from './window-options';

/**
 * The session: every permission request (camera, notifications from the page,
 * clipboard-read, …) refused, and the CSP sent as a header as well as index.html's
 * <meta>. (Whether Chromium runs webRequest for file:// responses has varied across
 * versions; the <meta> is what makes the policy certain, the header adds
 * connect-src 'none' where it applies.)
 */
export function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
    }
    headers['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
    callback({ responseHeaders: headers });
  });
}

/**
 * Every web contents the app ever creates: no navigation away from our page, no
 * new windows, no <webview>. A target=_blank http(s) link opens in the browser.
 */
export function hardenWebContents(app: App, rendererUrl: string, openExternal: (url: string) => Promise<void>): void {
  app.on('web-contents-created', (_event, contents) => {
    // Navigation away from our page: refused, and nothing opened (a script could
    // otherwise push any site into the browser). Links go through app:open-external.
    contents.on('will-navigate', (event) => {
      if (!isAllowedNavigation(event.url, rendererUrl)) event.preventDefault();
    });
    // Subframes (the CSP allows none) and redirects: refused, nothing opened.
    contents.on('will-frame-navigate', (event) => {
      if (!isAllowedNavigation(event.url, rendererUrl)) event.preventDefault();
    });
    contents.on('will-redirect', (event) => {
      if (!isAllowedNavigation(event.url, rendererUrl)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      const decision = windowOpenDecision(url);
      if (decision.openExternally) void openExternal(decision.openExternally).catch(() => undefined);
      return { action: decision.action };
    });
  });
}

export interface MainWindowOptions {
  preload: string;
  rendererHtml: string;
  icon?: string;
  devTools: boolean;
  onLoadFailed?: (message: string) => void;
  /** The window was created / closed (macOS shows the Dock icon only while it exists). */
  onOpen?: () => void;
  onClosed?: () => void;
}

/**
 * The window, created on demand and destroyed when closed: the app lives on in the
 * tray without a renderer process using memory all day. Reopening is a local file load.
 */
export class MainWindow {
  readonly rendererUrl: string;
  private window: BrowserWindow | undefined;
  private loaded: Promise<void> = Promise.resolve();

  constructor(private readonly options: MainWindowOptions) {
    this.rendererUrl = pathToFileURL(options.rendererHtml).href;
    nativeTheme.on('updated', () => {
      if (this.window && !this.window.isDestroyed()) this.window.setBackgroundColor(background());
    });
  }

  /** The window's web contents, while it exists. */
  get webContents(): WebContents | undefined {
    return this.window && !this.window.isDestroyed() ? this.window.webContents : undefined;
  }

  owns(contents: WebContents): boolean {
    const own = this.webContents;
    return own !== undefined && own.id === contents.id;
  }

  isFocused(): boolean {
    return this.window !== undefined && !this.window.isDestroyed() && this.window.isVisible() && this.window.isFocused();
  }

  /** Shows (creating if needed) and focuses the window; resolves once the page has loaded. */
  async show(): Promise<void> {
    const existing = this.window && !this.window.isDestroyed() ? this.window : undefined;
    const window = existing ?? this.create();
    if (existing) {
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
    }
    await this.loaded;
  }

  /** Shows the window on one server (a notification was clicked). */
  async focusServer(id: string): Promise<void> {
    await this.show();
    sendEvent(this.webContents, 'app:focus-server', { id });
  }

  send<E extends IpcEventName>(event: E, payload: IpcEvents[E]): void {
    sendEvent(this.webContents, event, payload);
  }

  destroy(): void {
    if (this.window && !this.window.isDestroyed()) this.window.destroy();
    this.window = undefined;
  }

  private create(): BrowserWindow {
    const window = new BrowserWindow(
      windowOptions({
        preload: this.options.preload,
        dark: nativeTheme.shouldUseDarkColors,
        devTools: this.options.devTools,
        ...(this.options.icon ? { icon: this.options.icon } : {}),
      }),
    );
    this.window = window;
    window.once('ready-to-show', () => {
      window.show();
      window.focus();
    });
    window.on('closed', () => {
      if (this.window === window) this.window = undefined;
      this.options.onClosed?.();
    });
    this.options.onOpen?.();
    this.loaded = new Promise<void>((resolve) => {
      window.webContents.once('did-finish-load', () => resolve());
      window.webContents.once('did-fail-load', (_event, code, description) => {
        this.options.onLoadFailed?.(`The window failed to load (${code} ${description}).`);
        resolve();
      });
    });
    window.loadFile(this.options.rendererHtml).catch((error: unknown) => {
      this.options.onLoadFailed?.(`The window failed to load (${error instanceof Error ? error.message : String(error)}).`);
    });
    return window;
  }
}

function background(): string {
  return nativeTheme.shouldUseDarkColors ? WINDOW_BACKGROUND.dark : WINDOW_BACKGROUND.light;
}
