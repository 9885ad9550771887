// oidc-provider plumbing shared by the test authorization servers: a quiet
// import, an in-memory adapter the tests control, and signing keys.
import crypto from 'node:crypto';

// --- quiet start-up -------------------------------------------------------------
// oidc-provider prints a NOTICE for every defaulted helper and WARNINGs about its
// development-only features (and about Node 20 not being "supported"). Those are
// expected here; anything else it prints is kept.
const DEV_NOISE = [
  /oidc-provider NOTICE:/,
  /oidc-provider WARNING: Unsupported runtime/,
  /oidc-provider WARNING: a quick start development-only/,
  /oidc-provider WARNING: quick start development-only/,
];
function installConsoleFilter(extraNoise: RegExp[]): void {
  const flag = Symbol.for('mcp-keyring.test.oidc-console-filter');
  const g = globalThis as Record<symbol, unknown>;
  if (g[flag]) return;
  g[flag] = true;
  for (const method of ['warn', 'info'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && [...DEV_NOISE, ...extraNoise].some((re) => re.test(args[0] as string))) return;
      original(...args);
    };
  }
}

let providerModule: Promise<any> | undefined;
/** `extraNoise`: more expected console lines to hide (the first caller's list wins). */
export function loadOidcProvider(extraNoise: RegExp[] = []): Promise<any> {
  installConsoleFilter(extraNoise);
  // A non-literal specifier keeps TypeScript from demanding type declarations
  // for oidc-provider (it ships none and @types/oidc-provider is not installed).
  const specifier: string = 'oidc-provider';
  providerModule ??= import(specifier);
  return providerModule;
}

// --- storage --------------------------------------------------------------------
interface Entry {
  payload: Record<string, any>;
  expiresAt: number; // epoch ms, Infinity when no expiry
}

/** Tiny in-memory adapter store: one Map per model, no LRU eviction. */
export class MemoryStore {
  readonly models = new Map<string, Map<string, Entry>>();

  model(name: string): Map<string, Entry> {
    let m = this.models.get(name);
    if (!m) {
      m = new Map();
      this.models.set(name, m);
    }
    return m;
  }

  clear(except: string[] = []): void {
    for (const [name, m] of this.models) if (!except.includes(name)) m.clear();
  }
}

export class MemoryAdapter {
  constructor(
    private readonly name: string,
    private readonly store: MemoryStore,
  ) {}

  private get map(): Map<string, Entry> {
    return this.store.model(this.name);
  }

  private live(id: string): Entry | undefined {
    const entry = this.map.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.map.delete(id);
      return undefined;
    }
    return entry;
  }

  async upsert(id: string, payload: Record<string, any>, expiresIn?: number): Promise<void> {
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
    this.map.set(id, { payload: { ...payload }, expiresAt });
  }

  async find(id: string): Promise<Record<string, any> | undefined> {
    const entry = this.live(id);
    return entry ? { ...entry.payload } : undefined;
  }

  async findByUid(uid: string): Promise<Record<string, any> | undefined> {
    for (const [id, entry] of this.map) if (entry.payload.uid === uid) return this.find(id);
    return undefined;
  }

  async findByUserCode(userCode: string): Promise<Record<string, any> | undefined> {
    for (const [id, entry] of this.map) if (entry.payload.userCode === userCode) return this.find(id);
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const entry = this.map.get(id);
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.map.delete(id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [id, entry] of this.map) if (entry.payload.grantId === grantId) this.map.delete(id);
  }
}


/** A fresh RS256 signing key as a private JWK (with kid, alg, use). */
export function signingKey(prefix = 'test'): Record<string, unknown> {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  return { ...jwk, kid: `${prefix}-${crypto.randomBytes(6).toString('hex')}`, alg: 'RS256', use: 'sig' };
}

export const MCP_SCOPES = ['mcp:tools', 'mcp:admin'];
