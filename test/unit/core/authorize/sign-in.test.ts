import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyState } from '../../../../shared/status';
import type { ServerState } from '../../../../shared/server-state';
import { scopesToRequest } from '../../../../main/core/authorize/sign-in';
import type { Discovery } from '../../../../main/core/discovery/discover';

const oauthOptions = { kind: 'oauth' as const, sendResource: true };
const as = (extra: Record<string, unknown> = {}) => ({ issuer: 'https://as.example', ...extra });
const discovery = (scopes: string[], asExtra?: Record<string, unknown>): Discovery => ({
  resource: 'https://mcp.example/mcp',
  protection: 'oauth',
  probe: { status: 401 },
  scopes,
  authorizationServer: as(asExtra),
});
const state = (patch: Partial<ServerState> = {}): ServerState => ({ ...emptyState('s'), ...patch });

test('the challenge or scopes_supported (as discovery picked them), else no scope at all', () => {
  assert.deepEqual(scopesToRequest(oauthOptions, discovery(['mcp:basic']), state()), ['mcp:basic']);
  assert.deepEqual(scopesToRequest(oauthOptions, discovery([]), state()), []);
  // The user's own --scope wins.
  assert.deepEqual(scopesToRequest({ ...oauthOptions, scopes: ['read'] }, discovery(['mcp:basic']), state()), ['read']);
});

test('offline_access only where the authorization server lists it', () => {
  assert.deepEqual(scopesToRequest(oauthOptions, discovery(['mcp:basic'], { scopes_supported: ['mcp:basic', 'offline_access'] }), state()), ['mcp:basic', 'offline_access']);
  assert.deepEqual(scopesToRequest(oauthOptions, discovery(['mcp:basic', 'offline_access'], { scopes_supported: ['mcp:basic'] }), state()), ['mcp:basic']);
  assert.deepEqual(scopesToRequest(oauthOptions, discovery(['mcp:basic'], { scopes_supported: ['offline_access'], grant_types_supported: ['authorization_code'] }), state()), ['mcp:basic']);
});

test('a step-up asks for the union of what was granted, asked before and asked now', () => {
  const stepUp = state({ status: 'needs-more-access', scopes: ['mcp:basic'], requestedScopes: ['mcp:write'] });
  assert.deepEqual(scopesToRequest(oauthOptions, discovery(['mcp:basic']), stepUp).sort(), ['mcp:basic', 'mcp:write']);
});
