export function EmptyState({ onAdd }: { onAdd: () => void }) {
  return (
    <section className="empty" aria-labelledby="empty-title">
      <h2 id="empty-title">Keep your MCP sign-ins in one safe place</h2>
      <p className="muted">
        MCP Keyring signs in to remote MCP servers for you, keeps the tokens in your system keychain and hands them to your MCP clients.
      </p>
      <ol className="steps">
        <li>
          <div>
            <strong>Add a server.</strong> Paste its URL; MCP Keyring checks how it signs in before anything is stored.
          </div>
        </li>
        <li>
          <div>
            <strong>Connect.</strong> Sign in once in your browser. Tokens go to the keychain and renew themselves.
          </div>
        </li>
        <li>
          <div>
            <strong>Use it in your client.</strong> One click adds it to Claude Desktop, Cursor, VS Code, Claude Code or Windsurf.
          </div>
        </li>
      </ol>
      <button type="button" className="primary" onClick={onAdd}>
        Add a server
      </button>
    </section>
  );
}
