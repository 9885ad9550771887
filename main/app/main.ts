// The desktop app's main process (bundled to dist/app/main.cjs). Thin on purpose:
// the core does the work; this file wires it to Electron — single instance, the
// window (created on demand), IPC, start at login, the background refresh of
// tokens, and the tray (tray-controller.ts) with its notifications (notifications.ts).
//
// The app also runs the local HTTP bridge (127.0.0.1:8737, or MCP_KEYRING_HTTP_PORT)
// for clients that connect by URL; when its port is taken the app goes on without
// it (the stdio bridge needs no app) and says so in its log.
//
// Lifecycle: closing the window leaves the app in the tray; it quits from the tray
// menu (or Cmd-Q). Started at login it comes up in the tray only. Launching it again
// focuses the running instance's window.
import { app, ipcMain, Menu, powerMonitor, session, shell } from 'electron';
import path from 'node:path';
import type { AppSettings } from '../../shared/ipc-contract';
import { openInSystemBrowser } from '../core/authorize/open-browser';
import { startHttpBridge, type HttpBridge } from '../core/bridge/http-bridge';
import { errorMessage } from '../core/errors';
import { actorLabel } from '../core/actor';
import { Keyring } from '../core/keyring';
import { dataDir, keyringPaths } from '../core/paths';
import { createKeyringService, type KeyringService } from '../core/service/keyring-service';
import { RefreshScheduler } from '../core/scheduler/refresh-scheduler';
import { setKeychainBackend, type KeychainBackend } from '../core/vault/keychain';
import { appBridgeLaunch, appCliCommand, appFiles, type LaunchHost } from './app-layout';
import { safeOpenExternal } from './external';
import { bindIpc, isTrustedSender, senderInfo } from './ipc-binding';
import { createAppLog, type AppLog } from './log';
import { autostartFile, createLoginItem, HIDDEN_FLAG, startedAtLogin } from './login-item';
import { Notifications } from './notifications';
import { TrayController } from './tray-controller';
import { hardenSession, hardenWebContents, MainWindow } from './window';

const APP_ID = 'dev.mcpkeyring.app';
/** Set by the Electron smoke test: exposes the tray on globalThis for inspection. */
const TEST_MODE = Boolean(process.env.MCP_KEYRING_TEST);

const files = appFiles(__dirname);

/**
 * keytar is native, so it stays outside the bundle: required from node_modules (in
 * the package: app.asar.unpacked). Should it fail to load, every keychain call says
 * so clearly instead of the app failing to start.
 */
function loadKeychain(log: AppLog): void {
  try {
    setKeychainBackend(require('keytar') as KeychainBackend);
  } catch (error) {
    log.error('The keychain module (keytar) did not load', error);
    const fail = async (): Promise<never> => {
      throw error;
    };
    setKeychainBackend({ getPassword: fail, setPassword: fail, deletePassword: fail, findCredentials: fail });
  }
}

function main(): void {
  // Every renderer sandboxed, whatever a window's options say.
  app.enableSandbox();
  // The smoke test runs beside a real instance: its own Electron profile (and so its own single-instance lock).
  if (TEST_MODE && process.env.MCP_KEYRING_HOME) app.setPath('userData', path.join(path.resolve(process.env.MCP_KEYRING_HOME), 'electron'));
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

  let shell_: Shell | undefined;
  let showRequested = false;
  app.on('second-instance', (_event, argv) => {
    if (argv.includes(HIDDEN_FLAG)) return;
    if (shell_) void shell_.window.show();
    else showRequested = true;
  });
  // Closing the window does not quit: the app stays in the tray.
  app.on('window-all-closed', () => undefined);

  let cleanedUp = false;
  app.on('will-quit', (event) => {
    if (cleanedUp || !shell_) return;
    // Let a refresh under way finish (it holds the cross-process lock), but not for long.
    event.preventDefault();
    const current = shell_;
    void Promise.race([current.stop(), new Promise((resolve) => setTimeout(resolve, 3_000))])
      .catch(() => undefined)
      .finally(() => {
        cleanedUp = true;
        app.quit();
      });
  });

  app
    .whenReady()
    .then(() => {
      shell_ = startShell();
      const hidden = !TEST_MODE && startedAtLogin(process.argv, process.platform, app);
      if (!hidden || showRequested) void shell_.window.show();
      else app.dock?.hide();
    })
    .catch((error: unknown) => {
      process.stderr.write(`MCP Keyring could not start: ${errorMessage(error)}\n`);
      app.exit(1);
    });
}

interface Shell {
  window: MainWindow;
  stop(): Promise<void>;
}

