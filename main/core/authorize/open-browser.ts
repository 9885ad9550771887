// Opens the sign-in page in the user's browser: $BROWSER when set (the URL is
// its one argument, never interpreted by a shell), else the platform opener.
import { spawn } from 'node:child_process';
import { KeyringError } from '../errors';

export type BrowserOpener = (url: string) => Promise<void>;

export function assertBrowsableUrl(url: string): URL {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new KeyringError('insecure-endpoint', `Refusing to open ${parsed.protocol} URL in the browser; only http(s) is allowed.`);
  }
  return parsed;
}

export function systemBrowserCommand(url: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): [string, string[]] {
  const browser = env.BROWSER?.trim();
  if (browser) {
    // $BROWSER may be a colon-separated list (the old convention); take the first.
    const first = browser.split(':')[0]!;
    return [first, [url]];
  }
  if (platform === 'darwin') return ['open', [url]];
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

export const openInSystemBrowser: BrowserOpener = async (url) => {
  assertBrowsableUrl(url);
  const [command, args] = systemBrowserCommand(url);
  await new Promise<void>((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true, shell: false });
    child.once('error', () => resolve()); // the URL is printed too, so the user can open it by hand
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
};
