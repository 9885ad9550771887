// The company identity providers (enterprise-managed authorization): one entry
// each, with its sign-in status, Sign in / Sign out, and an Add dialog. Signing in
// here once lets every server added "through your company's identity provider"
// get its tokens without a browser.
import { useCallback, useEffect, useId, useState } from 'react';
import type { IdentityProviderView } from '../../shared/ipc-contract';
import { call, hasBridge, messageOf, on } from '../api';
import { Dialog } from './Dialog';

function statusText(idp: IdentityProviderView, now: number): string {
  if (idp.status === 'signed-in') {
    const who = idp.user ? ` as ${idp.user}` : '';
    if (idp.expiresAt !== null && idp.expiresAt <= now) return `Signed in${who}; renews on use`;
    return `Signed in${who}${idp.renews ? '' : idp.expiresAt !== null ? ` until ${new Date(idp.expiresAt).toLocaleTimeString()}` : ''}`;
  }
  if (idp.status === 'expired') return 'Sign-in expired';
  if (idp.status === 'needs-sign-in') return 'Needs sign-in';
  return 'Not signed in';
}

function AddIdentityProviderDialog({ onClose, onAdded }: { onClose: () => void; onAdded: (idp: IdentityProviderView) => void }) {
  const ids = { issuer: useId(), clientId: useId(), secret: useId(), name: useId() };
  const [issuer, setIssuer] = useState('');
  const [clientId, setClientId] = useState('');
  const [secret, setSecret] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function add() {
    if (!issuer.trim() || !clientId.trim()) {
      setError('Enter the identity provider\'s issuer URL and the client id MCP Keyring has there.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onAdded(await call('idps:add', { issuer: issuer.trim(), clientId: clientId.trim(), ...(secret ? { clientSecret: secret } : {}), ...(name.trim() ? { name: name.trim() } : {}) }));
    } catch (failure) {
      setError(messageOf(failure));
      setBusy(false);
    }
  }

  return (
    <Dialog
      title="Add an identity provider"
      onClose={onClose}
      busy={busy}
      footer={
        <>
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={() => void add()} disabled={busy}>
            {busy ? 'Adding…' : 'Add'}
          </button>
        </>
      }
    >
      <p className="muted small">Your company's single sign-on (OpenID Connect). Sign in to it once; servers that trust it then get their tokens without a browser.</p>
      <div className="field">
        <label htmlFor={ids.issuer}>Issuer URL</label>
        <input id={ids.issuer} type="url" data-autofocus spellCheck={false} placeholder="https://login.example.com" value={issuer} onChange={(e) => setIssuer(e.target.value)} />
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.clientId}>Client id</label>
          <input id={ids.clientId} spellCheck={false} value={clientId} onChange={(e) => setClientId(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.secret}>Client secret (optional)</label>
          <input id={ids.secret} type="password" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} />
        </div>
      </div>
      <div className="field">
        <label htmlFor={ids.name}>Name (optional)</label>
        <input id={ids.name} value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      {error ? (
        <p className="error-text form-error" role="alert">
          {error}
        </p>
      ) : null}
    </Dialog>
  );
}

export function IdentityProviders() {
  const headingId = useId();
  const [idps, setIdps] = useState<IdentityProviderView[] | null>(null);
  const [busy, setBusy] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [loadError, setLoadError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);

  const load = useCallback(async () => {
    try {
      setIdps(await call('idps:list', undefined));
      setLoadError(null);
    } catch (error) {
      setLoadError(messageOf(error));
    }
  }, []);

  useEffect(() => {
    if (!hasBridge()) return;
    void load();
    // Servers added or removed change which servers use a provider.
    return on('servers:changed', () => void load());
  }, [load]);

  const act = async (idp: IdentityProviderView, action: 'idps:connect' | 'idps:sign-out' | 'idps:remove', label: string) => {
    setBusy((all) => ({ ...all, [idp.id]: label }));
    setErrors(({ [idp.id]: _gone, ...rest }) => rest);
    try {
      await call(action, { id: idp.id });
    } catch (error) {
      setErrors((all) => ({ ...all, [idp.id]: messageOf(error) }));
    } finally {
      setBusy(({ [idp.id]: _done, ...rest }) => rest);
      await load();
    }
  };

  const now = Date.now();
  return (
    <section className="identity-providers" aria-labelledby={headingId}>
      <div className="section-head">
        <h2 id={headingId}>Identity providers</h2>
        <button type="button" onClick={() => setAdding(true)}>
          Add identity provider
        </button>
      </div>
      {loadError ? (
        <p className="error-text small" role="alert">
          {loadError}
        </p>
      ) : null}
      {idps?.length ? (
        <ul className="servers" aria-label="Identity providers">
          {idps.map((idp) => (
            <li key={idp.id} className="server" data-idp-id={idp.id} data-status={idp.status === 'signed-in' ? 'connected' : idp.status}>
              <div className="server-head">
                <div className="server-title">
                  <h3>{idp.name}</h3>
                  <span className="url mono" title={idp.issuer}>
                    {idp.issuer}
                  </span>
                </div>
                <span className={`badge badge-${idp.status === 'signed-in' ? 'connected' : idp.status === 'signed-out' ? 'not-connected' : 'needs-sign-in'}`} role="status">
                  <span className="dot" aria-hidden="true" />
                  {busy[idp.id] ?? statusText(idp, now)}
                </span>
              </div>
              {idp.servers.length ? <p className="muted small">Used by {idp.servers.join(', ')}</p> : null}
              {errors[idp.id] || idp.lastError ? (
                <p className="notice notice-error" role="alert">
                  {errors[idp.id] ?? idp.lastError}
                </p>
              ) : null}
              <div className="actions row-actions">
                {idp.status === 'signed-in' ? (
                  <button type="button" disabled={Boolean(busy[idp.id])} onClick={() => void act(idp, 'idps:sign-out', 'Signing out…')}>
                    Sign out
                  </button>
                ) : (
                  <button type="button" className="primary" disabled={Boolean(busy[idp.id])} onClick={() => void act(idp, 'idps:connect', 'Waiting for you in the browser…')}>
                    Sign in
                  </button>
                )}
                {busy[idp.id]?.startsWith('Waiting') ? (
                  <button type="button" onClick={() => void call('idps:cancel-connect', { id: idp.id }).catch(() => undefined)}>
                    Cancel
                  </button>
                ) : null}
                <span className="spacer" />
                <button type="button" className="danger-quiet" disabled={Boolean(busy[idp.id]) || idp.servers.length > 0} onClick={() => void act(idp, 'idps:remove', 'Removing…')}>
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ul>
      ) : idps ? (
        <p className="muted small">None. Add your company's identity provider to connect servers that trust it without a browser.</p>
      ) : null}
      {adding ? (
        <AddIdentityProviderDialog
          onClose={() => setAdding(false)}
          onAdded={() => {
            setAdding(false);
            void load();
          }}
        />
      ) : null}
    </section>
  );
}
