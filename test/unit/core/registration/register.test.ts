// Which client id sign-in uses, in the MCP spec's order: the user's own client id,
// a Client ID Metadata Document (only where the AS supports it), dynamic
// registration (only where the AS offers it), else a clear request for a client id.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type * as oauth from 'oauth4webapi';
import { isKeyringError } from '../../../../main/core/errors';
import { keyringPaths } from '../../../../main/core/paths';
import { ClientStore } from '../../../../main/core/registration/client-store';
import { createOutboundFetch } from '../../../../main/core/http/outbound';
import { ClientRegistrar, registrationPlan } from '../../../../main/core/registration/register';
import { KeychainVault } from '../../../../main/core/vault/vault';
import type { OAuthOptions } from '../../../../shared/server-config';

const options = (extra: Partial<OAuthOptions> = {}): OAuthOptions => ({ kind: 'oauth', sendResource: true, ...extra });
const as = (extra: Partial<oauth.AuthorizationServer> = {}): oauth.AuthorizationServer => ({ issuer: 'https://as.example', ...extra });
const CIMD = 'https://keyring.example/client.json';

test("the user's own client id wins over everything the AS offers", () => {
  assert.equal(registrationPlan(options({ clientId: 'mine', clientMetadataUrl: CIMD }), as({ client_id_metadata_document_supported: true, registration_endpoint: 'https://as.example/reg' })), 'pre-registered');
  assert.equal(registrationPlan(options({ clientId: 'mine' }), as()), 'pre-registered');
});

test('a Client ID Metadata Document only where the AS says it supports one, and before dynamic registration', () => {
  const dcr = { registration_endpoint: 'https://as.example/reg' };
  assert.equal(registrationPlan(options({ clientMetadataUrl: CIMD }), as({ ...dcr, client_id_metadata_document_supported: true })), 'metadata-document');
  assert.equal(registrationPlan(options({ clientMetadataUrl: CIMD }), as({ ...dcr, client_id_metadata_document_supported: false })), 'dynamic');
  assert.equal(registrationPlan(options({ clientMetadataUrl: CIMD }), as(dcr)), 'dynamic');
  // Supported, but no document configured: dynamic registration.
  assert.equal(registrationPlan(options(), as({ ...dcr, client_id_metadata_document_supported: true })), 'dynamic');
});

test('no client id, no usable document, no registration endpoint: needs a client id', () => {
  assert.equal(registrationPlan(options(), as()), 'needs-client-id');
  assert.equal(registrationPlan(options({ clientMetadataUrl: CIMD }), as()), 'needs-client-id');
});

// ClientRegistrar's choices that touch neither the keychain nor clients.json.
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keyring-register-'));
after(() => fs.rmSync(home, { recursive: true, force: true }));
const registrar = new ClientRegistrar(new KeychainVault('mcp-keyring-unit-register'), new ClientStore(keyringPaths(home)), createOutboundFetch());
const redirect = 'http://127.0.0.1:4567/callback';

test('forSignIn: the metadata document URL is the client id, a public client', async () => {
  const resolved = await registrar.forSignIn('s', options({ clientMetadataUrl: CIMD }), as({ client_id_metadata_document_supported: true }), redirect);
  assert.equal(resolved.method, 'metadata-document');
  assert.equal(resolved.client.client_id, CIMD);
  assert.equal(resolved.client.token_endpoint_auth_method, 'none');
});

test('forSignIn: without a way to get a client id, an error that says what to do', async () => {
  await assert.rejects(registrar.forSignIn('s', options(), as(), redirect), (error) => {
    assert.ok(isKeyringError(error, 'registration-required'));
    assert.match((error as Error).message, /--client-id/);
    assert.match((error as Error).message, /https:\/\/as\.example/);
    return true;
  });
  assert.equal(fs.existsSync(keyringPaths(home).clientsFile), false, 'nothing written');
});

test('registeredPort: only a dynamic plan reuses a registered port', async () => {
  assert.equal(await registrar.registeredPort(options({ clientId: 'mine' }), as({ registration_endpoint: 'https://as.example/reg' })), undefined);
  assert.equal(await registrar.registeredPort(options(), as({ registration_endpoint: 'https://as.example/reg' })), undefined, 'no registration yet');
});
