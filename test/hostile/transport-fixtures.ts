// Drives the real bridges for the transport hostile tests: the stdio bridge as
// Claude Desktop starts it (dist/bridge.cjs) and `mcp-keyring
// serve`, both measured by the harness (peak RSS, hang deadline); plus a profile
// seeded with OAuth tokens issued by a (hostile) authorization server, so that
// refresh and revocation can be aimed at it without a browser sign-in.
import http from 'node:http';
import { getOrCreateHttpBridgeSecret } from '../../main/core/bridge/http-bridge';
import { secretNames } from '../../main/core/vault/secrets';
import { freePort } from '../helpers/free-port';
import { bridgePath, type KeyringEnv } from '../helpers/keyring-env';
import { canary, startMeasured, type MeasuredProcess, type MeasuredRun } from './harness';

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'hostile-test', version: '1.0.0' } },
} as const;

export interface JsonRpcReply {
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

/** Sends one request to a fresh stdio bridge, waits for its answer, closes stdin and waits for the bridge to end. */
export async function stdioBridgeRequest(
  serverId: string,
  env: NodeJS.ProcessEnv,
  options: { request?: object; timeoutMs?: number } = {},
): Promise<{ reply: JsonRpcReply | undefined; run: MeasuredRun }> {
  const proc = startMeasured([serverId], { env, script: bridgePath, timeoutMs: options.timeoutMs ?? 30_000 });
  const request = (options.request ?? INITIALIZE) as { id: unknown };
  proc.child.stdin!.write(`${JSON.stringify(request)}\n`);
  const reply = await waitForReply(proc, request.id, (options.timeoutMs ?? 30_000) - 2000).catch(() => undefined);
  proc.child.stdin!.end();
  return { reply, run: await proc.done };
}

function waitForReply(proc: MeasuredProcess, id: unknown, timeoutMs: number): Promise<JsonRpcReply> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = setInterval(() => {
      for (const line of proc.stdout().split('\n')) {
        if (!line.trim()) continue;
        try {
          const message = JSON.parse(line) as JsonRpcReply;
          if (message.id === id) {
            clearInterval(check);
            resolve(message);
            return;
          }
        } catch {}
      }
      if (proc.child.exitCode !== null || Date.now() - started > timeoutMs) {
        clearInterval(check);
        reject(new Error(`no reply to ${String(id)}; stderr: ${proc.stderr()}`));
      }
    }, 20);
  });
}

export interface ServeProcess {
  proc: MeasuredProcess;
  port: number;
  secret: string;
  /** Sends a request to /servers/<id>/mcp; the body is counted, and kept (parsed if JSON) only when small. */
  send(serverId: string, init: { method?: string; body?: object; headers?: Record<string, string> }): Promise<ServeAnswer>;
  /** Ctrl-C, then the measured run. */
  stop(): Promise<MeasuredRun>;
}

export interface ServeAnswer {
  status: number;
  bytes: number;
  text: string;
  json: JsonRpcReply | undefined;
  /** Set when the bridge cut the answer off midway. */
  aborted: boolean;
}

export async function startServe(profile: KeyringEnv, env: NodeJS.ProcessEnv = profile.env, timeoutMs = 60_000): Promise<ServeProcess> {
  const secret = await getOrCreateHttpBridgeSecret(profile.keyring.vault, profile.keyring.registry.paths);
  const port = await freePort();
  const proc = startMeasured(['serve', '--port', String(port)], { env, timeoutMs });
  await proc.waitForStderr(/listening on http:\/\/127\.0\.0\.1:\d+/, 20_000);
  return {
    proc,
    port,
    secret,
    send: (serverId, init) =>
      new Promise<ServeAnswer>((resolve, reject) => {
        const body = init.body ? JSON.stringify(init.body) : undefined;
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            path: `/servers/${serverId}/mcp`,
            method: init.method ?? 'POST',
            headers: {
              authorization: `Bearer ${secret}`,
              accept: 'application/json, text/event-stream',
              ...(body ? { 'content-type': 'application/json' } : {}),
              ...init.headers,
            },
          },
          (res) => {
            let bytes = 0;
            let text = '';
            let aborted = false;
            res.on('data', (chunk: Buffer) => {
              bytes += chunk.length;
              if (text.length < 100_000) text += chunk.toString('utf8');
            });
            res.on('aborted', () => (aborted = true));
            res.on('error', () => (aborted = true));
            res.on('close', () => {
              let json: JsonRpcReply | undefined;
              try {
                json = JSON.parse(text) as JsonRpcReply;
              } catch {}
              resolve({ status: res.statusCode ?? 0, bytes, text: text.slice(0, 4000), json, aborted: aborted || !res.complete });
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    async stop() {
      proc.kill('SIGINT');
      return proc.done;
    },
  };
}

export interface SeededOAuth {
  serverId: string;
  accessToken: string;
  refreshToken: string;
  clientSecret: string;
}

/**
 * A server whose tokens came from `as` (an issuer with token and revocation
 * endpoints), as a finished sign-in would leave them: your own client (with a
 * secret), an expired access token and a refresh token in the keychain, the
 * metadata in clients.json, the issuer and client in the state record.
 */
export async function seedOAuthServer(profile: KeyringEnv, mcpUrl: string, as: Record<string, unknown>, name: string): Promise<SeededOAuth> {
  const clientSecret = canary('client-secret');
  const server = await profile.keyring.add({ url: mcpUrl, name, auth: { kind: 'oauth', clientId: 'hostile-test-client', sendResource: true }, clientSecret });
  const accessToken = canary('access-token');
  const refreshToken = canary('refresh-token');
  await profile.keyring.clients.saveMetadata(as as never);
  await profile.keyring.vault.set(secretNames.accessToken(server.id), accessToken);
  await profile.keyring.vault.set(secretNames.refreshToken(server.id), refreshToken);
  const state = await profile.keyring.states.read(server.id);
  await profile.keyring.states.write({
    ...state,
    status: 'connected',
    expiresAt: Date.now() - 60_000,
    hasRefreshToken: true,
    authorizationServer: String(as.issuer),
    clientId: 'hostile-test-client',
  });
  return { serverId: server.id, accessToken, refreshToken, clientSecret };
}
