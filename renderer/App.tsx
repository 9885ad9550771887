// The window: the server list and everything done from it. Data comes from the
// app's 'servers:changed' events (no polling); a one-minute tick only keeps the
// "in 5 min" wording current.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppSettings, ClientId, ClientTransport, ConnectProgress, ServerUsage } from '../shared/ipc-contract';
import type { ServerView } from '../shared/server-state';
import { call, hasBridge, hasErrorCode, messageOf, on } from './api';
import { liveStatus } from './format';
import { AddServerDialog } from './components/AddServerDialog';
import { AdoptDialog } from './components/AdoptDialog';
import { HistoryDialog } from './components/HistoryDialog';
import { RegistryDialog } from './components/RegistryDialog';
import { EmptyState } from './components/EmptyState';
import { IdentityProviders } from './components/IdentityProviders';
import { InstallResultDialog, type InstallOutcome } from './components/InstallResultDialog';
import { RemoveServerDialog } from './components/RemoveServerDialog';
import { ServerRow, isActive } from './components/ServerRow';
import { StatusBar } from './components/StatusBar';
import { TopBar } from './components/TopBar';
import { useMinuteTick } from './hooks/useMinuteTick';
import { useRowNotices } from './hooks/useRowNotices';

type Confirm = { id: string; name: string };

