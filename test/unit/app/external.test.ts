import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSafeExternalUrl, safeOpenExternal } from '../../../main/app/external';
import { KeyringError } from '../../../main/core/errors';

test('only http(s) URLs count as safe to open', () => {
  for (const url of ['https://example.com', 'http://127.0.0.1:8080/callback?x=1', 'https://example.com/a%20b#frag', 'HTTPS://EXAMPLE.COM/']) {
    assert.equal(isSafeExternalUrl(url), true, url);
  }
  for (const url of [
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,hi',
    'smb://attacker/share',
    'ms-msdt:/id PCWDiagnostic',
    'vscode://file/etc/passwd',
    'mailto:a@b.c',
    'https://user:pass@example.com/',
    'https://user@example.com/',
    '//example.com',
    'example.com',
    '',
    `https://example.com/${'a'.repeat(9000)}`,
  ]) {
    assert.equal(isSafeExternalUrl(url), false, url);
  }
  assert.equal(isSafeExternalUrl(undefined), false);
  assert.equal(isSafeExternalUrl(42), false);
});

test('safeOpenExternal hands on only checked, normalised URLs', async () => {
  const opened: string[] = [];
  const open = async (url: string) => {
    opened.push(url);
  };
  await safeOpenExternal('HTTPS://Example.com/docs', open);
  await assert.rejects(safeOpenExternal('file:///etc/passwd', open), (error) => error instanceof KeyringError && error.code === 'invalid-input');
  await assert.rejects(safeOpenExternal('javascript:alert(1)', open), KeyringError);
  assert.deepEqual(opened, ['https://example.com/docs']);
});
