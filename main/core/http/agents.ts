// The connection pools of a fetch: one keep-alive http.Agent and one
// https.Agent, shared by every fetch made without a custom `ca` (so the whole
// process reuses its connections), plus one tunnelling agent per https proxy.
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import type { ProxyTarget } from './proxy-settings';
import { TunnelAgent } from './proxy-tunnel';

const KEEP_ALIVE_TIMEOUT_MS = 4_000; // idle keep-alive sockets are closed after this (undici's default); shorter if the server says so
const agentDefaults = { keepAlive: true, timeout: KEEP_ALIVE_TIMEOUT_MS, scheduling: 'lifo' } as const;

/** Trusted CA certificate(s) for https, replacing Node's defaults. */
export type CaInput = string | Buffer | ReadonlyArray<string | Buffer>;

export interface Agents {
  readonly http: http.Agent;
  readonly https: https.Agent;
  readonly ca: tls.SecureContextOptions['ca'];
  readonly tunnels: Map<string, TunnelAgent>;
}

let sharedAgents: Agents | undefined;

function createAgents(ca: CaInput | undefined): Agents {
  const caOption = ca === undefined ? undefined : typeof ca === 'string' || Buffer.isBuffer(ca) ? ca : [...ca];
  return {
    http: new http.Agent(agentDefaults),
    https: new https.Agent(caOption === undefined ? agentDefaults : { ...agentDefaults, ca: caOption }),
    ca: caOption,
    tunnels: new Map(),
  };
}

/** The process-wide pools without `ca`; pools of their own with one. */
export function agentsFor(ca: CaInput | undefined): Agents {
  return ca === undefined ? (sharedAgents ??= createAgents(undefined)) : createAgents(ca);
}

/** The pool of CONNECT tunnels through `proxy`, made on first use. */
export function tunnelAgent(agents: Agents, proxy: ProxyTarget): TunnelAgent {
  const key = proxy.url.href;
  let agent = agents.tunnels.get(key);
  if (!agent) {
    agent = new TunnelAgent(proxy, agents.ca === undefined ? agentDefaults : { ...agentDefaults, ca: agents.ca });
    agents.tunnels.set(key, agent);
  }
  return agent;
}