export function App() {
  const [servers, setServers] = useState<ServerView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(hasBridge() ? null : 'The window cannot reach the MCP Keyring app (its bridge is missing). Quit and reopen MCP Keyring.');
  const [progress, setProgress] = useState<Record<string, ConnectProgress>>({});
  const { notices, notify, announcement, setAnnouncement } = useRowNotices();
  const [busy, setBusy] = useState<Record<string, string>>({});
  const [adding, setAdding] = useState(false);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [removing, setRemoving] = useState(false);
  const [install, setInstall] = useState<InstallOutcome | null>(null);
  const [highlight, setHighlight] = useState<string | null>(null);
  const [settings, setSettings] = useState<AppSettings | null>(null);
  const [settingsError, setSettingsError] = useState<string | null>(null);
  const [adoptOpen, setAdoptOpen] = useState(false);
  const [registryOpen, setRegistryOpen] = useState(false);
  const [historyOf, setHistoryOf] = useState<Confirm | null>(null);
  const [usage, setUsage] = useState<Record<string, ServerUsage[]>>({});
  const [removeEntries, setRemoveEntries] = useState(true);
  const eventsSeen = useRef(0);
  useMinuteTick();
  const now = Date.now();

  const focusServer = useCallback((id: string) => {
    setHighlight(id);
    window.setTimeout(() => setHighlight((current) => (current === id ? null : current)), 4000);
    requestAnimationFrame(() => {
      const row = document.querySelector<HTMLElement>(`[data-server-id="${CSS.escape(id)}"]`);
      row?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      row?.focus();
    });
  }, []);

  const load = useCallback(async () => {
    const seenBefore = eventsSeen.current;
    try {
      const list = await call('servers:list', undefined);
      // An event that arrived meanwhile is newer than this answer.
      if (eventsSeen.current === seenBefore) setServers(list);
      setLoadError(null);
    } catch (error) {
      setLoadError(messageOf(error));
    }
  }, []);

  // Which clients use each server: read again whenever the list changes.
  const loadUsage = useCallback(() => {
    call('servers:usage', undefined)
      .then(setUsage)
      .catch(() => undefined);
  }, []);
  useEffect(() => {
    if (hasBridge() && servers !== null) loadUsage();
  }, [servers, loadUsage]);

  useEffect(() => {
    if (!hasBridge()) return;
    const stops = [
      on('servers:changed', (list) => {
        eventsSeen.current++;
        setServers(list);
        setLoadError(null);
      }),
      on('connect:progress', (event) => {
        setProgress((all) => {
          const next = { ...all };
          if (isActive(event)) next[event.id] = event;
          else delete next[event.id];
          return next;
        });
        if (event.step === 'done') notify(event.id, { kind: 'ok', text: 'Connected. The sign-in is stored in the system keychain.' });
        else if (event.step === 'failed') notify(event.id, { kind: 'error', text: event.message ?? 'Sign-in failed.' });
        else if (event.step === 'cancelled') notify(event.id, { kind: 'info', text: 'Sign-in cancelled.' });
        else notify(event.id, null);
      }),
      on('app:focus-server', ({ id }) => focusServer(id)),
    ];
    void load();
    call('settings:get', undefined)
      .then(setSettings)
      .catch((error: unknown) => setSettingsError(messageOf(error)));
    return () => stops.forEach((stop) => stop());
  }, [load, notify, focusServer]);

  const setBusyFor = (id: string, action: string | null) =>
    setBusy((all) => {
      const next = { ...all };
      if (action) next[id] = action;
      else delete next[id];
      return next;
    });

  async function connect(server: ServerView) {
    notify(server.id, null);
    // Show the first step at once; the app's progress events take over.
    setProgress((all) => ({ ...all, [server.id]: { id: server.id, step: 'discovering' } }));
    try {
      await call('servers:connect', { id: server.id });
      notify(server.id, { kind: 'ok', text: 'Connected. The sign-in is stored in the system keychain.' });
    } catch (error) {
      if (hasErrorCode(error, 'cancelled')) notify(server.id, { kind: 'info', text: 'Sign-in cancelled.' });
      else notify(server.id, { kind: 'error', text: messageOf(error) });
    } finally {
      setProgress((all) => {
        const next = { ...all };
        delete next[server.id];
        return next;
      });
    }
  }

  async function startOver(server: ServerView) {
    try {
      await call('servers:start-over', { id: server.id }); // the pending connect call carries on with the new sign-in
    } catch (error) {
      notify(server.id, { kind: 'error', text: messageOf(error) });
    }
  }

  async function cancel(server: ServerView) {
    try {
      await call('servers:cancel-connect', { id: server.id });
    } catch (error) {
      notify(server.id, { kind: 'error', text: messageOf(error) });
    }
  }

  async function disconnect(server: ServerView) {
    setBusyFor(server.id, 'disconnect');
    notify(server.id, null);
    try {
      const result = await call('servers:disconnect', { id: server.id });
      notify(
        server.id,
        result.revokeError
          ? { kind: 'info', text: `Disconnected: the tokens are deleted here, but the server was not told (${result.revokeError}).` }
          : { kind: 'ok', text: result.revoked ? 'Disconnected; the server revoked the tokens.' : 'Disconnected.' },
      );
    } catch (error) {
      notify(server.id, { kind: 'error', text: messageOf(error) });
    } finally {
      setBusyFor(server.id, null);
    }
  }

  async function remove(target: Confirm) {
    setRemoving(true);
    try {
      let entriesNote = '';
      if (removeEntries && usage[target.id]?.length) {
        const entries = await call('servers:remove-client-entries', { id: target.id });
        if (entries.failed.length) entriesNote = ` Could not remove it from ${entries.failed.map((f) => `${f.label} (${f.message})`).join(', ')}.`;
      }
      const result = await call('servers:remove', { id: target.id });
      setConfirm(null);
      setAnnouncement((result.revokeError ? `Removed ${target.name}. The server was not told: ${result.revokeError}` : `Removed ${target.name}.`) + entriesNote);
      setServers((list) => list?.filter((s) => s.id !== target.id) ?? list);
    } catch (error) {
      setConfirm(null);
      notify(target.id, { kind: 'error', text: messageOf(error) });
    } finally {
      setRemoving(false);
    }
  }

  async function useIn(server: ServerView, client: ClientId, transport: ClientTransport) {
    const base = { client, transport, serverName: server.name };
    setInstall({ ...base, state: 'working' });
    try {
      const result = await call('clients:install', { id: server.id, client, transport });
      setInstall({ ...base, state: 'done', result });
    } catch (error) {
      setInstall({ ...base, state: 'failed', message: messageOf(error) });
    }
  }

  async function openLink(id: string, url: string) {
    try {
      await call('app:open-external', { url });
    } catch (error) {
      notify(id, { kind: 'error', text: messageOf(error) });
    }
  }

  async function copyLink(id: string, url: string) {
    try {
      await navigator.clipboard.writeText(url);
      setAnnouncement('Sign-in link copied.');
    } catch {
      notify(id, { kind: 'info', text: `Copy this link into your browser: ${url}` });
    }
  }

  async function toggleStartAtLogin(value: boolean) {
    setSettingsError(null);
    try {
      setSettings(await call('settings:set', { startAtLogin: value }));
    } catch (error) {
      setSettingsError(messageOf(error));
    }
  }

  const list = servers ?? [];
  const attention = list.filter((s) => ['needs-sign-in', 'needs-more-access', 'error', 'expiring'].includes(liveStatus(s.state, now))).length;

  return (
    <div className="app">
      <TopBar serverCount={list.length} attention={attention} onAdopt={() => setAdoptOpen(true)} onRegistry={() => setRegistryOpen(true)} onAdd={() => setAdding(true)} />

      <main>
        {loadError ? (
          <div className="banner banner-error" role="alert">
            <span>{loadError}</span>
            {hasBridge() ? (
              <button type="button" onClick={() => void load()}>
                Try again
              </button>
            ) : null}
          </div>
        ) : null}

        {servers === null && !loadError ? (
          <p className="muted" role="status">
            Loading…
          </p>
        ) : null}

        {servers !== null && servers.length === 0 ? <EmptyState onAdd={() => setAdding(true)} /> : null}

        {list.length > 0 ? (
          <ul className="servers" aria-label="Servers">
            {list.map((server) => (
              <ServerRow
                key={server.id}
                server={{ ...server, status: liveStatus(server.state, now) }}
                now={now}
                progress={progress[server.id]}
                notice={notices[server.id]}
                busy={busy[server.id]}
                highlighted={highlight === server.id}
                onConnect={() => void connect(server)}
                onCancel={() => void cancel(server)}
                {...(server.authKind === 'oauth' ? { onStartOver: () => void startOver(server) } : {})}
                onDisconnect={() => void disconnect(server)}
                onRemove={() => setConfirm({ id: server.id, name: server.name })}
                onUseIn={(client, transport) => void useIn(server, client, transport)}
                onOpenLink={(url) => void openLink(server.id, url)}
                onCopyLink={(url) => void copyLink(server.id, url)}
                usage={usage[server.id]}
                onHistory={() => setHistoryOf({ id: server.id, name: server.name })}
              />
            ))}
          </ul>
        ) : null}
        {servers !== null ? <IdentityProviders /> : null}
      </main>

      <StatusBar settings={settings} settingsError={settingsError} onStartAtLoginChange={(value) => void toggleStartAtLogin(value)} />

      <div className="visually-hidden" aria-live="polite">
        {announcement}
      </div>

      {adding ? (
        <AddServerDialog
          onClose={() => setAdding(false)}
          onAdded={(server) => {
            setAdding(false);
            setServers((all) => (all && !all.some((s) => s.id === server.id) ? [...all, server] : all));
            setAnnouncement(`Added ${server.name}.`);
            if (server.authKind === 'oauth') notify(server.id, { kind: 'info', text: 'Added. Connect to sign in.' });
            focusServer(server.id);
          }}
        />
      ) : null}

      {confirm ? (
        <RemoveServerDialog
          name={confirm.name}
          usage={usage[confirm.id]}
          removing={removing}
          removeEntries={removeEntries}
          onRemoveEntriesChange={setRemoveEntries}
          onCancel={() => setConfirm(null)}
          onRemove={() => void remove(confirm)}
        />
      ) : null}

      {adoptOpen ? (
        <AdoptDialog
          onClose={() => {
            setAdoptOpen(false);
            void load();
          }}
        />
      ) : null}

      {registryOpen ? (
        <RegistryDialog
          onClose={() => setRegistryOpen(false)}
          onAdded={(server, connectNow) => {
            setRegistryOpen(false);
            setServers((all) => (all && !all.some((s) => s.id === server.id) ? [...all, server] : all));
            setAnnouncement(`Added ${server.name}.`);
            focusServer(server.id);
            if (connectNow) void connect(server);
          }}
        />
      ) : null}

      {historyOf ? <HistoryDialog id={historyOf.id} name={historyOf.name} onClose={() => setHistoryOf(null)} /> : null}

      {install ? <InstallResultDialog outcome={install} onClose={() => setInstall(null)} /> : null}
    </div>
  );
}
