// Asks before a server is removed, and whether to take it out of the MCP clients' configs too.
import type { ServerUsage } from '../../shared/ipc-contract';
import { Dialog } from './Dialog';

export interface RemoveServerDialogProps {
  name: string;
  usage: ServerUsage[] | undefined;
  removing: boolean;
  removeEntries: boolean;
  onRemoveEntriesChange: (value: boolean) => void;
  onCancel: () => void;
  onRemove: () => void;
}

export function RemoveServerDialog({ name, usage, removing, removeEntries, onRemoveEntriesChange, onCancel, onRemove }: RemoveServerDialogProps) {
  return (
    <Dialog
      title={`Remove ${name}?`}
      onClose={onCancel}
      busy={removing}
      footer={
        <>
          <button type="button" data-autofocus onClick={onCancel} disabled={removing}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={onRemove} disabled={removing}>
            {removing ? 'Removing…' : 'Remove'}
          </button>
        </>
      }
    >
      <p>MCP Keyring signs out of {name} (the server is asked to revoke the tokens), deletes its secrets from the keychain and forgets it.</p>
      {usage?.length ? (
        <label className="checkbox small">
          <input type="checkbox" checked={removeEntries} onChange={(e) => onRemoveEntriesChange(e.target.checked)} disabled={removing} />
          Also remove its entries from {[...new Set(usage.map((u) => u.label))].join(', ')}
        </label>
      ) : (
        <p className="muted small">No MCP client's config points at it.</p>
      )}
    </Dialog>
  );
}
