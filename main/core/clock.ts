// What time it is, in ms since the epoch. Whatever decides expiry (the token
// manager, the refresh scheduler, the state store's stale "refreshing") asks the
// clock its composition root (./keyring.ts) was given, so a test can move time
// instead of waiting for it.
export type Clock = () => number;

/** The real time. */
export const systemClock: Clock = () => Date.now();
