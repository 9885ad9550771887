// The MCP clients whose configuration MCP Keyring can write. Its own module so that
// adopt.ts and ipc-contract.ts can both use it without importing each other.
export type ClientId = 'claude-desktop' | 'cursor' | 'vscode' | 'claude-code' | 'windsurf';
