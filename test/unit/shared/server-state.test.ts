import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayStatus, emptyState } from '../../../shared/server-state';
import { needsRefresh, refreshMargin } from '../../../main/core/tokens/token-manager';

test('refresh happens 60 s before expiry, or at 80% of a short lifetime', () => {
  const now = 1_000_000;
  assert.equal(refreshMargin({ expiresAt: now + 3_600_000, lastRefreshAt: now }), 60_000);
  assert.equal(refreshMargin({ expiresAt: now + 10_000, lastRefreshAt: now }), 2_000);
  assert.equal(needsRefresh({ expiresAt: now + 10_000, lastRefreshAt: now }, now + 7_999), false);
  assert.equal(needsRefresh({ expiresAt: now + 10_000, lastRefreshAt: now }, now + 8_000), true);
  assert.equal(needsRefresh({ expiresAt: null, lastRefreshAt: now }, now), false);
});

test('display status: expiring only when no refresh token can renew the token', () => {
  const now = 5_000_000;
  const state = { ...emptyState('x', now), status: 'connected' as const, expiresAt: now + 60_000 };
  assert.equal(displayStatus(state, now), 'expiring');
  assert.equal(displayStatus({ ...state, hasRefreshToken: true }, now), 'connected');
  assert.equal(displayStatus({ ...state, expiresAt: now + 3_600_000 }, now), 'connected');
  assert.equal(displayStatus({ ...state, status: 'needs-sign-in' }, now), 'needs-sign-in');
});
