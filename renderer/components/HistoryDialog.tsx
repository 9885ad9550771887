// One server's history, newest first: sign-ins with the scopes granted, refreshes
// and which process did them, failures, step-ups, 401s, revocation, adoption and
// client config changes. The app records no secret in it.
import { useEffect, useState } from 'react';
import { HISTORY_EVENT_LABELS, type HistoryEvent } from '../../shared/history';
import { call, messageOf } from '../api';
import { absoluteTime, relativeTime } from '../format';
import { Dialog } from './Dialog';

export function HistoryDialog({ id, name, onClose }: { id: string; name: string; onClose: () => void }) {
  const [events, setEvents] = useState<HistoryEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = Date.now();
  useEffect(() => {
    call('servers:history', { id })
      .then(setEvents)
      .catch((e: unknown) => setError(messageOf(e)));
  }, [id]);
  return (
    <Dialog
      title={`History of ${name}`}
      onClose={onClose}
      className="history-dialog"
      footer={
        <button type="button" className="primary" data-autofocus onClick={onClose}>
          Done
        </button>
      }
    >
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {events === null && !error ? <p role="status">Loading…</p> : null}
      {events && events.length === 0 ? <p className="muted">Nothing has happened yet.</p> : null}
      {events && events.length > 0 ? (
        <ol className="history" aria-label="Events, newest first">
          {events.map((event, index) => (
            <li key={`${event.at}-${index}`} className={`history-event history-${event.kind}`} data-testid="history-event" data-kind={event.kind}>
              <time dateTime={new Date(event.at).toISOString()} title={absoluteTime(event.at)} className="muted small">
                {relativeTime(event.at, now)}
              </time>
              <div>
                <strong>{HISTORY_EVENT_LABELS[event.kind] ?? event.kind}</strong>
                {event.client ? <span> — {event.client}</span> : null}
                {event.scopes?.length ? (
                  <span className="chips">
                    {event.scopes.map((scope) => (
                      <code key={scope} className="chip">
                        {scope}
                      </code>
                    ))}
                  </span>
                ) : null}
                {event.path ? <div className="muted small mono path">{event.path}</div> : null}
                {event.message ? <div className="error-text small">{event.message}</div> : null}
                <div className="muted small">by {event.by}</div>
              </div>
            </li>
          ))}
        </ol>
      ) : null}
    </Dialog>
  );
}
