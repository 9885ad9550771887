// Helpers for the hostile cases of locks, files, keychain framing and token
// lifetimes: a hostile token endpoint (a plain node:http server that answers the
// refresh grant however a case wants, counting every grant it is sent) and a
// profile already "signed in" to it with an expired access token, so the next
// `mcp-keyring headers` refreshes there.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ServerConfig } from '../../shared/server-config';
import { secretNames } from '../../main/core/vault/secrets';
import type { KeyringEnv } from '../helpers/keyring-env';

export interface Grant {
  params: URLSearchParams;
  at: number;
}

export type TokenResponder = (grant: Grant, res: http.ServerResponse, index: number) => void | Promise<void>;

export interface HostileAs {
  issuer: string;
  tokenEndpoint: string;
  /** Every POST to the token endpoint, in order. */
  grants: Grant[];
  /** Resolves when grant number `n` (1-based) arrives. */
  grantArrived(n?: number): Promise<Grant>;
  respond: TokenResponder;
  close(): Promise<void>;
}

export async function startHostileAs(respond: TokenResponder): Promise<HostileAs> {
  const grants: Grant[] = [];
  const waiters: Array<{ n: number; resolve: (g: Grant) => void }> = [];
  const hostile = { grants, respond } as HostileAs;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const url = req.url ?? '/';
      if (req.method === 'GET' && url.startsWith('/.well-known/')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadata(hostile.issuer)));
        return;
      }
      if (req.method === 'POST' && url === '/token') {
        const grant = { params: new URLSearchParams(body), at: Date.now() };
        grants.push(grant);
        for (const w of waiters.filter((w) => grants.length >= w.n)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(grants[w.n - 1]!);
        }
        void hostile.respond(grant, res, grants.length - 1);
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  hostile.issuer = `http://127.0.0.1:${port}`;
  hostile.tokenEndpoint = `${hostile.issuer}/token`;
  hostile.grantArrived = (n = grants.length + 1) =>
    grants.length >= n ? Promise.resolve(grants[n - 1]!) : new Promise((resolve) => waiters.push({ n, resolve }));
  hostile.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return hostile;
}

function metadata(issuer: string) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
  };
}

/** Answers a token request with `body` as JSON. */
export function json(res: http.ServerResponse, body: unknown, status = 200): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(text);
}

/**
 * Adds a server whose tokens come from `as` (a pre-registered public client, so no
 * registration) and stores an access + refresh token as a sign-in would, then
 * marks the access token expired: the next use refreshes.
 */
export async function seedSignedIn(profile: KeyringEnv, as: Pick<HostileAs, 'issuer' | 'tokenEndpoint'>, tokens: { access: string; refresh: string }, name = 'hostile'): Promise<ServerConfig> {
  const { keyring } = profile;
  const server = await keyring.add({ url: `${as.issuer}/mcp`, name, auth: { kind: 'oauth', clientId: 'hostile-client', sendResource: false } });
  await keyring.clients.saveMetadata(metadata(as.issuer) as never);
  await keyring.tokens.save(
    server,
    { access_token: tokens.access, token_type: 'bearer', expires_in: 3600, refresh_token: tokens.refresh } as never,
    { issuer: as.issuer, clientId: 'hostile-client' },
  );
  await expire(profile, server.id);
  return server;
}

/** Makes the stored access token look expired, so the next use refreshes. */
export async function expire(profile: KeyringEnv, id: string): Promise<void> {
  await profile.keyring.states.patch(id, { expiresAt: Date.now() - 1_000 });
}

export async function storedTokens(profile: KeyringEnv, id: string): Promise<{ access: string | null; refresh: string | null }> {
  return { access: await profile.keyring.vault.get(secretNames.accessToken(id)), refresh: await profile.keyring.vault.get(secretNames.refreshToken(id)) };
}

/** The refresh lock directory of a server in a profile. */
export function refreshLockDir(profile: KeyringEnv, id: string): string {
  return path.join(profile.home, 'locks', `${id}.refresh.lock`);
}

/** A pid that belonged to a process that has exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

/** Leaves a lock behind as a process killed while holding it would (owner gone, heartbeat old). */
export async function plantStaleLock(dir: string, pid: number, ageMs = 60_000): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'owner'), JSON.stringify({ token: 'dead-owner', pid, host: (await import('node:os')).hostname() }));
  const then = new Date(Date.now() - ageMs);
  await fs.utimes(dir, then, then);
}

/** `headers` prints {"Authorization":"Bearer <token>"}: the token. */
export function bearerFrom(stdout: string): string {
  return (JSON.parse(stdout) as { Authorization: string }).Authorization.replace(/^Bearer /, '');
}
