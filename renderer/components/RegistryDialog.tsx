// "Add from the registry": search the MCP Registry (or the sub-registry MCP
// Keyring is set to) for servers with a remote endpoint, see how each signs in,
// choose one: the same discovery preview as "Add server", then Add and Connect.
import { useId, useState, type FormEvent } from 'react';
import type { DiscoveryPreview } from '../../shared/ipc-contract';
import type { RegistryHit } from '../../shared/registry-search';
import type { ServerAuth } from '../../shared/server-config';
import type { ServerView } from '../../shared/server-state';
import { call, messageOf } from '../api';
import { REGISTRATION_LABELS, hostOf } from '../format';
import { Dialog } from './Dialog';

const SIGN_IN_LABELS: Record<RegistryHit['signIn'], string> = {
  oauth: 'Signs in with OAuth',
  'api-key': 'Needs an API key',
  none: 'No sign-in needed',
  unknown: 'Refuses without credentials',
  unreachable: 'Did not answer',
};

function displayName(hit: RegistryHit): string {
  return hit.title || hit.name.split('/').pop() || hit.name;
}

export function RegistryDialog({ onClose, onAdded }: { onClose: () => void; onAdded: (server: ServerView, connect: boolean) => void }) {
  const ids = { words: useId(), key: useId() };
  const [words, setWords] = useState('');
  const [hits, setHits] = useState<RegistryHit[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [registry, setRegistry] = useState('');
  const [chosen, setChosen] = useState<RegistryHit | null>(null);
  const [preview, setPreview] = useState<DiscoveryPreview | null>(null);
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState<'searching' | 'checking' | 'adding' | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function search(event?: FormEvent, more = false) {
    event?.preventDefault();
    if (!words.trim()) return;
    setBusy('searching');
    setError(null);
    try {
      const result = await call('registry:search', { words: words.trim(), ...(more && cursor ? { cursor } : {}) });
      setHits((previous) => (more && previous ? [...previous, ...result.servers] : result.servers));
      setCursor(result.nextCursor);
      setRegistry(result.registry);
      if (!more) {
        setChosen(null);
        setPreview(null);
      }
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(null);
    }
  }

  async function choose(hit: RegistryHit) {
    setChosen(hit);
    setPreview(null);
    setKey('');
    setError(null);
    setBusy('checking');
    try {
      setPreview(await call('servers:preview', { url: hit.url }));
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(null);
    }
  }

  function authFor(hit: RegistryHit, found: DiscoveryPreview): ServerAuth {
    if (hit.signIn === 'api-key' && hit.keyFields?.[0]) return { kind: 'header', headerName: hit.keyFields[0].header };
    if (found.protection === 'none') return { kind: 'none' };
    return { kind: 'oauth', sendResource: true };
  }

  async function add() {
    if (!chosen || !preview) return;
    const auth = authFor(chosen, preview);
    if (auth.kind === 'header' && !key) {
      setError(`Enter ${chosen.keyFields?.[0]?.label ?? 'the key'}.`);
      return;
    }
    setBusy('adding');
    setError(null);
    try {
      const server = await call('servers:add', { url: preview.url, name: displayName(chosen), auth, ...(auth.kind === 'header' ? { secret: key } : {}) });
      onAdded(server, auth.kind === 'oauth');
    } catch (failure) {
      setError(messageOf(failure));
      setBusy(null);
    }
  }

  const keyField = chosen?.signIn === 'api-key' ? chosen.keyFields?.[0] : undefined;
  const footer = (
    <>
      <button type="button" onClick={onClose}>
        Cancel
      </button>
      <button type="button" className="primary" onClick={() => void add()} disabled={!preview || busy !== null}>
        {busy === 'adding' ? 'Adding…' : preview?.protection === 'oauth' && !keyField ? 'Add and connect' : 'Add'}
      </button>
    </>
  );

  return (
    <Dialog title="Add from the MCP registry" onClose={onClose} footer={footer} className="registry-dialog" busy={busy === 'adding'}>
      <form className="check-row" onSubmit={(e) => void search(e)} role="search">
        <div className="field grow">
          <label htmlFor={ids.words}>Search the registry</label>
          <input id={ids.words} type="search" data-autofocus spellCheck={false} placeholder="e.g. github, search, weather" value={words} onChange={(e) => setWords(e.target.value)} />
        </div>
        <button type="submit" disabled={busy !== null || !words.trim()}>
          {busy === 'searching' ? 'Searching…' : 'Search'}
        </button>
      </form>
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {hits && hits.length === 0 ? (
        <p className="muted" role="status">
          No server with a remote endpoint matches “{words}” in {registry}.
        </p>
      ) : null}
      {hits && hits.length > 0 ? (
        <ul className="registry-hits" aria-label="Registry results">
          {hits.map((hit) => (
            <li key={`${hit.name}@${hit.url}`} className={`registry-hit${chosen === hit ? ' chosen' : ''}`} data-testid="registry-hit" data-name={hit.name}>
              <div className="server-head">
                <div className="server-title">
                  <h3>
                    {displayName(hit)} <span className="muted small">{hit.version}</span>
                  </h3>
                  <span className="muted small mono">{hit.name}</span>
                </div>
                <span className={`badge badge-${hit.signIn === 'unreachable' || hit.signIn === 'unknown' ? 'error' : 'connected'}`} data-testid="sign-in">
                  {SIGN_IN_LABELS[hit.signIn]}
                </span>
              </div>
              {hit.description ? <p className="small">{hit.description}</p> : null}
              <div className="actions">
                <span className="url mono small">{hit.url}</span>
                <span className="spacer" />
                <button type="button" onClick={() => void choose(hit)} disabled={busy !== null}>
                  Choose
                </button>
              </div>
              {chosen === hit && busy === 'checking' ? <p role="status">Checking how it signs in…</p> : null}
              {chosen === hit && preview ? (
                <section className="preview" aria-label="What MCP Keyring found">
                  <dl className="facts">
                    <dt>Address</dt>
                    <dd className="mono">{preview.url}</dd>
                    {preview.authorizationServer ? (
                      <>
                        <dt>Signs in with</dt>
                        <dd className="mono">{hostOf(preview.authorizationServer)}</dd>
                      </>
                    ) : null}
                    {preview.registration ? (
                      <>
                        <dt>Client</dt>
                        <dd>{REGISTRATION_LABELS[preview.registration]}</dd>
                      </>
                    ) : null}
                    {preview.scopes.length ? (
                      <>
                        <dt>Will ask for</dt>
                        <dd>{preview.scopes.join(' ')}</dd>
                      </>
                    ) : null}
                  </dl>
                  {keyField ? (
                    <div className="field">
                      <label htmlFor={ids.key}>{keyField.label}</label>
                      <input id={ids.key} type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} />
                      <span className="muted small">Sent as the {keyField.header} header; kept in the system keychain only.</span>
                    </div>
                  ) : null}
                </section>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {cursor ? (
        <button type="button" onClick={(e) => void search(e as unknown as FormEvent, true)} disabled={busy !== null}>
          More results
        </button>
      ) : null}
    </Dialog>
  );
}
