// A throwaway certificate authority and one server certificate signed by it,
// made with the openssl command line at test time: for https authorization and
// MCP servers that a child process trusts only through NODE_EXTRA_CA_CERTS.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificates {
  dir: string;
  /** PEM file of the CA certificate (what NODE_EXTRA_CA_CERTS points at). */
  caFile: string;
  ca: string;
  /** Server key and certificate (PEM) for https.createServer / tls.createServer. */
  key: string;
  cert: string;
  cleanup(): Promise<void>;
}

/** A CA and a server certificate for `dnsNames` (and 127.0.0.1), valid for two days. */
export async function createTestCertificates(dnsNames: string[], ipAddresses: string[] = ['127.0.0.1']): Promise<TestCertificates> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-keyring-tls-'));
  const file = (name: string) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2',
    '-subj', '/CN=MCP Keyring quirks test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', ['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=${dnsNames[0] ?? 'localhost'}`]);
  const san = [...dnsNames.map((n) => `DNS:${n}`), ...ipAddresses.map((ip) => `IP:${ip}`)].join(',');
  await fs.writeFile(
    file('server.ext'),
    `subjectAltName=${san}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`,
  );
  await run('openssl', [
    'x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-out', file('server.pem'), '-days', '2', '-extfile', file('server.ext'),
  ]);
  const [ca, key, cert] = await Promise.all(['ca.pem', 'server.key', 'server.pem'].map((name) => fs.readFile(file(name), 'utf8')));
  return {
    dir,
    caFile: file('ca.pem'),
    ca: ca!,
    key: key!,
    cert: cert!,
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
}
