// The private key of a machine-to-machine client (`private_key_jwt`): generated
// here or imported from a PKCS#8 PEM, kept only in the keychain (as PEM text), and
// turned into a WebCrypto key for oauth4webapi's PrivateKeyJwt when a token is due.
// The public half goes to the user as a JWK, to register with the authorization server.
import crypto from 'node:crypto';
import type * as oauth from 'oauth4webapi';
import { KeyringError } from '../../errors';
import type { Vault } from '../../vault/vault';

/** The keychain entry of a server's private key. */
export const privateKeySecretName = (serverId: string) => `server/${serverId}/private-key`;

type SigningAlgorithm = 'ES256' | 'ES384' | 'ES512' | 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'EdDSA';

const EC_CURVES: Record<string, { alg: SigningAlgorithm; namedCurve: string }> = {
  prime256v1: { alg: 'ES256', namedCurve: 'P-256' },
  secp384r1: { alg: 'ES384', namedCurve: 'P-384' },
  secp521r1: { alg: 'ES512', namedCurve: 'P-521' },
};

export interface ParsedPrivateKey {
  alg: SigningAlgorithm;
  /** WebCrypto parameters to import the key with. */
  importParams: AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams;
  keyObject: crypto.KeyObject;
}

function invalidKey(message: string): KeyringError {
  return new KeyringError('invalid-input', message);
}

/** Reads a PKCS#8 PEM private key and checks it fits `requestedAlg` (default: the key's own algorithm). */
export function parsePrivateKey(pem: string, requestedAlg?: string): ParsedPrivateKey {
  const text = pem.trim();
  if (!/^-----BEGIN (?:EC |RSA )?PRIVATE KEY-----/.test(text)) {
    throw invalidKey('Expected a PEM private key ("-----BEGIN PRIVATE KEY-----", PKCS#8) on standard input.');
  }
  if (/^-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text)) throw invalidKey('The private key is encrypted; give it unencrypted (it is stored in the keychain only).');
  let keyObject: crypto.KeyObject;
  try {
    keyObject = crypto.createPrivateKey({ key: text, format: 'pem' });
  } catch (error) {
    throw invalidKey(`The private key could not be read (${(error as Error).message.split('\n')[0]}).`);
  }
  const type = keyObject.asymmetricKeyType;
  let alg: SigningAlgorithm;
  let importParams: ParsedPrivateKey['importParams'];
  if (type === 'ec') {
    const curve = EC_CURVES[keyObject.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve) throw invalidKey(`The EC key's curve (${keyObject.asymmetricKeyDetails?.namedCurve}) is not one of P-256, P-384, P-521.`);
    alg = curve.alg;
    importParams = { name: 'ECDSA', namedCurve: curve.namedCurve };
  } else if (type === 'rsa' || type === 'rsa-pss') {
    if ((keyObject.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw invalidKey('The RSA key is shorter than 2048 bits.');
    const wanted = requestedAlg ?? (type === 'rsa-pss' ? 'PS256' : 'RS256');
    const match = /^(RS|PS)(256|384|512)$/.exec(wanted);
    if (!match || (type === 'rsa-pss' && match[1] === 'RS')) throw invalidKey(`--signing-alg ${wanted} does not fit an RSA key; use RS256, RS384, RS512 or PS256, PS384, PS512.`);
    alg = wanted as SigningAlgorithm;
    importParams = { name: match[1] === 'RS' ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS', hash: `SHA-${match[2]}` };
  } else if (type === 'ed25519') {
    alg = 'EdDSA';
    importParams = { name: 'Ed25519' };
  } else {
    throw invalidKey(`A ${type ?? 'symmetric'} key cannot sign client assertions; use an EC (P-256), RSA or Ed25519 key.`);
  }
  if (requestedAlg && requestedAlg !== alg && !(requestedAlg === 'Ed25519' && alg === 'EdDSA')) {
    throw invalidKey(`--signing-alg ${requestedAlg} does not fit this key, which signs with ${alg}.`);
  }
  return { alg, importParams, keyObject };
}

/** The key as oauth4webapi's PrivateKeyJwt wants it: a non-extractable CryptoKey and its kid. */
export async function signingKey(pem: string, requestedAlg?: string): Promise<{ key: oauth.PrivateKey; alg: SigningAlgorithm }> {
  const parsed = parsePrivateKey(pem, requestedAlg);
  const der = parsed.keyObject.export({ format: 'der', type: 'pkcs8' });
  const key = await crypto.webcrypto.subtle.importKey('pkcs8', der, parsed.importParams, false, ['sign']);
  // No kid in the assertion: a key the user registered themselves may carry another one (or none).
  return { key: { key: key as CryptoKey }, alg: parsed.alg };
}

/** The public JWK of a private key, with its RFC 7638 thumbprint as kid, `alg` and `use`. */
export function publicJwk(pem: string, requestedAlg?: string): Record<string, unknown> {
  const parsed = parsePrivateKey(pem, requestedAlg);
  const jwk = crypto.createPublicKey(parsed.keyObject).export({ format: 'jwk' }) as Record<string, string>;
  const members: Record<string, string[]> = { EC: ['crv', 'kty', 'x', 'y'], RSA: ['e', 'kty', 'n'], OKP: ['crv', 'kty', 'x'] };
  const required = members[jwk.kty!] ?? [];
  const canonical = JSON.stringify(Object.fromEntries(required.map((name) => [name, jwk[name]])));
  const kid = crypto.createHash('sha256').update(canonical).digest('base64url');
  return { ...jwk, kid, alg: parsed.alg, use: 'sig' };
}

/** A new ES256 (P-256) key as PKCS#8 PEM, for the keychain only. */
export function generatePrivateKeyPem(): string {
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export async function readPrivateKey(vault: Vault, serverId: string): Promise<string | null> {
  return vault.get(privateKeySecretName(serverId));
}
