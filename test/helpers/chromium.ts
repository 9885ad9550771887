// Real-browser sign-in: drives Debian's Chromium (headless, via playwright-core)
// through oidc-provider's devInteractions login and consent pages until it lands
// on the loopback redirect URI, then returns what that page shows.
import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';

const EXECUTABLE = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface ChromiumLoginOptions {
  /** Login name (default 'alice'). */
  login?: string;
  /** Directory for a screenshot of every step (created if missing). */
  screenshotDir?: string;
  /** Overall deadline in ms (default 60 000). */
  timeoutMs?: number;
}

export interface ChromiumLoginResult {
  /** URL of the page the browser ended on (the loopback callback, with its query). */
  finalUrl: string;
  /** Visible text of that page. */
  bodyText: string;
}

export function chromiumAvailable(): boolean {
  try {
    accessSync(EXECUTABLE, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || hostname === '::1';
}

export async function completeLoginInChromium(authorizationUrl: string, options: ChromiumLoginOptions = {}): Promise<ChromiumLoginResult> {
  const login = options.login ?? 'alice';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());

  const authUrl = new URL(authorizationUrl);
  const redirectUri = authUrl.searchParams.get('redirect_uri');
  // Where the browser is done: the redirect URI (any query), or, when the request
  // carries none (PAR), any loopback /callback that is not the authorization server.
  const isCallback = (url: URL): boolean => {
    if (redirectUri) {
      const target = new URL(redirectUri);
      return url.origin === target.origin && url.pathname === target.pathname;
    }
    return isLoopback(url.hostname) && url.origin !== authUrl.origin && url.pathname === '/callback';
  };

  let shot = 0;
  const screenshot = async (page: Page, name: string) => {
    if (!options.screenshotDir) return;
    mkdirSync(options.screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(options.screenshotDir, `${String(++shot).padStart(2, '0')}-${name}.png`) }).catch(() => {});
  };

  const browser = await chromium.launch({ executablePath: EXECUTABLE, args: ARGS, headless: true, timeout: 30_000 });
  try {
    const context = await browser.newContext();
    // Loopback only: the dev pages @import Google Fonts; never leave the machine.
    await context.route('**/*', (route) => {
      const { hostname, protocol } = new URL(route.request().url());
      if ((protocol === 'http:' || protocol === 'https:') && isLoopback(hostname)) return route.continue();
      if (protocol === 'data:' || protocol === 'blob:') return route.continue();
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    page.setDefaultTimeout(Math.min(timeoutMs, 30_000));

    await page.goto(authorizationUrl, { waitUntil: 'load', timeout: remaining() });

    for (let step = 0; step < 10; step++) {
      const current = new URL(page.url());
      if (isCallback(current)) break;
      await screenshot(page, `step-${step}`);

      const prompt = await page
        .locator('form input[name="prompt"]')
        .first()
        .getAttribute('value', { timeout: remaining() })
        .catch(() => null);
      if (isCallback(new URL(page.url()))) break;

      if (prompt === 'login') {
        await page.fill('input[name="login"]', login);
        await page.fill('input[name="password"]', 'password');
        await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: remaining() }), page.click('form button[type="submit"]')]);
      } else if (prompt === 'consent') {
        await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: remaining() }), page.click('form button[type="submit"]')]);
      } else {
        const text = (await page.locator('body').innerText().catch(() => '')).slice(0, 500);
        throw new Error(`chromium: unexpected page at ${current.origin}${current.pathname}: ${text}`);
      }
    }

    await page.waitForURL((url) => isCallback(url), { waitUntil: 'load', timeout: remaining() });
    await screenshot(page, 'callback');
    const bodyText = await page.locator('body').innerText({ timeout: remaining() });
    return { finalUrl: page.url(), bodyText };
  } finally {
    await browser.close().catch(() => {});
  }
}
