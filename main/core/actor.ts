// Who is acting (the CLI, a bridge, the app...): each process names itself once,
// where it builds its Keyring, and the name travels with the objects that record
// history or the "last refreshed by" column. No process-wide setting.

/** The name history entries carry, e.g. "cli (pid 4242)". */
export function actorLabel(role: string, pid = process.pid): string {
  return `${role} (pid ${pid})`;
}

/** The label when the builder did not say who it is (tests, tools). */
export const DEFAULT_ACTOR = actorLabel('mcp-keyring');
