import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseTokenEndpointAuth, clientAuthFor } from '../../../../main/core/registration/token-endpoint-auth';
import { isKeyringError } from '../../../../main/core/errors';

const secret = { hasSecret: true, hasPrivateKey: false };
const publicClient = { hasSecret: false, hasPrivateKey: false };

test('silent metadata means client_secret_basic for a client with a secret (RFC 8414 default)', () => {
  assert.equal(chooseTokenEndpointAuth(secret), 'client_secret_basic');
  assert.equal(chooseTokenEndpointAuth({ ...secret, supported: [] }), 'client_secret_basic');
});

test('a public client uses none, whatever the metadata lists', () => {
  assert.equal(chooseTokenEndpointAuth(publicClient), 'none');
  assert.equal(chooseTokenEndpointAuth({ ...publicClient, supported: ['client_secret_basic'] }), 'none');
});

test('the method comes from token_endpoint_auth_methods_supported', () => {
  assert.equal(chooseTokenEndpointAuth({ ...secret, supported: ['client_secret_post'] }), 'client_secret_post');
  assert.equal(chooseTokenEndpointAuth({ ...secret, supported: ['client_secret_basic'] }), 'client_secret_basic');
  // Both listed: what MCP Keyring always sent (an app's own setting is unknown).
  assert.equal(chooseTokenEndpointAuth({ ...secret, supported: ['client_secret_basic', 'client_secret_post'] }), 'client_secret_post');
  assert.equal(chooseTokenEndpointAuth({ ...secret, supported: ['none'] }), 'none');
  assert.equal(chooseTokenEndpointAuth({ hasSecret: true, hasPrivateKey: true, supported: ['client_secret_post', 'private_key_jwt'] }), 'private_key_jwt');
  assert.equal(chooseTokenEndpointAuth({ hasSecret: false, hasPrivateKey: true, supported: ['private_key_jwt'] }), 'private_key_jwt');
});

test('the registered method wins when its credential is there', () => {
  assert.equal(chooseTokenEndpointAuth({ ...secret, registered: 'client_secret_basic', supported: ['client_secret_basic', 'client_secret_post'] }), 'client_secret_basic');
  assert.equal(chooseTokenEndpointAuth({ ...secret, registered: 'none' }), 'none');
  // Registered for a secret that never came: fall back to what is possible.
  assert.equal(chooseTokenEndpointAuth({ ...publicClient, registered: 'client_secret_basic' }), 'none');
  assert.equal(chooseTokenEndpointAuth({ ...secret, registered: 'tls_client_auth', supported: ['client_secret_post'] }), 'client_secret_post');
});

test('a server that supports nothing the credentials allow gets a clear error', () => {
  assert.throws(
    () => chooseTokenEndpointAuth({ ...secret, supported: ['private_key_jwt', 'tls_client_auth'] }),
    (error) => isKeyringError(error, 'registration-required') && /private_key_jwt, tls_client_auth/.test(error.message) && /client secret/.test(error.message),
  );
});

test('clientAuthFor builds the oauth4webapi ClientAuth and refuses a missing credential', () => {
  assert.equal(typeof clientAuthFor('none', {}), 'function');
  assert.equal(typeof clientAuthFor('client_secret_basic', { secret: 's' }), 'function');
  assert.throws(() => clientAuthFor('client_secret_post', {}), (error) => isKeyringError(error, 'registration-required'));
  assert.throws(() => clientAuthFor('private_key_jwt', { secret: 's' }), (error) => isKeyringError(error, 'registration-required'));
});

test('client_secret_basic sends ids and secrets that form-decode to themselves unencoded, anything else strictly encoded', async () => {
  const header = async (clientId: string, secret: string) => {
    const headers = new Headers();
    await clientAuthFor('client_secret_basic', { secret })({ issuer: 'https://as.example' }, { client_id: clientId }, new URLSearchParams(), headers);
    return Buffer.from(headers.get('authorization')!.replace(/^Basic /, ''), 'base64').toString();
  };
  assert.equal(await header('pre-registered-client', 'pre-registered_secret.~1'), 'pre-registered-client:pre-registered_secret.~1');
  // A colon or a space must be encoded (RFC 6749 §2.3.1), and then everything is, as oauth4webapi does.
  assert.equal(await header('client-a', 'se:cret x'), 'client%2Da:se%3Acret+x');
});
