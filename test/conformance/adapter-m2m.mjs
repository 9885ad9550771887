#!/usr/bin/env node
// Conformance adapter for the browserless scenarios of the official MCP
// conformance suite (@modelcontextprotocol/conformance):
//   auth/client-credentials-basic, auth/client-credentials-jwt, auth/cross-app-access-complete-flow.
// It drives MCP Keyring exactly as a user would: the built CLI (`add`, `idp add`,
// `idp import-id-token`, `connect`), secrets on stdin only, then an SDK Client over
// stdio to `mcp-keyring bridge <id>` lists the tools and calls one.
//
// Used two ways:
// - imported by test/conformance/adapter.mjs: runM2mScenario({ scenario, context, serverUrl, env, cli });
// - run by the suite itself: `node test/conformance/adapter-m2m.mjs <server-url>` with
//   MCP_CONFORMANCE_SCENARIO and MCP_CONFORMANCE_CONTEXT set; it uses a throwaway
//   profile (MCP_KEYRING_HOME, MCP_KEYRING_SERVICE) and removes it afterwards.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const cliPath = path.resolve(here, '..', '..', 'dist', 'cli.mjs');

export const M2M_SCENARIOS = ['auth/client-credentials-basic', 'auth/client-credentials-jwt', 'auth/cross-app-access-complete-flow'];

/** Runs `node dist/cli.mjs ...args` with `input` on stdin. */
export function makeCli(env) {
  return (args, input = '') =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input);
    });
}

function need(context, ...names) {
  for (const name of names) {
    if (typeof context?.[name] !== 'string' || !context[name]) throw new Error(`MCP_CONFORMANCE_CONTEXT lacks "${name}"`);
  }
}

async function step(cli, args, input) {
  const result = await cli(args, input);
  if (result.code !== 0) throw new Error(`mcp-keyring ${args[0]}${args[1] && !args[1].startsWith('http') ? ` ${args[1]}` : ''} failed (${result.code}): ${result.stderr.trim()}`);
  return result;
}

/** Adds and connects the scenario's server with the CLI; returns the server id. */
async function addAndConnect({ scenario, context, serverUrl, cli }) {
  const id = 'conformance';
  if (scenario === 'auth/client-credentials-basic') {
    need(context, 'client_id', 'client_secret');
    await step(cli, ['add', serverUrl, '--client-credentials', '--client-id', context.client_id, '--client-secret', '--id', id], context.client_secret);
  } else if (scenario === 'auth/client-credentials-jwt') {
    need(context, 'client_id', 'private_key_pem');
    const alg = context.signing_algorithm ? ['--signing-alg', context.signing_algorithm] : [];
    await step(cli, ['add', serverUrl, '--client-credentials', '--client-id', context.client_id, '--private-key', ...alg, '--id', id], context.private_key_pem);
  } else if (scenario === 'auth/cross-app-access-complete-flow') {
    need(context, 'client_id', 'idp_client_id', 'idp_id_token', 'idp_issuer');
    await step(cli, ['idp', 'add', context.idp_issuer, '--client-id', context.idp_client_id, '--id', 'conformance-idp']);
    // The suite plays the part of the user's SSO tool: it hands out the ID token.
    await step(cli, ['idp', 'import-id-token', 'conformance-idp'], context.idp_id_token);
    const secret = context.client_secret ? ['--client-secret'] : [];
    await step(cli, ['add', serverUrl, '--idp', 'conformance-idp', '--client-id', context.client_id, ...secret, '--id', id], context.client_secret ?? '');
  } else {
    throw new Error(`adapter-m2m does not handle the scenario "${scenario}"`);
  }
  await step(cli, ['connect', id]);
  return id;
}

/** The scenario end to end: add + connect, then list (and call) tools through the stdio bridge. */
export async function runM2mScenario({ scenario, context, serverUrl, env, cli = makeCli(env) }) {
  const id = await addAndConnect({ scenario, context, serverUrl, cli });
  const transport = new StdioClientTransport({ command: process.execPath, args: [cliPath, 'bridge', id], env, stderr: 'pipe' });
  let bridgeErrors = '';
  transport.stderr?.on('data', (d) => (bridgeErrors += d));
  const client = new Client({ name: 'mcp-keyring-conformance', version: '1.0.0' }, { capabilities: {} });
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    const calls = [];
    if (tools.length) calls.push(await client.callTool({ name: tools[0].name, arguments: {} }));
    return { serverId: id, tools: tools.map((t) => t.name), calls };
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}${bridgeErrors ? `\nbridge: ${bridgeErrors.trim()}` : ''}`);
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function main() {
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO;
  const serverUrl = process.argv.at(-1);
  if (!scenario || !serverUrl?.startsWith('http')) {
    process.stderr.write('usage: MCP_CONFORMANCE_SCENARIO=… MCP_CONFORMANCE_CONTEXT=… node adapter-m2m.mjs <server-url>\n');
    return 2;
  }
  const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}');
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-conformance-'));
  const service = `mcp-keyring-conformance-${randomBytes(4).toString('hex')}`;
  const env = { ...process.env, MCP_KEYRING_HOME: home, MCP_KEYRING_SERVICE: service };
  delete env.MCP_CONFORMANCE_CONTEXT; // the child processes need none of it
  const cli = makeCli(env);
  try {
    const result = await runM2mScenario({ scenario, context, serverUrl, env, cli });
    process.stderr.write(`adapter-m2m: ${scenario}: tools ${result.tools.join(', ') || '(none)'}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`adapter-m2m: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    // Every server and IdP the run added, with its keychain entries.
    const status = await cli(['status', '--json']).catch(() => ({ stdout: '[]' }));
    for (const server of JSON.parse(status.stdout || '[]')) await cli(['remove', server.id]).catch(() => undefined);
    const idps = await cli(['idp', 'status', '--json']).catch(() => ({ stdout: '[]' }));
    for (const idp of JSON.parse(idps.stdout || '[]')) await cli(['idp', 'remove', idp.id]).catch(() => undefined);
    await fs.rm(home, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then((code) => process.exit(code));
}
