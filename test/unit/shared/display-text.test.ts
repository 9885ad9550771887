// The one sanitizer every server-supplied string passes before a terminal or the window.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOAuthError, errorMessage, KeyringError } from '../../../main/core/errors';
import { displayLines, displayText, SERVER_TEXT_MAX } from '../../../shared/display-text';

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

test('escape sequences go whole, parameters and all; other controls and bidi overrides go too', () => {
  assert.equal(displayText('\u001b[2J\u001b[HConnected\u001b[0m'), 'Connected');
  assert.equal(displayText('a\u001b]0;fake title\u0007b\u001b]52;c;ZXZpbA==\u001b\\c'), 'abc');
  assert.equal(displayText('x\u009b31mred\u009d8;;https://evil\u009cy'), 'xredy');
  assert.equal(displayText('x\u001bPq#0;2;0;0;0\u001b\\y\u001b7z'), 'xyz');
  assert.equal(displayText('pay \u202egnp.exe\u202c now\u2066!\u2069'), 'pay gnp.exe now!');
  assert.equal(displayText('line one\r\nline two\tend\u0000\u0008\u007f'), 'line one line two end');
  assert.equal(displayText('zero\u200bwidth\ufeff'), 'zerowidth');
  assert.equal(displayText('  Grüße, 東京 🙂  '), 'Grüße, 東京 🙂');
  assert.equal(displayText(42), '');
  assert.equal(displayText(undefined), '');
});

test('long text is capped with an ellipsis, without splitting a surrogate pair, and fast on a megabyte', () => {
  const started = performance.now();
  const capped = displayText('\u001b[31m'.repeat(10) + 'A'.repeat(1024 * 1024));
  assert.ok(performance.now() - started < 200, 'a megabyte is handled quickly');
  assert.equal(capped.length, SERVER_TEXT_MAX);
  assert.ok(capped.endsWith('…'));
  const emoji = displayText('🙂'.repeat(400), 11);
  assert.ok(!/[\ud800-\udbff]…$/.test(emoji), 'no lone high surrogate before the ellipsis');
  assert.equal(displayText('short', 300), 'short');
});

test('displayLines keeps our own line breaks and indentation but nothing else', () => {
  assert.equal(displayLines('visit:\n  https://as/auth?x=1\u001b[2K\n\u001b]0;t\u0007done'), 'visit:\n  https://as/auth?x=1\ndone');
});

test('errors quote servers only in a safe form: KeyringError messages, describeOAuthError, errorMessage', () => {
  const huge = `\u001b[2J\u001b[H${'x'.repeat(1_000_000)}`;
  const described = describeOAuthError({ error: 'invalid_grant\u001b[31m', error_description: huge, status: 400 });
  assert.ok(!CONTROL.test(described));
  assert.ok(described.length < SERVER_TEXT_MAX + 120, `capped (${described.length})`);
  assert.match(described, /^invalid_grant: x+…, HTTP 400$/);
  assert.equal(new KeyringError('bad-metadata', 'bad \u001b[2Jthing\n').message, 'bad thing');
  assert.equal(errorMessage(new Error('Error POSTing to endpoint: \u001b]0;pwned\u0007{"a":1}')), 'Error POSTing to endpoint: {"a":1}');
  assert.ok(errorMessage(new Error(huge)).length <= 2_000);
});

test('the window shows a stale state file\'s lastError and a preview\'s resource name only cleaned', async () => {
  const { serverText } = await import('../../../renderer/format');
  assert.equal(serverText('\u001b[2JRefresh failed \u202e(txt.exe)\u202c'), 'Refresh failed (txt.exe)');
  assert.equal(serverText(null), '');
  assert.equal(serverText('n'.repeat(5_000), 300).length, 300);
});
