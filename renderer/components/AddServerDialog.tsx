// "Add server": paste a URL, Check shows what discovery found (nothing is stored
// yet), optionally adjust the sign-in, then Add.
import { useId, useRef, useState, type FormEvent } from 'react';
import type { AddServerRequest, DiscoveryPreview } from '../../shared/ipc-contract';
import type { ServerAuth } from '../../shared/server-config';
import type { ServerView } from '../../shared/server-state';
import { call, messageOf } from '../api';
import { REGISTRATION_LABELS, hostOf, serverText } from '../format';
import { BROWSER_SIGN_IN, BrowserlessFields, browserlessProblem, browserlessRequest, type BrowserlessChoice } from './BrowserlessFields';
import { Dialog } from './Dialog';

interface Advanced {
  clientId: string;
  clientSecret: string;
  scopes: string;
  audience: string;
  sendResource: boolean;
}

const EMPTY_ADVANCED: Advanced = { clientId: '', clientSecret: '', scopes: '', audience: '', sendResource: true };

function oauthOptions(advanced: Advanced): Extract<ServerAuth, { kind: 'oauth' }> {
  const scopes = advanced.scopes.split(/[\s,]+/).filter(Boolean);
  return {
    kind: 'oauth',
    sendResource: advanced.sendResource,
    ...(advanced.clientId.trim() ? { clientId: advanced.clientId.trim() } : {}),
    ...(scopes.length ? { scopes } : {}),
    ...(advanced.audience.trim() ? { audience: advanced.audience.trim() } : {}),
  };
}