function startShell(): Shell {
  const log = createAppLog(keyringPaths(dataDir()).logDir, { stderr: !app.isPackaged });
  loadKeychain(log);
  const keyring = new Keyring({ actor: actorLabel('app') });
  log.info(`MCP Keyring ${app.getVersion()} started (pid ${process.pid})`);

  const openExternal = (url: string): Promise<void> => safeOpenExternal(url, (checked) => shell.openExternal(checked));
  const loginItem = createLoginItem({
    platform: process.platform,
    host: app,
    linux: {
      file: autostartFile(),
      // An AppImage runs from a temporary mount: start the .AppImage file itself.
      argv: process.env.APPIMAGE ? [process.env.APPIMAGE] : app.isPackaged ? [process.execPath] : [process.execPath, files.root],
    },
  });
  let settings: AppSettings = { startAtLogin: false };
  // Created below, once the window exists; the settings it shows can change before that.
  let trayController: TrayController | undefined;

  // --- the local HTTP bridge: port from MCP_KEYRING_HTTP_PORT or 8737 ----------------
  // Started without waiting: the window and tray do not depend on it. A taken port
  // (another MCP Keyring serving it, or some other program) is logged, not fatal.
  const httpBridge: Promise<HttpBridge | undefined> = startHttpBridge(keyring, { log: (line) => log.info(`HTTP bridge: ${line}`) }).then(
    (bridge) => {
      log.info(`Local HTTP bridge listening on 127.0.0.1:${bridge.port}`);
      return bridge;
    },
    (error: unknown) => {
      log.error('The local HTTP bridge did not start (clients can still use the stdio bridge)', error);
      return undefined;
    },
  );

  const launchHost: LaunchHost = {
    packaged: app.isPackaged,
    execPath: process.execPath,
    resourcesPath: process.resourcesPath,
    root: files.root,
    env: process.env,
    platform: process.platform,
  };

  const service: KeyringService = createKeyringService(keyring, {
    // $BROWSER wins where it is set (as for the CLI); otherwise the system's default browser.
    openBrowser: (url) => (process.env.BROWSER ? openInSystemBrowser(url) : openExternal(url)),
    openExternal,
    getSettings: async () => {
      settings = { startAtLogin: await loginItem.get() };
      return settings;
    },
    setSettings: async (patch) => {
      if (patch.startAtLogin !== undefined) settings = { startAtLogin: await loginItem.set(patch.startAtLogin) };
      trayController?.refresh();
      return settings;
    },
    bridgeLaunch: (serverId) => appBridgeLaunch(serverId, launchHost),
    // Its secret reaches the window in the snippet of an http entry; it is never logged.
    httpBridge: () => httpBridge,
    cliCommand: (args) => appCliCommand(args, launchHost),
  });

  // --- security: session, every web contents, the application menu ---------------
  const window = new MainWindow({
    preload: files.preload,
    rendererHtml: files.rendererHtml,
    ...(process.platform === 'darwin' ? {} : { icon: path.join(files.iconsDir, 'app.png') }),
    devTools: !app.isPackaged,
    onLoadFailed: (message) => log.error(message),
    // macOS: a Dock icon while the window is open, only the menu-bar icon otherwise.
    onOpen: () => void app.dock?.show().catch(() => undefined),
    onClosed: () => app.dock?.hide(),
  });
  hardenSession(session.defaultSession);
  hardenWebContents(app, window.rendererUrl, openExternal);
  // No File/View menu with reload and DevTools in the package (macOS keeps its app menu for Cmd-Q and editing).
  if (app.isPackaged && process.platform !== 'darwin') Menu.setApplicationMenu(null);

  // --- IPC: exactly the contract's channels, for our own page only -----------------
  const unbind = bindIpc(ipcMain, service.api, (event) => isTrustedSender(senderInfo(event, (contents) => window.owns(contents)), window.rendererUrl));

  // --- tray and notifications (tray-controller.ts) --------------------------------
  const notifications = new Notifications();
  trayController = new TrayController({
    service,
    window,
    log,
    notifications,
    iconsDir: files.iconsDir,
    settings: () => settings,
    quit: () => app.quit(),
  });
  if (TEST_MODE) (globalThis as Record<string, unknown>).__mcpKeyringTray = trayController.tray.tray;

  const unsubscribe = service.subscribe((event, payload) => {
    window.send(event, payload);
    trayController.onEvent(event, payload);
  });
  trayController.start();

  // --- background refresh ---------------------------------------------------------
  const scheduler = new RefreshScheduler(keyring, {
    onError: (error, id) => log.error(`Refreshing the token of ${id} failed`, error),
  });
  scheduler.start();
  // Timers do not count sleep everywhere: look again when the machine wakes up.
  powerMonitor.on('resume', () => void scheduler.rescan());

  app.on('activate', () => void window.show());

  return {
    window,
    async stop() {
      unsubscribe();
      unbind();
      notifications.closeAll();
      trayController?.stop();
      service.dispose();
      await Promise.all([scheduler.stop(), httpBridge.then((bridge) => bridge?.close())]);
      log.info('MCP Keyring stopped');
    },
  };
}

main();
