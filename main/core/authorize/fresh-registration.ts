// "Start over with a new registration": an authorization server that lost our
// dynamic registration shows invalid_client on its own page and never redirects
// back, so the sign-in cannot notice. The user can; then the registration new
// sign-ins use at that server is dropped, and the next sign-in registers afresh.
import type { ClientRegistrar } from '../registration/register';

/** Drops the registration new sign-ins use at `issuer`, if there is one. Returns its client id. */
export async function forgetCurrentRegistration(registrar: ClientRegistrar, issuer: string): Promise<string | undefined> {
  const current = (await registrar.store.get(issuer))?.current;
  if (current) await registrar.forget(issuer, current);
  return current;
}

/** How long `connect` waits in the browser before it mentions starting over. */
export const START_OVER_HINT_AFTER_MS = 20_000;