export function AddServerDialog({ onClose, onAdded }: { onClose: () => void; onAdded: (server: ServerView) => void }) {
  const ids = { url: useId(), name: useId(), header: useId(), scheme: useId(), key: useId(), clientId: useId(), clientSecret: useId(), scopes: useId(), audience: useId(), resource: useId(), error: useId() };
  const [url, setUrl] = useState('');
  const [name, setName] = useState('');
  const [preview, setPreview] = useState<DiscoveryPreview | null>(null);
  const [checkedUrl, setCheckedUrl] = useState('');
  const [advanced, setAdvanced] = useState<Advanced>(EMPTY_ADVANCED);
  const [headerName, setHeaderName] = useState('');
  const [scheme, setScheme] = useState('');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState<'checking' | 'adding' | null>(null);
  const [error, setError] = useState<{ where: 'url' | 'form'; text: string } | null>(null);
  const urlRef = useRef<HTMLInputElement>(null);
  const [tokens, setTokens] = useState<BrowserlessChoice>(BROWSER_SIGN_IN);
  /** After adding with a generated key: the public key to register, before the dialog closes. */
  const [registerKey, setRegisterKey] = useState<{ server: ServerView; jwk: string } | null>(null);
  const [copied, setCopied] = useState(false);

  const current = preview && checkedUrl === url.trim() ? preview : null;

  async function check(event?: FormEvent) {
    event?.preventDefault();
    const target = url.trim();
    if (!target) {
      setError({ where: 'url', text: 'Paste the address of the MCP server first, e.g. https://mcp.example.com/mcp.' });
      urlRef.current?.focus();
      return;
    }
    setBusy('checking');
    setError(null);
    setPreview(null);
    try {
      const found = await call('servers:preview', { url: target, auth: oauthOptions(advanced) });
      setPreview(found);
      setCheckedUrl(target);
    } catch (failure) {
      setError({ where: 'url', text: messageOf(failure) });
    } finally {
      setBusy(null);
    }
  }

  function authFor(found: DiscoveryPreview): ServerAuth {
    if (found.protection === 'none') return { kind: 'none' };
    if (found.protection === 'unknown') {
      return { kind: 'header', headerName: headerName.trim(), ...(scheme.trim() ? { scheme: scheme.trim() } : {}) };
    }
    return oauthOptions(advanced);
  }

  async function add() {
    if (!current) return;
    if (current.protection === 'unknown' && (!headerName.trim() || !secret)) {
      setError({ where: 'form', text: 'Enter the header name and the key this server expects.' });
      return;
    }
    const browserless = current.protection === 'oauth' && tokens.method !== 'browser';
    const problem = browserless ? browserlessProblem(tokens) : null;
    if (problem) {
      setError({ where: 'form', text: problem });
      return;
    }
    if (!browserless && advanced.clientSecret && !advanced.clientId.trim()) {
      setError({ where: 'form', text: 'A client secret goes with a client id; enter the client id too.' });
      return;
    }
    const plain: AddServerRequest = {
      url: current.url,
      auth: authFor(current),
      ...(name.trim() ? { name: name.trim() } : current.resourceName ? { name: current.resourceName } : {}),
      ...(current.protection === 'unknown' ? { secret } : {}),
      ...(current.protection === 'oauth' && advanced.clientSecret ? { clientSecret: advanced.clientSecret } : {}),
    };
    const { clientSecret: _browserSecret, ...withoutSecret } = plain;
    const request: AddServerRequest = browserless ? { ...withoutSecret, ...browserlessRequest(tokens, oauthOptions(advanced)) } : plain;
    setBusy('adding');
    setError(null);
    try {
      const server = await call('servers:add', request);
      if (request.generateKey) {
        const { jwk } = await call('servers:public-key', { id: server.id });
        setRegisterKey({ server, jwk: JSON.stringify(jwk, null, 2) });
        setBusy(null);
        return;
      }
      onAdded(server);
    } catch (failure) {
      setError({ where: 'form', text: messageOf(failure) });
      setBusy(null);
    }
  }

  if (registerKey) {
    const copy = async () => {
      try {
        await navigator.clipboard.writeText(registerKey.jwk);
        setCopied(true);
      } catch {
        setCopied(false);
      }
    };
    return (
      <Dialog
        title="Register the public key"
        onClose={() => onAdded(registerKey.server)}
        className="add-dialog"
        footer={
          <>
            <button type="button" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button type="button" className="primary" data-autofocus onClick={() => onAdded(registerKey.server)}>
              Done
            </button>
          </>
        }
      >
        <p>
          Added {registerKey.server.name}. Its private key was made in and stays in the system keychain. Register this public key (JWK) for the client id at the authorization server, then click Connect.
        </p>
        <textarea className="mono" aria-label="Public key (JWK)" readOnly rows={9} value={registerKey.jwk} />
      </Dialog>
    );
  }

  const footer = (
    <>
      <button type="button" onClick={onClose}>
        Cancel
      </button>
      <button type="button" className="primary" onClick={add} disabled={!current || busy !== null}>
        {busy === 'adding' ? 'Adding…' : 'Add'}
      </button>
    </>
  );

  return (
    <Dialog title="Add a server" onClose={onClose} footer={footer} className="add-dialog">
      <form className="check-row" onSubmit={check} noValidate>
        <div className="field grow">
          <label htmlFor={ids.url}>Server URL</label>
          <input
            id={ids.url}
            ref={urlRef}
            type="url"
            inputMode="url"
            data-autofocus
            spellCheck={false}
            placeholder="https://mcp.example.com/mcp"
            value={url}
            onChange={(e) => {
              setUrl(e.target.value);
              if (error?.where === 'url') setError(null);
            }}
            aria-describedby={error?.where === 'url' ? ids.error : undefined}
            aria-invalid={error?.where === 'url' ? true : undefined}
          />
        </div>
        <button type="submit" disabled={busy !== null}>
          {busy === 'checking' ? 'Checking…' : 'Check'}
        </button>
      </form>

      {error?.where === 'url' ? (
        <p id={ids.error} className="error-text" role="alert">
          {error.text}
        </p>
      ) : null}
      {busy === 'checking' ? (
        <p className="muted" role="status">
          Asking {hostOf(url.trim())} how it signs in…
        </p>
      ) : null}

      {current ? (
        <section className="preview" aria-label="What MCP Keyring found" data-protection={current.protection}>
          {current.protection === 'oauth' ? (
            <>
              <dl className="facts">
                {current.resourceName ? (
                  <>
                    <dt>Server</dt>
                    <dd>{serverText(current.resourceName, 300)}</dd>
                  </>
                ) : null}
                <dt>Signs in with</dt>
                <dd className="mono">{current.authorizationServer}</dd>
                <dt>Registration</dt>
                <dd data-registration={current.registration}>{current.registration ? REGISTRATION_LABELS[current.registration] : 'Unknown'}</dd>
                <dt>Will ask for</dt>
                <dd>
                  {current.scopes.length ? (
                    <span className="chips">
                      {current.scopes.map((scope) => (
                        <code key={scope} className="chip">
                          {scope}
                        </code>
                      ))}
                    </span>
                  ) : (
                    'the scopes the server grants by default'
                  )}
                </dd>
              </dl>
              <BrowserlessFields choice={tokens} onChange={setTokens} />
            </>
          ) : current.protection === 'none' ? (
            <p className="ok-text">This server needs no sign-in: it answered without credentials.</p>
          ) : (
            <>
              <p>This server refused the request but names no sign-in server: it most likely uses an API key. Enter where the key goes and the key itself; the key is kept in the system keychain.</p>
              <div className="field-row">
                <div className="field">
                  <label htmlFor={ids.header}>Header name</label>
                  <input id={ids.header} spellCheck={false} placeholder="X-API-Key" value={headerName} onChange={(e) => {
                      setHeaderName(e.target.value);
                      setError(null);
                    }} />
                </div>
                <div className="field">
                  <label htmlFor={ids.scheme}>Prefix (optional)</label>
                  <input id={ids.scheme} spellCheck={false} placeholder="Bearer" value={scheme} onChange={(e) => setScheme(e.target.value)} />
                </div>
              </div>
              <div className="field">
                <label htmlFor={ids.key}>Key</label>
                <input id={ids.key} type="password" autoComplete="off" value={secret} onChange={(e) => {
                    setSecret(e.target.value);
                    setError(null);
                  }} />
              </div>
            </>
          )}
          <div className="field">
            <label htmlFor={ids.name}>Name (optional)</label>
            <input id={ids.name} placeholder={current.resourceName ?? hostOf(current.url)} value={name} onChange={(e) => setName(e.target.value)} />
          </div>
        </section>
      ) : null}

      {!current || current.protection === 'oauth' ? (
        <details className="advanced">
          <summary>Advanced sign-in options</summary>
          <p className="muted small">Only needed for servers that want your own OAuth app or special parameters. Press Check again after changing them.</p>
          {/* A browserless choice above has its own client id and secret. */}
          {tokens.method === 'browser' ? (
            <div className="field-row">
              <div className="field">
                <label htmlFor={ids.clientId}>Client id</label>
                <input id={ids.clientId} spellCheck={false} value={advanced.clientId} onChange={(e) => setAdvanced({ ...advanced, clientId: e.target.value })} />
              </div>
              <div className="field">
                <label htmlFor={ids.clientSecret}>Client secret</label>
                <input id={ids.clientSecret} type="password" autoComplete="off" value={advanced.clientSecret} onChange={(e) => setAdvanced({ ...advanced, clientSecret: e.target.value })} />
              </div>
            </div>
          ) : null}
          <div className="field-row">
            <div className="field">
              <label htmlFor={ids.scopes}>Scopes (space-separated)</label>
              <input id={ids.scopes} spellCheck={false} placeholder="from the server" value={advanced.scopes} onChange={(e) => setAdvanced({ ...advanced, scopes: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={ids.audience}>Audience</label>
              <input id={ids.audience} spellCheck={false} placeholder="Auth0 only" value={advanced.audience} onChange={(e) => setAdvanced({ ...advanced, audience: e.target.value })} />
            </div>
          </div>
          <label className="checkbox" htmlFor={ids.resource}>
            <input id={ids.resource} type="checkbox" checked={advanced.sendResource} onChange={(e) => setAdvanced({ ...advanced, sendResource: e.target.checked })} />
            Send the server's address as <code>resource</code> (turn off for Microsoft Entra)
          </label>
        </details>
      ) : null}

      {error?.where === 'form' ? (
        <p className="error-text form-error" role="alert">
          {error.text}
        </p>
      ) : null}
    </Dialog>
  );
}
