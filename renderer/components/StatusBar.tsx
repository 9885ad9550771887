// The window's footer: the start-at-login setting and the keychain reminder.
import type { AppSettings } from '../../shared/ipc-contract';

export interface StatusBarProps {
  settings: AppSettings | null;
  settingsError: string | null;
  onStartAtLoginChange: (value: boolean) => void;
}

export function StatusBar({ settings, settingsError, onStartAtLoginChange }: StatusBarProps) {
  return (
    <footer className="statusbar">
      <label className="checkbox small">
        <input type="checkbox" checked={settings?.startAtLogin ?? false} disabled={!settings} onChange={(e) => onStartAtLoginChange(e.target.checked)} />
        Start MCP Keyring when I log in
      </label>
      {settingsError ? (
        <span className="error-text small" role="alert">
          {settingsError}
        </span>
      ) : null}
      <span className="muted small">Secrets live only in your system keychain.</span>
    </footer>
  );
}
