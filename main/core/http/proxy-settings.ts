// Which proxy, if any, a request goes through: HTTPS_PROXY/https_proxy,
// HTTP_PROXY/http_proxy and NO_PROXY/no_proxy, read once per fetch.
//
// Hand-written rather than proxy-from-env, whose semantics differ from what
// users of curl and undici expect (and what test/unit/core/http/proxy-settings.test.ts
// pins): it reads process.env only (the fetch takes an `env`), a bare NO_PROXY
// name does not cover its subdomains and ".example.com" not the domain itself,
// "[::1]:443" entries never match, https targets do not fall back to the http
// proxy, a scheme-less proxy takes the target's scheme, and loopback is proxied.
//
// Rules: lowercase variables first, as curl and undici's EnvHttpProxyAgent;
// https targets fall back to the http proxy when no https proxy is set, as
// undici does; loopback targets are never proxied; a NO_PROXY entry covers its
// domain and subdomains, optionally only on one port; "*" bypasses everything.

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

export interface ProxyTarget {
  readonly url: URL;
  readonly hostname: string; // without IPv6 brackets
  readonly port: number;
  readonly authorization: string | undefined; // Proxy-Authorization value
}

interface NoProxyRule {
  readonly host: string;
  readonly port: string | undefined;
}

export interface ProxySettings {
  readonly http: ProxyTarget | Error | undefined;
  readonly https: ProxyTarget | Error | undefined;
  readonly bypassAll: boolean;
  readonly noProxy: readonly NoProxyRule[];
}

function envValue(env: ProxyEnv, lower: string): string | undefined {
  const value = env[lower] ?? env[lower.toUpperCase()];
  return value && value.trim() !== '' ? value.trim() : undefined;
}

function parseProxy(value: string | undefined): ProxyTarget | Error | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return new Error(`Unsupported proxy protocol ${url.protocol} in ${url.origin}`);
    }
    const authorization =
      url.username || url.password
        ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
        : undefined;
    return {
      url,
      hostname: stripBrackets(url.hostname),
      port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      authorization,
    };
  } catch (error) {
    return new Error(`Invalid proxy URL in the environment: ${String((error as Error).message)}`);
  }
}

function parseNoProxy(value: string | undefined): { bypassAll: boolean; rules: NoProxyRule[] } {
  const rules: NoProxyRule[] = [];
  let bypassAll = false;
  for (const raw of (value ?? '').split(/[,\s]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') {
      bypassAll = true;
      continue;
    }
    let port: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1] ?? '';
      port = bracketed[2];
    } else if (entry.indexOf(':') !== -1 && entry.indexOf(':') === entry.lastIndexOf(':')) {
      const at = entry.indexOf(':');
      port = entry.slice(at + 1);
      entry = entry.slice(0, at);
    }
    entry = entry.replace(/^\*?\.+/, ''); // ".example.com" and "*.example.com" mean the domain and its subdomains
    if (entry) rules.push({ host: entry, port: port || undefined });
  }
  return { bypassAll, rules };
}

export function readProxySettings(env: ProxyEnv): ProxySettings {
  const httpProxy = parseProxy(envValue(env, 'http_proxy'));
  const httpsProxy = parseProxy(envValue(env, 'https_proxy')) ?? httpProxy;
  const { bypassAll, rules } = parseNoProxy(envValue(env, 'no_proxy'));
  return { http: httpProxy, https: httpsProxy, bypassAll, noProxy: rules };
}

export function stripBrackets(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

export function isLoopback(hostname: string): boolean {
  const host = stripBrackets(hostname).toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function effectivePort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

export function proxyFor(settings: ProxySettings, target: URL): ProxyTarget | Error | undefined {
  const proxy = target.protocol === 'https:' ? settings.https : settings.http;
  if (!proxy || settings.bypassAll || isLoopback(target.hostname)) return undefined;
  const host = stripBrackets(target.hostname).toLowerCase();
  const port = effectivePort(target);
  for (const rule of settings.noProxy) {
    if (rule.port !== undefined && rule.port !== port) continue;
    if (host === rule.host || host.endsWith(`.${rule.host}`)) return undefined;
  }
  return proxy;
}

/**
 * The proxy createNodeFetch() would use for `url` with these environment
 * variables, or undefined for a direct connection (diagnostics, tests).
 * Throws if the relevant proxy variable is not a usable URL.
 */
export function proxyForUrl(url: string | URL, env: ProxyEnv = process.env): string | undefined {
  const proxy = proxyFor(readProxySettings(env), new URL(String(url)));
  if (proxy instanceof Error) throw proxy;
  return proxy?.url.href;
}

