// Shown while a sign-in waits for the browser. An authorization server that lost
// MCP Keyring's registration shows "invalid_client" on its page and never comes
// back, so the sign-in cannot tell; the user can, and starts over from here.
export function StartOverButton(props: { onStartOver: () => void }) {
  return (
    <p className="hint small start-over">
      <span>Does the page say “invalid_client”? The server has forgotten MCP Keyring.</span>{' '}
      <button type="button" onClick={props.onStartOver}>
        Start over with a new registration
      </button>
    </p>
  );
}
