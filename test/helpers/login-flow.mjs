// Scripted "browser" for oidc-provider's devInteractions pages, shared by
// user-agent.ts (in-process) and scripted-browser.mjs ($BROWSER in CLI tests).
//
// It behaves like a user agent that follows redirects, keeps cookies, submits the
// login form (any login, any password) and the consent form (or follows the
// "[ Cancel ]" link when denying), and finally loads the loopback redirect URI
// (http://127.0.0.1:<port>/callback?code=…&state=…&iss=…) as a browser would.
// Plain JavaScript on purpose: the $BROWSER script must run with bare `node`.
//
// Nothing here logs; error messages never include query strings (they may carry
// authorization codes).

const DEFAULT_LOGIN = 'alice';
const MAX_STEPS = 25;
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** URL without query/fragment, for error messages. */
export function redactUrl(url) {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '<invalid url>';
  }
}

// --- cookies ---------------------------------------------------------------------
class CookieJar {
  /** @type {Map<string, {name: string, value: string, path: string, host: string, expires: number}>} */
  #cookies = new Map();

  store(url, setCookieHeaders) {
    const { hostname, pathname } = new URL(url);
    for (const header of setCookieHeaders) {
      const [pair, ...attrs] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = pathname.slice(0, pathname.lastIndexOf('/') + 1) || '/';
      let expires = Infinity;
      for (const attr of attrs) {
        const i = attr.indexOf('=');
        const key = (i === -1 ? attr : attr.slice(0, i)).trim().toLowerCase();
        const val = i === -1 ? '' : attr.slice(i + 1).trim();
        if (key === 'path' && val.startsWith('/')) path = val;
        else if (key === 'max-age') expires = Date.now() + Number(val) * 1000;
        else if (key === 'expires' && expires === Infinity) {
          const t = Date.parse(val);
          if (!Number.isNaN(t)) expires = t;
        }
      }
      const key = `${hostname}\0${path}\0${name}`;
      if (expires <= Date.now()) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path, host: hostname, expires });
    }
  }

  header(url) {
    const { hostname, pathname } = new URL(url);
    const now = Date.now();
    const matching = [];
    for (const [key, c] of this.#cookies) {
      if (c.expires <= now) {
        this.#cookies.delete(key);
        continue;
      }
      if (c.host !== hostname) continue;
      const prefix = c.path.endsWith('/') ? c.path : `${c.path}/`;
      if (pathname === c.path || pathname.startsWith(prefix)) matching.push(c);
    }
    // Longer paths first, like browsers.
    matching.sort((a, b) => b.path.length - a.path.length);
    return matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

// --- HTML parsing ----------------------------------------------------------------
function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (_, e) => {
    const lower = e.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? `&${e};`;
  });
}

