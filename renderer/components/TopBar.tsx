// The window's header: brand, a one-line summary of the list, and the global actions.
import { hasBridge } from '../api';

export interface TopBarProps {
  serverCount: number;
  attention: number;
  onAdopt: () => void;
  onRegistry: () => void;
  onAdd: () => void;
}

export function TopBar({ serverCount, attention, onAdopt, onRegistry, onAdd }: TopBarProps) {
  return (
    <header className="topbar">
      <div className="brand">
        <svg className="logo" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
          <circle cx="8" cy="12" r="4.5" fill="none" stroke="currentColor" strokeWidth="2.2" />
          <path d="M12.5 12H21m-3 0v3.5M15 12v2.5" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" />
        </svg>
        <h1>MCP Keyring</h1>
        {serverCount > 0 ? (
          <span className="muted small summary">
            {serverCount} server{serverCount === 1 ? '' : 's'}
            {attention ? ` · ${attention} need${attention === 1 ? 's' : ''} attention` : ''}
          </span>
        ) : null}
      </div>
      <div className="actions">
        <button type="button" onClick={onAdopt} disabled={!hasBridge()}>
          Adopt existing setups
        </button>
        <button type="button" onClick={onRegistry} disabled={!hasBridge()}>
          Find in registry
        </button>
        {serverCount > 0 ? (
          <button type="button" className="primary" onClick={onAdd}>
            Add server
          </button>
        ) : null}
      </div>
    </header>
  );
}
