// `mcp-keyring headers` (Claude Code's headersHelper, run on every connect and every
// `claude mcp list`) must not spend a rotating refresh token on every call when the
// server's tokens live 5 minutes or less.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helperMinValidityMs } from '../../../main/core/bridge/credentials';
import { formatDuration } from '../../../main/cli/format';
import { runCli } from '../../helpers/run-cli';
import { useStack } from '../../helpers/stack';

const stack = useStack('headers-lifetime', { accessTokenTTL: 300 });

test('three `headers` calls within a minute on 300 s tokens cause no refresh grant', async () => {
  const { id } = await stack.connected('short');
  const refreshes = stack.as.stats.refreshGrants;
  const tokens = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const result = await runCli(['headers', id], { env: stack.profile.env });
    assert.equal(result.code, 0, result.stderr);
    const headers = JSON.parse(result.stdout) as Record<string, string>;
    assert.match(headers.Authorization ?? '', /^Bearer \S+$/);
    tokens.add(headers.Authorization!);
  }
  assert.equal(stack.as.stats.refreshGrants, refreshes);
  assert.equal(tokens.size, 1, 'each call handed out a different token');
});

test('the validity asked for is at most half the lifetime, and at most 5 minutes', () => {
  const at = 1_000_000;
  assert.equal(helperMinValidityMs({ lastRefreshAt: at, expiresAt: at + 300_000 }), 150_000);
  assert.equal(helperMinValidityMs({ lastRefreshAt: at, expiresAt: at + 60_000 }), 30_000);
  assert.equal(helperMinValidityMs({ lastRefreshAt: at, expiresAt: at + 3_600_000 }), 300_000);
  assert.equal(helperMinValidityMs({ lastRefreshAt: at, expiresAt: null }), 0);
  assert.equal(helperMinValidityMs({ lastRefreshAt: null, expiresAt: at }), 0);
});

test('durations keep their seconds below ten minutes (`connect --timeout 90s`)', () => {
  assert.equal(formatDuration(90_000), '1 min 30 s');
  assert.equal(formatDuration(45_000), '45 s');
  assert.equal(formatDuration(120_000), '2 min');
  assert.equal(formatDuration(300_000), '5 min');
  assert.equal(formatDuration(3_600_000), '60 min');
});
