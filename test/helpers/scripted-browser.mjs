#!/usr/bin/env node
// A stand-in for the user's browser in CLI tests: set
//   BROWSER=/abs/path/to/test/helpers/scripted-browser.mjs
// (it is executable; `node test/helpers/scripted-browser.mjs <url>` works too).
// It signs in through oidc-provider's devInteractions pages with plain HTTP (see
// login-flow.mjs) and loads the loopback redirect URI like a browser, then exits.
//
// Environment knobs:
//   SCRIPTED_BROWSER_LOGIN=<name>   login name (default 'alice')
//   SCRIPTED_BROWSER_DENY=1         cancel the sign-in (redirect URI gets error=access_denied)
//   SCRIPTED_BROWSER_IGNORE=1       do nothing and exit 0 (for timeout tests)
//   SCRIPTED_BROWSER_RECORD=<file>  append one JSON line per run:
//                                   {"event":"opened"|"done"|"ignored"|"failed", "url": <redacted>, ...}
//   SCRIPTED_BROWSER_TIMEOUT_MS=<n> overall deadline (default 60000)
// Exit status: 0 when the flow reached a final page (whatever its status) or was
// ignored, 1 on failure (message on stderr, never with query strings), 2 on usage.
import { appendFileSync } from 'node:fs';
import { runLogin, redactUrl } from './login-flow.mjs';

const url = process.argv[2];
const env = process.env;

function record(entry) {
  if (!env.SCRIPTED_BROWSER_RECORD) return;
  try {
    appendFileSync(env.SCRIPTED_BROWSER_RECORD, `${JSON.stringify({ ...entry, pid: process.pid, at: new Date().toISOString() })}\n`);
  } catch {
    // recording is best effort
  }
}

if (!url) {
  process.stderr.write('usage: scripted-browser.mjs <authorization-url>\n');
  process.exit(2);
}

if (env.SCRIPTED_BROWSER_IGNORE === '1') {
  record({ event: 'ignored', url: redactUrl(url) });
  process.exit(0);
}

record({ event: 'opened', url: redactUrl(url) });
try {
  const result = await runLogin(url, {
    login: env.SCRIPTED_BROWSER_LOGIN || undefined,
    deny: env.SCRIPTED_BROWSER_DENY === '1',
    timeoutMs: env.SCRIPTED_BROWSER_TIMEOUT_MS ? Number(env.SCRIPTED_BROWSER_TIMEOUT_MS) : undefined,
  });
  record({ event: 'done', url: redactUrl(result.finalUrl), status: result.status });
  process.exit(0);
} catch (error) {
  record({ event: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.stderr.write(`scripted-browser: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
