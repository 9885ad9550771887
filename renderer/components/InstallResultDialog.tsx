// What "Use in <client>" did: which file, the entry (to copy by hand), and what to do next.
import { useRef, useState } from 'react';
import type { ClientId, ClientTransport, InstallResult } from '../../shared/ipc-contract';
import { CLIENT_LABELS, TRANSPORT_DESCRIPTIONS, TRANSPORT_LABELS } from '../format';
import { Dialog } from './Dialog';

export type InstallOutcome = { client: ClientId; transport: ClientTransport; serverName: string } & ({ state: 'working' } | { state: 'done'; result: InstallResult } | { state: 'failed'; message: string });

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function InstallResultDialog({ outcome, onClose }: { outcome: InstallOutcome; onClose: () => void }) {
  const label = CLIENT_LABELS[outcome.client];
  const [copy, setCopy] = useState<string | null>(null);
  const snippetRef = useRef<HTMLPreElement>(null);

  async function copySnippet(snippet: string) {
    try {
      await navigator.clipboard.writeText(snippet);
      setCopy('Copied.');
    } catch {
      // No clipboard access: select the text so Ctrl+C / ⌘C copies it.
      const pre = snippetRef.current;
      if (pre) {
        const range = document.createRange();
        range.selectNodeContents(pre);
        const selection = window.getSelection();
        selection?.removeAllRanges();
        selection?.addRange(range);
      }
      setCopy('Could not copy by itself; the text is selected — press Ctrl+C (⌘C on a Mac).');
    }
  }

  return (
    <Dialog
      title={`Use ${outcome.serverName} in ${label}`}
      onClose={onClose}
      className="install-dialog"
      footer={
        <button type="button" className="primary" data-autofocus onClick={onClose}>
          Done
        </button>
      }
    >
      {outcome.state === 'working' ? (
        <p role="status">Adding {outcome.serverName} to {label}…</p>
      ) : outcome.state === 'failed' ? (
        <p className="error-text" role="alert">
          {outcome.message}
        </p>
      ) : (
        <div className="install-result" role="status">
          <p className="ok-text">
            {outcome.result.changed
              ? `${outcome.result.created ? 'Created' : 'Updated'} ${label}'s configuration.`
              : `${label} is already set up for ${outcome.serverName}; nothing changed.`}
          </p>
          <dl className="facts">
            <dt>File</dt>
            <dd>
              <code className="path">{outcome.result.path}</code>
            </dd>
            {outcome.result.backupPath ? (
              <>
                <dt>Backup</dt>
                <dd>
                  <code className="path">{outcome.result.backupPath}</code>
                </dd>
              </>
            ) : null}
            <dt>Connection</dt>
            <dd data-testid="install-form">
              {capitalized(TRANSPORT_LABELS[outcome.transport])} — {TRANSPORT_DESCRIPTIONS[outcome.transport]}
            </dd>
            <dt>Next</dt>
            <dd className="restart-hint">{outcome.result.restartHint}.</dd>
          </dl>
          {outcome.transport === 'http' ? (
            <p className="muted small" data-testid="secret-note">
              The entry holds this computer’s MCP Keyring bridge secret (the Authorization header). Paste it only into your own MCP clients.
            </p>
          ) : null}
          {outcome.transport === 'headers-helper' ? (
            <p className="muted small" data-testid="headers-helper-note">
              When {outcome.serverName} needs a new sign-in, Claude Code lists it as “Failed to connect — Server rejected the Authorization header minted by the
              configured headersHelper” and offers no sign-in of its own: reconnect here (the tray turns red) or run <code>mcp-keyring connect</code>. After
              that, new Claude Code sessions and <code>claude mcp list</code> connect straight away.
            </p>
          ) : null}
          <div className="snippet-head">
            <span>The entry, to add it by hand elsewhere:</span>
            <button type="button" onClick={() => copySnippet(outcome.result.snippet)}>
              Copy
            </button>
          </div>
          <pre ref={snippetRef} className="snippet" tabIndex={0} aria-label="Configuration entry">
            {outcome.result.snippet}
          </pre>
          {copy ? (
            <p className="muted small" role="status">
              {copy}
            </p>
          ) : null}
        </div>
      )}
    </Dialog>
  );
}
