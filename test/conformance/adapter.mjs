#!/usr/bin/env node
// The client command the official MCP conformance suite runs
// (`@modelcontextprotocol/conformance client --command "node adapter.mjs"`): it
// does what a user of MCP Keyring does, with the real built CLI and stdio bridge.
//   1. `mcp-keyring add <url>` in a private profile (MCP_KEYRING_HOME/SERVICE),
//   2. `mcp-keyring connect <id>` with a scripted browser that follows the suite's
//      auto-approving authorization redirects,
//   3. an MCP SDK client over stdio to `mcp-keyring bridge <id>` (what Claude
//      Desktop launches) that does what the scenario expects.
// When the bridge says more access is needed it runs `connect` again, as the user
// would, at most twice per request.
// The suite appends the server URL and sets MCP_CONFORMANCE_SCENARIO and, for some
// scenarios, MCP_CONFORMANCE_CONTEXT (JSON).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const cli = path.join(repoRoot, 'dist', 'cli.mjs');
const browser = path.join(repoRoot, 'test', 'helpers', 'scripted-browser.mjs');
const m2mAdapter = path.join(here, 'adapter-m2m.mjs');

/** The user publishes this Client ID Metadata Document (the suite's auth/basic-cimd expects it). */
const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';
/** Sign-ins the "user" does again for one request when the bridge asks for more access. */
const MAX_RECONNECTS = 2;
/** JSON-RPC codes the bridge uses (main/core/bridge/http/errors.ts). */
const NEEDS_SIGN_IN = -32001;
const INSUFFICIENT_SCOPE = -32003;

const serverUrl = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const context = process.env.MCP_CONFORMANCE_CONTEXT ? JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT) : {};

function log(line) {
  process.stderr.write(`[adapter ${scenario}] ${line}\n`);
}

/** Runs a child to completion with its output passed through to ours (the suite records it). */
function run(command, args, { env, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      process.stderr.write(d);
    });
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stdout }));
    child.stdin.end(input ?? '');
  });
}

async function delegateToM2m() {
  if (!existsSync(m2mAdapter)) {
    log('not implemented: machine-to-machine scenarios need test/conformance/adapter-m2m.mjs');
    return 1;
  }
  const child = spawn(process.execPath, [m2mAdapter, ...process.argv.slice(2)], { stdio: 'inherit' });
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

class Profile {
  constructor() {
    this.home = mkdtempSync(path.join(os.tmpdir(), 'mcp-keyring-conformance-'));
    this.env = {
      ...process.env,
      MCP_KEYRING_HOME: this.home,
      MCP_KEYRING_SERVICE: `mcp-keyring-conformance-${randomBytes(4).toString('hex')}`,
      BROWSER: browser,
      SCRIPTED_BROWSER_TIMEOUT_MS: '20000',
    };
  }

  async cli(args, input) {
    const result = await run(process.execPath, [cli, ...args], { env: this.env, input });
    if (result.code !== 0) throw new Error(`mcp-keyring ${args[0]} exited with ${result.code}`);
    return result.stdout;
  }

  cleanup() {
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** `mcp-keyring add` the way a user would for this scenario; returns the server id. */
async function addServer(profile) {
  const args = ['add', serverUrl];
  let input;
  if (!scenario.startsWith('auth/')) args.push('--no-auth');
  if (scenario === 'auth/basic-cimd') args.push('--client-metadata-url', CLIENT_METADATA_URL);
  if (context.client_id) args.push('--client-id', context.client_id);
  if (context.client_secret) {
    args.push('--client-secret');
    input = `${context.client_secret}\n`;
  }
  const id = (await profile.cli(args, input)).trim().split('\n').at(-1);
  if (!id) throw new Error('mcp-keyring add printed no server id');
  return id;
}

async function openBridge(profile, id) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [cli, 'bridge', id], env: profile.env, stderr: 'inherit' });
  const client = new Client(
    { name: 'mcp-keyring-conformance-adapter', version: '1.0.0' },
    // The SDK fills in schema defaults the handler leaves out (SEP-1034).
    { capabilities: { elicitation: { form: { applyDefaults: true } } } },
  );
  // A user who accepts whatever the form proposes.
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: {} }));
  await client.connect(transport);
  return client;
}

async function main() {
  if (!serverUrl || !/^https?:\/\//.test(serverUrl)) throw new Error(`usage: adapter.mjs <server-url> (got ${serverUrl ?? 'nothing'})`);
  if (scenario.startsWith('auth/client-credentials') || scenario.startsWith('auth/cross-app-access')) return delegateToM2m();

  const profile = new Profile();
  try {
    const id = await addServer(profile);
    const connect = () => profile.cli(['connect', id, '--timeout', '25s']);
    if (scenario.startsWith('auth/')) await connect();

    const client = await openBridge(profile, id);
    /** One MCP request, signing in again (as the bridge's message asks) when the server wants more access. */
    const withSignIn = async (request) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await request();
        } catch (error) {
          const code = error?.code;
          if (attempt < MAX_RECONNECTS && (code === NEEDS_SIGN_IN || code === INSUFFICIENT_SCOPE) && /mcp-keyring connect/.test(String(error.message))) {
            log(`the bridge asks for a new sign-in (${code}); connecting again`);
            await connect();
            continue;
          }
          throw error;
        }
      }
    };
    try {
      const { tools } = await withSignIn(() => client.listTools());
      const call = async (name, args = {}) => {
        const result = await withSignIn(() => client.callTool({ name, arguments: args }));
        if (result.isError) throw new Error(`tool ${name} failed: ${JSON.stringify(result.content)}`);
        return result;
      };
      if (scenario === 'tools_call') await call('add_numbers', { a: 5, b: 3 });
      else if (scenario === 'elicitation-sep1034-client-defaults') await call('test_client_elicitation_defaults');
      else if (scenario === 'sse-retry') await call('test_reconnection');
      else if (scenario !== 'initialize' && tools.length) await call(tools[0].name);
    } finally {
      await client.close();
    }
    return 0;
  } finally {
    profile.cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
