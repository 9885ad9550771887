// Small things the quirks tests share: a scripted browser that remembers the
// authorization URLs it was sent to, a scan of the data directory for a secret,
// and polling.
import fs from 'node:fs/promises';
import path from 'node:path';
import { completeLogin, type CompleteLoginOptions } from '../user-agent';

/** A browser for keyring.connect that signs in (oidc-provider dev pages) and keeps every URL it opened. */
export function recordingBrowser(options: CompleteLoginOptions = {}) {
  const urls: URL[] = [];
  const failures: Error[] = [];
  return {
    urls,
    /** Login flows that failed (the core ignores a failing browser, so a test may want to look). */
    failures,
    /** The last authorization URL's query parameters. */
    last: () => urls.at(-1)?.searchParams ?? new URLSearchParams(),
    signIn: {
      openBrowser: async (url: string) => {
        urls.push(new URL(url));
        const redirectUri = new URL(url).searchParams.get('redirect_uri') ?? '';
        try {
          const result = await completeLogin(url, options);
          if (!result.finalUrl.startsWith(redirectUri)) {
            throw new Error(`the sign-in ended at ${new URL(result.finalUrl).pathname} (HTTP ${result.status}), not at the redirect URI: ${pageText(result.body)}`);
          }
        } catch (error) {
          failures.push(error as Error);
          process.stderr.write(`recordingBrowser: ${(error as Error).message}\n`);
          throw error;
        }
      },
      timeoutMs: 20_000,
    },
  };
}

/** The readable text of an HTML page, shortened, for error messages. */
function pageText(html: string): string {
  return html
    .replace(/<(style|script)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 400);
}

/** Paths (relative to `dir`) of the files under `dir` that contain `needle`. */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  const walk = async (current: string) => {
    for (const entry of await fs.readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if ((await fs.readFile(full, 'latin1')).includes(needle)) hits.push(path.relative(dir, full));
    }
  };
  await walk(dir);
  return hits;
}

/** Number of files under `dir`. */
export async function countFiles(dir: string): Promise<number> {
  let count = 0;
  const walk = async (current: string) => {
    for (const entry of await fs.readdir(current, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(path.join(current, entry.name));
      else count++;
    }
  };
  await walk(dir);
  return count;
}

export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
