// "Adopt existing setups": the remote MCP servers already configured in the
// user's clients (mcp-remote entries, URL entries with pasted keys), each with
// what adopting it does — and one button that does it. Nothing changes until then.
import { useEffect, useState } from 'react';
import type { AdoptionCandidate, AdoptionScan, AdoptResult } from '../../shared/adopt';
import { call, messageOf } from '../api';
import { Dialog } from './Dialog';

type Outcome = { state: 'working' } | { state: 'done'; result: AdoptResult } | { state: 'failed'; message: string };

function signInText(candidate: AdoptionCandidate, now: number): string {
  switch (candidate.authKind) {
    case 'oauth': {
      const cached = candidate.cachedTokens;
      if (!cached) return 'OAuth — sign in once after adopting (mcp-remote has no tokens saved).';
      const valid = cached.expiresAt !== null && cached.expiresAt > now;
      return `OAuth — mcp-remote's sign-in is reused${valid || cached.refreshable ? ', no new sign-in needed' : ', but it has expired: sign in once'}.`;
    }
    case 'header':
      return `API key in the ${candidate.headerName} header — moved into the system keychain.`;
    case 'none':
      return 'No credentials.';
    default:
      return 'Checked when you adopt it (OAuth, or no credentials).';
  }
}

const CREDENTIAL_TEXT: Record<AdoptResult['credentials'], string> = {
  tokens: "mcp-remote's sign-in now lives in the keychain; no new sign-in was needed.",
  'sign-in': 'Added. Press Connect on its row to sign in once.',
  key: 'Its key is in the system keychain now.',
  none: 'It needs no credentials.',
  existing: 'It was already in MCP Keyring; its client entries now use it.',
};

function CandidateCard({ candidate, now, outcome, deletePlaintext, onAdopt }: { candidate: AdoptionCandidate; now: number; outcome: Outcome | undefined; deletePlaintext: boolean; onAdopt: () => void }) {
  const blocked = candidate.problems.length > 0;
  return (
    <li className="adopt-candidate" data-testid="adopt-candidate" data-url={candidate.url}>
      <div className="server-head">
        <div className="server-title">
          <h3>{candidate.name}</h3>
          <span className="url mono" title={candidate.url}>
            {candidate.url}
          </span>
        </div>
        {outcome?.state === 'done' ? <span className="badge badge-connected">Adopted</span> : null}
      </div>
      <p className="small">{signInText(candidate, now)}</p>
      <ul className="adopt-entries small">
        {candidate.entries.map((entry) => (
          <li key={`${entry.client}:${entry.name}`}>
            <strong>{entry.clientLabel}</strong> “{entry.name}” — {entry.kind === 'mcp-remote' ? `mcp-remote${entry.flags.length ? ` ${entry.flags.join(' ')}` : ''}` : 'URL entry'}
            {entry.headerNames.length ? `, headers: ${entry.headerNames.join(', ')}` : ''}
            <div className="muted mono path">{entry.path}</div>
          </li>
        ))}
      </ul>
      {candidate.plaintext.length ? (
        <div className="adopt-plaintext small">
          <span className="error-text">Plaintext secrets:</span>
          <ul>
            {candidate.plaintext.map((where) => (
              <li key={where} className="mono path">
                {where}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {candidate.notes.map((note) => (
        <p key={note} className="muted small">
          {note}
        </p>
      ))}
      {candidate.problems.map((problem) => (
        <p key={problem} className="error-text small" data-testid="adopt-problem">
          {problem}
        </p>
      ))}
      {outcome?.state === 'failed' ? (
        <p className="notice notice-error" role="alert">
          {outcome.message}
        </p>
      ) : null}
      {outcome?.state === 'done' ? (
        <div className="notice notice-ok" role="status" data-testid="adopt-result">
          <p>{CREDENTIAL_TEXT[outcome.result.credentials]}</p>
          <ul className="small">
            {outcome.result.rewritten.map((r) => (
              <li key={`${r.path}:${r.name}`}>
                “{r.name}” in <span className="mono">{r.path}</span> now uses MCP Keyring
              </li>
            ))}
            {outcome.result.deleted.map((file) => (
              <li key={file}>
                Deleted <span className="mono">{file}</span>
              </li>
            ))}
            {outcome.result.scrubbed.map((file) => (
              <li key={file}>
                Removed the secret from the backup <span className="mono">{file}</span>
              </li>
            ))}
            {outcome.result.warnings.map((warning) => (
              <li key={warning} className="error-text">
                {warning}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <div className="actions">
          <button type="button" className="primary" disabled={blocked || outcome?.state === 'working'} onClick={onAdopt}>
            {outcome?.state === 'working' ? 'Adopting…' : candidate.existingServerId ? 'Use MCP Keyring in these clients' : 'Adopt'}
          </button>
          {!blocked && deletePlaintext && candidate.plaintext.length ? <span className="muted small">and delete the plaintext copies</span> : null}
        </div>
      )}
    </li>
  );
}

export function AdoptDialog({ onClose }: { onClose: () => void }) {
  const [scan, setScan] = useState<AdoptionScan | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [deletePlaintext, setDeletePlaintext] = useState(true);
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  const now = Date.now();

  useEffect(() => {
    call('adopt:scan', undefined)
      .then(setScan)
      .catch((e: unknown) => setError(messageOf(e)));
  }, []);

  async function adopt(candidate: AdoptionCandidate) {
    setOutcomes((all) => ({ ...all, [candidate.key]: { state: 'working' } }));
    try {
      const result = await call('adopt:apply', { key: candidate.key, deletePlaintext });
      setOutcomes((all) => ({ ...all, [candidate.key]: { state: 'done', result } }));
    } catch (e) {
      setOutcomes((all) => ({ ...all, [candidate.key]: { state: 'failed', message: messageOf(e) } }));
    }
  }

  const working = Object.values(outcomes).some((o) => o.state === 'working');
  return (
    <Dialog
      title="Adopt existing MCP setups"
      onClose={onClose}
      className="adopt-dialog"
      busy={working}
      footer={
        <button type="button" data-autofocus onClick={onClose} disabled={working}>
          Done
        </button>
      }
    >
      <p className="muted small">
        Remote MCP servers already set up in Claude Desktop, Cursor, VS Code, Claude Code and Windsurf. Adopting one adds it here with the same settings, moves its secrets into the
        system keychain and changes each client's entry (under its own name) to use MCP Keyring. Other entries and comments stay; each file is backed up first.
      </p>
      <label className="checkbox small">
        <input type="checkbox" checked={deletePlaintext} onChange={(e) => setDeletePlaintext(e.target.checked)} />
        Delete the plaintext copies afterwards (mcp-remote's saved tokens, keys in backups)
      </label>
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {scan === null && !error ? <p role="status">Looking through your MCP clients' settings…</p> : null}
      {scan?.skipped.map((skipped) => (
        <p key={skipped.path} className="notice notice-info small">
          {skipped.message}
        </p>
      ))}
      {scan && scan.candidates.length === 0 ? (
        <p role="status" data-testid="adopt-none">
          No remote MCP servers left to adopt: every one your clients use already goes through MCP Keyring.
        </p>
      ) : null}
      {scan && scan.candidates.length > 0 ? (
        <ul className="adopt-list" aria-label="Servers found">
          {scan.candidates.map((candidate) => (
            <CandidateCard key={candidate.key} candidate={candidate} now={now} outcome={outcomes[candidate.key]} deletePlaintext={deletePlaintext} onAdopt={() => void adopt(candidate)} />
          ))}
        </ul>
      ) : null}
    </Dialog>
  );
}
