// The Add dialog's choice of how tokens are obtained for an OAuth server: sign-in
// in the browser (the default), machine-to-machine (client_credentials with a
// secret, a generated key or a pasted PEM key), or through the company identity
// provider (cross-app access). Secrets typed here go to the app, then the keychain.
import { useEffect, useId, useState } from 'react';
import type { AddServerRequest, IdentityProviderView } from '../../shared/ipc-contract';
import type { ServerAuth } from '../../shared/server-config';
import { call, messageOf } from '../api';

export type TokenMethod = 'browser' | 'client-credentials' | 'idp';
export type MachineCredential = 'secret' | 'generate' | 'pem';

export interface BrowserlessChoice {
  method: TokenMethod;
  clientId: string;
  credential: MachineCredential;
  secret: string;
  pem: string;
  idp: string;
}

export const BROWSER_SIGN_IN: BrowserlessChoice = { method: 'browser', clientId: '', credential: 'secret', secret: '', pem: '', idp: '' };

/** What is missing before Add can go ahead, or null. */
export function browserlessProblem(choice: BrowserlessChoice): string | null {
  if (choice.method === 'browser') return null;
  if (!choice.clientId.trim()) return 'Enter the client id this server knows MCP Keyring by.';
  if (choice.method === 'idp' && !choice.idp) return 'Choose the identity provider (add one under Identity providers first).';
  if (choice.method === 'client-credentials' && choice.credential === 'secret' && !choice.secret) return 'Enter the client secret.';
  if (choice.method === 'client-credentials' && choice.credential === 'pem' && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(choice.pem)) return 'Paste the private key in PEM form (-----BEGIN PRIVATE KEY----- …).';
  return null;
}

/** The add request's auth and secrets for a browserless choice (the browser method keeps the caller's). */
export function browserlessRequest(choice: BrowserlessChoice, base: Extract<ServerAuth, { kind: 'oauth' }>): Pick<AddServerRequest, 'auth' | 'clientSecret' | 'privateKeyPem' | 'generateKey'> {
  const clientId = choice.clientId.trim();
  if (choice.method === 'idp') {
    return { auth: { ...base, clientId, grant: { type: 'id-jag', idp: choice.idp } }, ...(choice.secret ? { clientSecret: choice.secret } : {}) };
  }
  const credential = choice.credential === 'secret' ? 'client-secret' : 'private-key';
  return {
    auth: { ...base, clientId, grant: { type: 'client-credentials', credential } },
    ...(choice.credential === 'secret' ? { clientSecret: choice.secret } : {}),
    ...(choice.credential === 'pem' ? { privateKeyPem: choice.pem } : {}),
    ...(choice.credential === 'generate' ? { generateKey: true } : {}),
  };
}

export function BrowserlessFields({ choice, onChange }: { choice: BrowserlessChoice; onChange: (next: BrowserlessChoice) => void }) {
  const ids = { clientId: useId(), secret: useId(), pem: useId(), idp: useId() };
  const [idps, setIdps] = useState<IdentityProviderView[] | null>(null);
  const [idpError, setIdpError] = useState<string | null>(null);
  const set = (patch: Partial<BrowserlessChoice>) => onChange({ ...choice, ...patch });

  useEffect(() => {
    if (choice.method !== 'idp' || idps !== null) return;
    call('idps:list', undefined)
      .then((list) => {
        setIdps(list);
        if (list.length === 1 && !choice.idp) onChange({ ...choice, idp: list[0]!.id });
      })
      .catch((error: unknown) => setIdpError(messageOf(error)));
  }, [choice, idps, onChange]);

  return (
    <fieldset className="token-method">
      <legend>How MCP Keyring gets tokens</legend>
      <label className="checkbox">
        <input type="radio" name="token-method" checked={choice.method === 'browser'} onChange={() => set({ method: 'browser' })} />
        You sign in in the browser
      </label>
      <label className="checkbox">
        <input type="radio" name="token-method" checked={choice.method === 'client-credentials'} onChange={() => set({ method: 'client-credentials' })} />
        Machine-to-machine (client credentials, no browser)
      </label>
      <label className="checkbox">
        <input type="radio" name="token-method" checked={choice.method === 'idp'} onChange={() => set({ method: 'idp' })} />
        Through your company's identity provider (no browser per server)
      </label>

      {choice.method !== 'browser' ? (
        <div className="field">
          <label htmlFor={ids.clientId}>Client id</label>
          <input id={ids.clientId} spellCheck={false} value={choice.clientId} onChange={(e) => set({ clientId: e.target.value })} />
        </div>
      ) : null}

      {choice.method === 'client-credentials' ? (
        <>
          <div className="field-row" role="radiogroup" aria-label="Client credential">
            <label className="checkbox">
              <input type="radio" name="credential" checked={choice.credential === 'secret'} onChange={() => set({ credential: 'secret' })} />
              Client secret
            </label>
            <label className="checkbox">
              <input type="radio" name="credential" checked={choice.credential === 'generate'} onChange={() => set({ credential: 'generate' })} />
              Generate a key pair
            </label>
            <label className="checkbox">
              <input type="radio" name="credential" checked={choice.credential === 'pem'} onChange={() => set({ credential: 'pem' })} />
              Use my private key
            </label>
          </div>
          {choice.credential === 'secret' ? (
            <div className="field">
              <label htmlFor={ids.secret}>Client secret</label>
              <input id={ids.secret} type="password" autoComplete="off" value={choice.secret} onChange={(e) => set({ secret: e.target.value })} />
            </div>
          ) : choice.credential === 'pem' ? (
            <div className="field">
              <label htmlFor={ids.pem}>Private key (PKCS#8 PEM)</label>
              <textarea id={ids.pem} className="mono" rows={4} spellCheck={false} autoComplete="off" value={choice.pem} onChange={(e) => set({ pem: e.target.value })} />
            </div>
          ) : (
            <p className="muted small">MCP Keyring makes an ES256 key pair; the private key stays in the system keychain. You get the public key to register with the authorization server.</p>
          )}
        </>
      ) : null}

      {choice.method === 'idp' ? (
        <>
          <div className="field">
            <label htmlFor={ids.idp}>Identity provider</label>
            <select id={ids.idp} value={choice.idp} onChange={(e) => set({ idp: e.target.value })}>
              <option value="">{idps === null ? 'Loading…' : idps.length ? 'Choose…' : 'None yet: add one under Identity providers'}</option>
              {(idps ?? []).map((idp) => (
                <option key={idp.id} value={idp.id}>
                  {idp.name} ({idp.issuer})
                </option>
              ))}
            </select>
          </div>
          {idpError ? (
            <p className="error-text small" role="alert">
              {idpError}
            </p>
          ) : null}
          <div className="field">
            <label htmlFor={ids.secret}>Client secret (optional)</label>
            <input id={ids.secret} type="password" autoComplete="off" value={choice.secret} onChange={(e) => set({ secret: e.target.value })} />
          </div>
        </>
      ) : null}
    </fieldset>
  );
}
