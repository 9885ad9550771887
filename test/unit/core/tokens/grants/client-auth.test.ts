// The pure parts of the browserless grants: which client authentication is chosen
// from the authorization server's metadata, how client_secret_basic encodes, and
// how private keys are read (PEM → algorithm, public JWK with RFC 7638 kid).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import * as oauth from 'oauth4webapi';
import { clientAuthFor, withClientAuth } from '../../../../../main/core/tokens/grants/client-auth';
import { generatePrivateKeyPem, parsePrivateKey, publicJwk } from '../../../../../main/core/tokens/grants/private-key';

const as = (extra: Partial<oauth.AuthorizationServer> = {}): oauth.AuthorizationServer => ({ issuer: 'https://as.example', token_endpoint: 'https://as.example/token', ...extra });

test('the client authentication follows token_endpoint_auth_methods_supported', async () => {
  assert.equal((await clientAuthFor(as(), { kind: 'secret', secret: 's' })).method, 'client_secret_basic', 'absent: RFC 8414 default');
  assert.equal((await clientAuthFor(as({ token_endpoint_auth_methods_supported: ['client_secret_post'] }), { kind: 'secret', secret: 's' })).method, 'client_secret_post');
  await assert.rejects(clientAuthFor(as({ token_endpoint_auth_methods_supported: ['private_key_jwt'] }), { kind: 'secret', secret: 's' }), /does not accept a client secret.*--private-key/);
  const pem = generatePrivateKeyPem();
  assert.equal((await clientAuthFor(as({ token_endpoint_auth_methods_supported: ['private_key_jwt'] }), { kind: 'private-key', pem })).method, 'private_key_jwt');
  await assert.rejects(clientAuthFor(as({ token_endpoint_auth_methods_supported: ['client_secret_basic'] }), { kind: 'private-key', pem }), /does not accept private_key_jwt/);
  await assert.rejects(clientAuthFor(as({ token_endpoint_auth_signing_alg_values_supported: ['RS256'] }), { kind: 'private-key', pem }), /does not accept ES256-signed client assertions/);
});

test('private keys: algorithm from the key, checked against --signing-alg; public JWK without private parts', () => {
  const pem = generatePrivateKeyPem();
  assert.equal(parsePrivateKey(pem).alg, 'ES256');
  const jwk = publicJwk(pem);
  assert.equal(jwk.d, undefined);
  // RFC 7638 thumbprint of the required members in lexicographic order.
  const expected = crypto.createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
  assert.equal(jwk.kid, expected);
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  assert.equal(parsePrivateKey(rsa).alg, 'RS256');
  assert.equal(parsePrivateKey(rsa, 'PS384').alg, 'PS384');
  assert.throws(() => parsePrivateKey(rsa, 'ES256'), /does not fit an RSA key/);
  assert.throws(() => parsePrivateKey(pem, 'ES384'), /does not fit this key, which signs with ES256/);
  assert.throws(() => parsePrivateKey('hello'), /Expected a PEM private key/);
  const small = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  assert.throws(() => parsePrivateKey(small), /shorter than 2048 bits/);
});

test('a secret refused with invalid_client is tried the other way once, where the AS lists both ways', async () => {
  const refused = () => new oauth.ResponseBodyError('refused', { cause: { error: 'invalid_client' }, response: new Response(null, { status: 401 }) });
  const tried: string[] = [];
  const both = as({ token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'] });
  const result = await withClientAuth(both, { kind: 'secret', secret: 's' }, async ({ method }) => {
    tried.push(method);
    if (method === 'client_secret_post') throw refused();
    return 'token';
  });
  assert.equal(result, 'token');
  // Listed both ways: post first (the shared chooser's order), basic once on invalid_client.
  assert.deepEqual(tried, ['client_secret_post', 'client_secret_basic']);
  // Only one method listed: no second try; another error: no second try.
  tried.length = 0;
  await assert.rejects(withClientAuth(as({ token_endpoint_auth_methods_supported: ['client_secret_basic'] }), { kind: 'secret', secret: 's' }, async ({ method }) => {
    tried.push(method);
    throw refused();
  }), /refused/);
  assert.deepEqual(tried, ['client_secret_basic']);
  tried.length = 0;
  await assert.rejects(withClientAuth(both, { kind: 'secret', secret: 's' }, async ({ method }) => {
    tried.push(method);
    throw new Error('network');
  }), /network/);
  assert.deepEqual(tried, ['client_secret_post']);
});
