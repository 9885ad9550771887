// One server: what state its credentials are in, and what the user can do.
import type { ClientId, ClientTransport, ConnectProgress, ServerUsage } from '../../shared/ipc-contract';
import type { ServerView } from '../../shared/server-state';
import { STATUS_LABELS, absoluteTime, expiryText, hostOf, relativeTime, serverText } from '../format';
import { UseInMenu } from './UseInMenu';
import { StartOverButton } from './StartOverButton';

export interface RowNotice {
  kind: 'ok' | 'info' | 'error';
  text: string;
  /** When it was said: a newer state record (written by any process) supersedes it. */
  at: number;
}

export interface ServerRowProps {
  server: ServerView;
  now: number;
  progress: ConnectProgress | undefined;
  notice: RowNotice | undefined;
  busy: string | undefined;
  highlighted: boolean;
  onConnect: () => void;
  onCancel: () => void;
  /** Cancel the sign-in and run it again with a new registration. */
  onStartOver?: () => void;
  onDisconnect: () => void;
  onRemove: () => void;
  onUseIn: (client: ClientId, transport: ClientTransport) => void;
  onOpenLink: (url: string) => void;
  onCopyLink: (url: string) => void;
  /** The client config entries that point at this server. */
  usage?: ServerUsage[] | undefined;
  onHistory?: () => void;
}

const ACTIVE_STEPS = new Set(['discovering', 'registering', 'waiting-for-browser', 'exchanging-code']);

function progressText(progress: ConnectProgress): string {
  switch (progress.step) {
    case 'discovering':
      return 'Looking up how to sign in…';
    case 'registering':
      return 'Registering MCP Keyring with the sign-in server…';
    case 'waiting-for-browser':
      return 'Waiting for you in the browser…';
    case 'exchanging-code':
      return 'Finishing sign-in…';
    default:
      return '';
  }
}

export function isActive(progress: ConnectProgress | undefined): boolean {
  return progress !== undefined && ACTIVE_STEPS.has(progress.step);
}