function parseAttributes(tag) {
  const attrs = {};
  const re = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  // Skip the tag name.
  const body = tag.replace(/^<\s*[a-z0-9]+/i, '').replace(/\/?>$/, '');
  let m;
  while ((m = re.exec(body))) {
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

/** All <form>s with their action, method and <input> fields. */
export function parseForms(html) {
  const forms = [];
  const formRe = /<form\b[^>]*>([\s\S]*?)<\/form>/gi;
  let m;
  while ((m = formRe.exec(html))) {
    const openTag = m[0].slice(0, m[0].indexOf('>') + 1);
    const attrs = parseAttributes(openTag);
    const inputs = [];
    const inputRe = /<input\b[^>]*>/gi;
    let im;
    while ((im = inputRe.exec(m[1]))) {
      const a = parseAttributes(im[0]);
      if (a.name) inputs.push({ name: a.name, type: (a.type ?? 'text').toLowerCase(), value: a.value ?? '' });
    }
    forms.push({ action: attrs.action ?? '', method: (attrs.method ?? 'get').toLowerCase(), inputs });
  }
  return forms;
}

function findLink(html, predicate) {
  const re = /<a\b[^>]*>([\s\S]*?)<\/a>/gi;
  let m;
  while ((m = re.exec(html))) {
    const attrs = parseAttributes(m[0].slice(0, m[0].indexOf('>') + 1));
    if (attrs.href && predicate(attrs.href, m[1])) return attrs.href;
  }
  return undefined;
}

// --- the flow --------------------------------------------------------------------
/**
 * @param {string} authorizationUrl
 * @param {{ login?: string, password?: string, deny?: boolean, timeoutMs?: number, signal?: AbortSignal }} [options]
 * @returns {Promise<{ finalUrl: string, status: number, body: string, steps: string[] }>}
 */
export async function runLogin(authorizationUrl, options = {}) {
  const login = options.login ?? DEFAULT_LOGIN;
  const password = options.password ?? 'password';
  const deny = options.deny ?? false;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 60_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const jar = new CookieJar();
  /** Short descriptions of what happened, without query strings. */
  const steps = [];

  let url = new URL(authorizationUrl).href;
  /** @type {{ method: string, body?: URLSearchParams } } */
  let request = { method: 'GET' };

  for (let i = 0; i < MAX_STEPS; i++) {
    const headers = { accept: BROWSER_ACCEPT, 'user-agent': 'mcp-keyring-test-user-agent/1' };
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    if (request.body) headers['content-type'] = 'application/x-www-form-urlencoded';

    let res;
    try {
      res = await fetch(url, { method: request.method, headers, body: request.body?.toString(), redirect: 'manual', signal });
    } catch (error) {
      const cause = error?.cause;
      const reason = cause?.code ?? cause?.errors?.[0]?.code ?? (error?.name === 'TimeoutError' ? 'timeout' : cause?.message ?? error?.message ?? 'error');
      throw new Error(`user agent: ${request.method} ${redactUrl(url)} failed (${reason})`, { cause: error });
    }
    jar.store(url, res.headers.getSetCookie());
    steps.push(`${request.method} ${redactUrl(url)} -> ${res.status}`);

    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      url = new URL(location, url).href;
      request = { method: 'GET' };
      continue;
    }

    const body = await res.text();
    const isHtml = (res.headers.get('content-type') ?? '').includes('html');
    const forms = isHtml ? parseForms(body) : [];
    const promptForm = forms.find((f) => f.inputs.some((x) => x.name === 'prompt'));
    const prompt = promptForm?.inputs.find((x) => x.name === 'prompt')?.value;

    if (promptForm && (prompt === 'login' || prompt === 'consent')) {
      if (deny) {
        const abort = findLink(body, (href, text) => /\/abort(?:$|[?#])/.test(href) || /cancel/i.test(text));
        if (!abort) throw new Error(`user agent: no cancel link on the ${prompt} page at ${redactUrl(url)}`);
        url = new URL(abort, url).href;
        request = { method: 'GET' };
        continue;
      }
      const fields = new URLSearchParams();
      for (const input of promptForm.inputs) {
        if (input.type === 'submit' || input.type === 'button') continue;
        if (input.name === 'login') fields.set('login', login);
        else if (input.name === 'password' || input.type === 'password') fields.set(input.name, password);
        else fields.set(input.name, input.value);
      }
      url = new URL(promptForm.action || url, url).href;
      request = { method: promptForm.method === 'post' ? 'POST' : 'GET', body: fields };
      if (request.method === 'GET') {
        const u = new URL(url);
        for (const [k, v] of fields) u.searchParams.set(k, v);
        url = u.href;
        request = { method: 'GET' };
      }
      continue;
    }

    // response_mode=form_post: the page auto-submits a form to the redirect URI.
    if (forms.length > 0 && /document\.forms\[0\]\.submit\(\)/.test(body)) {
      const form = forms[0];
      const fields = new URLSearchParams(form.inputs.map((x) => [x.name, x.value]));
      url = new URL(form.action || url, url).href;
      request = { method: 'POST', body: fields };
      continue;
    }

    return { finalUrl: url, status: res.status, body, steps };
  }
  throw new Error(`user agent: gave up after ${MAX_STEPS} steps: ${steps.join(', ')}`);
}
