// The window's security settings and navigation rules as pure functions, so they are
// unit-tested under plain Node (window.ts applies them; it needs Electron to run).
import type { BrowserWindowConstructorOptions } from 'electron';
import { isSafeExternalUrl } from './external';

/**
 * The renderer's Content-Security-Policy. index.html carries it as a <meta> (the only
 * way that is sure to apply to a file:// page); window.ts also sends it as a header,
 * where Electron lets webRequest add one. Both apply, so the stricter directive
 * wins: `connect-src 'none'` here closes the window's fetch() to file:// URLs, which
 * the meta's 'self' (needed by the HTTP test harness) would allow.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The window background before the page paints, matching renderer/styles.css (--bg). */
export const WINDOW_BACKGROUND = { light: '#f6f7f9', dark: '#16181c' } as const;

export interface WindowOptionsInput {
  /** Absolute path of the preload bundle (dist/app/preload.cjs). */
  preload: string;
  /** nativeTheme.shouldUseDarkColors. */
  dark: boolean;
  /** Window icon (Linux and Windows; macOS uses the app bundle's). */
  icon?: string;
  /** DevTools in development builds only. */
  devTools?: boolean;
}

export function windowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    width: 980,
    height: 700,
    minWidth: 640,
    minHeight: 480,
    title: 'MCP Keyring',
    // Shown on 'ready-to-show', so the window never flashes white.
    show: false,
    backgroundColor: input.dark ? WINDOW_BACKGROUND.dark : WINDOW_BACKGROUND.light,
    autoHideMenuBar: true,
    ...(input.icon ? { icon: input.icon } : {}),
    webPreferences: {
      preload: input.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: input.devTools ?? false,
    },
  };
}

/** Same document: a file:// URL with the renderer page's path (query and fragment aside). */
export function isRendererUrl(url: string | undefined, rendererUrl: string): boolean {
  if (!url) return false;
  let target: URL;
  let renderer: URL;
  try {
    target = new URL(url);
    renderer = new URL(rendererUrl);
  } catch {
    return false;
  }
  return target.protocol === 'file:' && renderer.protocol === 'file:' && target.host === renderer.host && target.pathname === renderer.pathname;
}

/** will-navigate: the window may only (re)load its own page; everything else is refused. */
export function isAllowedNavigation(url: string, rendererUrl: string): boolean {
  return isRendererUrl(url, rendererUrl);
}

/**
 * setWindowOpenHandler: never a new Electron window. An http(s) link goes to the
 * system browser (the return value says which URL to hand to openExternal); others are dropped.
 */
export function windowOpenDecision(url: string): { action: 'deny'; openExternally: string | null } {
  return { action: 'deny', openExternally: isSafeExternalUrl(url) ? new URL(url).href : null };
}
