// "Use in…": a menu button listing the MCP clients; picking one adds the server
// to that client's config file. A client that takes more than one entry form
// (stdio bridge, local HTTP bridge, Claude Code's headers helper) gets one item
// per form, e.g. "Cursor — stdio bridge" and "Cursor — local HTTP bridge".
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ClientId, ClientTargetInfo, ClientTransport } from '../../shared/ipc-contract';
import { call } from '../api';
import { CLIENT_LABELS, CLIENT_ORDER, TRANSPORT_DESCRIPTIONS, TRANSPORT_LABELS } from '../format';

interface MenuItem {
  client: ClientId;
  transport: ClientTransport;
  info: ClientTargetInfo | undefined;
  /** The client's first item (where "no config yet" goes). */
  first: boolean;
  /** How many forms the client offers. */
  forms: number;
}

export function UseInMenu({ serverId, serverName, onPick }: { serverId: string; serverName: string; onPick: (client: ClientId, transport: ClientTransport) => void }) {
  const [open, setOpen] = useState(false);
  const [clients, setClients] = useState<ClientTargetInfo[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    let live = true;
    setLoadError(null);
    call('clients:list', { id: serverId })
      .then((list) => live && setClients(list))
      .catch((error: unknown) => live && setLoadError(error instanceof Error ? error.message : String(error)));
    // Focus the first item once the menu is there.
    requestAnimationFrame(() => menuRef.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus());
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menuRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => {
      live = false;
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open, serverId]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  };

  const onMenuKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => {
      event.preventDefault();
      items[(to + items.length) % items.length]?.focus();
    };
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close(true);
    } else if (event.key === 'ArrowDown') move(index + 1);
    else if (event.key === 'ArrowUp') move(index - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(items.length - 1);
    else if (event.key === 'Tab') close(false);
  };

  // Until the list is there, each client shows its stdio item (every client has one).
  const items: MenuItem[] = CLIENT_ORDER.flatMap((client) => {
    const info = clients?.find((c) => c.id === client);
    const forms: ClientTransport[] = info?.supports.length ? info.supports : ['stdio'];
    return forms.map((transport, index) => ({ client, transport, info, first: index === 0, forms: forms.length }));
  });

  return (
    <div className="menu-wrap">
      <button
        ref={buttonRef}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        Use in… <span aria-hidden="true">▾</span>
      </button>
      {open ? (
        <div ref={menuRef} id={menuId} className="menu" role="menu" aria-label={`Use ${serverName} in`} onKeyDown={onMenuKey}>
          {items.map(({ client, transport, info, first, forms }, index) => {
            const added = Boolean(info?.installed) && (forms === 1 || info?.installedAs === transport);
            const note = added ? 'added' : first && info && !info.exists ? 'no config yet' : '';
            return (
              <button
                key={`${client}:${transport}`}
                type="button"
                role="menuitem"
                tabIndex={-1}
                data-client={client}
                data-transport={transport}
                className={first && index > 0 ? 'menu-client-start' : undefined}
                title={TRANSPORT_DESCRIPTIONS[transport]}
                onClick={() => {
                  close(true);
                  onPick(client, transport);
                }}
              >
                <span>
                  {CLIENT_LABELS[client]}
                  {forms > 1 ? <span className="menu-form"> — {TRANSPORT_LABELS[transport]}</span> : null}
                </span>
                {note ? <span className={`menu-note ${added ? 'ok-text' : ''}`}>{added ? '✓ ' : ''}{note}</span> : null}
              </button>
            );
          })}
          {loadError ? (
            <p className="error-text small" role="alert">
              {loadError}
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