export function ServerRow(props: ServerRowProps) {
  const { server, now, progress, notice, busy } = props;
  const { state } = server;
  const titleId = `server-${server.id}-name`;
  const signingIn = isActive(progress);
  const oauth = server.authKind === 'oauth';
  const hasCredentials = oauth && !['not-connected', 'needs-sign-in'].includes(server.status);
  const showNotice = notice !== undefined && !signingIn && notice.at >= state.updatedAt;
  const needsAction = ['needs-sign-in', 'needs-more-access', 'error', 'expiring'].includes(server.status);
  const expiry = expiryText(server, now);
  const connectLabel = server.status === 'not-connected' ? 'Connect' : 'Reconnect';

  return (
    <li className={`server${props.highlighted ? ' highlighted' : ''}`} data-server-id={server.id} data-status={server.status} aria-labelledby={titleId} tabIndex={-1}>
      <div className="server-head">
        <div className="server-title">
          <h3 id={titleId}>{server.name}</h3>
          <span className="url mono" title={server.url}>
            {server.url}
          </span>
        </div>
        <span className={`badge badge-${server.status}`} data-testid="status">
          <span className="dot" aria-hidden="true" />
          {server.authKind === 'none' ? 'No sign-in needed' : server.authKind === 'header' && server.status === 'connected' ? 'API key' : STATUS_LABELS[server.status]}
        </span>
      </div>

      <dl className="details">
        {oauth && state.authorizationServer ? (
          <div>
            <dt>Signed in at</dt>
            <dd className="mono">{hostOf(state.authorizationServer)}</dd>
          </div>
        ) : null}
        {expiry ? (
          <div>
            <dt>Token</dt>
            <dd data-testid="expiry" title={state.expiresAt ? absoluteTime(state.expiresAt) : undefined}>
              {expiry}
            </dd>
          </div>
        ) : null}
        {oauth && state.scopes.length > 0 ? (
          <div>
            <dt>Access</dt>
            <dd className="chips" data-testid="scopes">
              {state.scopes.map((scope) => (
                <code key={scope} className="chip">
                  {scope}
                </code>
              ))}
            </dd>
          </div>
        ) : null}
        {server.status === 'needs-more-access' && state.requestedScopes.length > 0 ? (
          <div>
            <dt>Asks for</dt>
            <dd className="chips">
              {state.requestedScopes.map((scope) => (
                <code key={scope} className="chip chip-warn">
                  {scope}
                </code>
              ))}
            </dd>
          </div>
        ) : null}
        {state.lastRefreshAt !== null ? (
          <div>
            <dt>Last refresh</dt>
            <dd data-testid="last-refresh" title={absoluteTime(state.lastRefreshAt)}>
              {relativeTime(state.lastRefreshAt, now)} by {state.lastRefreshBy ?? 'an unknown process'}
            </dd>
          </div>
        ) : null}
        {props.usage?.length ? (
          <div>
            <dt>Used in</dt>
            <dd data-testid="used-in" title={props.usage.map((u) => `${u.label}: "${u.name}" in ${u.path}`).join('\n')}>
              {[...new Set(props.usage.map((u) => u.label))].join(', ')}
            </dd>
          </div>
        ) : null}
        {server.authKind === 'header' ? (
          <div>
            <dt>Key</dt>
            <dd>kept in the system keychain</dd>
          </div>
        ) : null}
      </dl>

      {state.lastError && !signingIn ? (
        <p className="error-text row-error" data-testid="last-error">
          <span className="visually-hidden">Last error: </span>
          {serverText(state.lastError)}
        </p>
      ) : null}

      {!signingIn && (server.status === 'needs-sign-in' || server.status === 'needs-more-access') ? (
        <p className="hint small">
          {server.status === 'needs-sign-in'
            ? 'MCP clients cannot use this server until you sign in again: press Reconnect.'
            : 'The server wants more access than you granted: press Reconnect to approve it.'}
        </p>
      ) : null}

      {signingIn && progress ? (
        <div className="signing-in" role="status" data-testid="progress" data-step={progress.step}>
          <span className="spinner" aria-hidden="true" />
          <div className="signing-in-text">
            <strong>{progressText(progress)}</strong>
            {progress.step === 'waiting-for-browser' ? (
              <span className="muted small">Sign in on the page that opened in your browser, then come back here.</span>
            ) : null}
            {progress.message ? <span className="error-text small">{progress.message}</span> : null}
            {progress.step === 'waiting-for-browser' && props.onStartOver ? <StartOverButton onStartOver={props.onStartOver} /> : null}
          </div>
          <div className="actions">
            {progress.url ? (
              <>
                <button type="button" onClick={() => props.onOpenLink(progress.url!)}>
                  Open page again
                </button>
                <button type="button" onClick={() => props.onCopyLink(progress.url!)}>
                  Copy link
                </button>
              </>
            ) : null}
            <button type="button" onClick={props.onCancel}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}

      {showNotice && notice ? (
        <p className={`notice notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
          {notice.text}
        </p>
      ) : null}

      <div className="actions row-actions">
        {oauth ? (
          <button type="button" className={needsAction || server.status === 'not-connected' ? 'primary' : ''} onClick={props.onConnect} disabled={signingIn || busy !== undefined}>
            {connectLabel}
          </button>
        ) : null}
        {hasCredentials ? (
          <button type="button" onClick={props.onDisconnect} disabled={signingIn || busy !== undefined}>
            {busy === 'disconnect' ? 'Disconnecting…' : 'Disconnect'}
          </button>
        ) : null}
        <UseInMenu serverId={server.id} serverName={server.name} onPick={props.onUseIn} />
        {props.onHistory ? (
          <button type="button" onClick={props.onHistory}>
            History
          </button>
        ) : null}
        <span className="spacer" />
        <button type="button" className="danger-quiet" onClick={props.onRemove} disabled={busy !== undefined}>
          Remove
        </button>
      </div>
    </li>
  );
}
