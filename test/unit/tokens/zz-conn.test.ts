import { test } from 'node:test';
import { startAuthServer } from '/work/main/test/helpers/auth-server';
import { startMcpServer } from '/work/main/test/helpers/mcp-server';
import { createKeyringEnv } from '/work/main/test/helpers/keyring-env';
import { completeLogin } from '/work/main/test/helpers/user-agent';
test('c', async () => {
  const as = await startAuthServer({ accessTokenTTL: 4 });
  const mcp = await startMcpServer({ auth: { issuer: as.issuer, jwksUri: as.jwksUri } });
  for (const wait of [0, 3000]) {
  await new Promise(r => setTimeout(r, wait));
  const p = await createKeyringEnv('x');
  const s = await p.keyring.add({ url: mcp.url, name: 'x' });
  const t0 = Date.now();
  await p.keyring.connect(s.id, { timeoutMs: 20000, onProgress: (e) => console.log(Date.now()-t0, e.step), openBrowser: (url) => completeLogin(url, { timeoutMs: 15000 }).then((r) => console.log('login done', r.status), (e) => console.log('login err', e.message)) });
  console.log((await p.keyring.states.read(s.id)).status);
  await p.cleanup();
  }
  await mcp.close(); await as.close();
});
