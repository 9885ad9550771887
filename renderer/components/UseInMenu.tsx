// "Use in…": a menu button listing the MCP clients; picking one adds the server
// to that client's config file.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ClientId, ClientTargetInfo } from '../../shared/ipc-contract';
import { call } from '../api';
import { CLIENT_LABELS, CLIENT_ORDER } from '../format';

export function UseInMenu({ serverId, serverName, onPick }: { serverId: string; serverName: string; onPick: (client: ClientId) => void }) {
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

  const info = (id: ClientId) => clients?.find((c) => c.id === id);

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
          {CLIENT_ORDER.map((id) => {
            const client = info(id);
            const note = client?.installed ? 'added' : client && !client.exists ? 'no config yet' : '';
            return (
              <button
                key={id}
                type="button"
                role="menuitem"
                tabIndex={-1}
                data-client={id}
                onClick={() => {
                  close(true);
                  onPick(id);
                }}
              >
                <span>{CLIENT_LABELS[id]}</span>
                {note ? <span className={`menu-note ${client?.installed ? 'ok-text' : ''}`}>{client?.installed ? '✓ ' : ''}{note}</span> : null}
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
