// The shared error codes: the guards the window and the IPC boundary rely on, and
// the core's errors and IPC answers carrying only codes from the shared list.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IPC_BOUNDARY_CODES, KEYRING_ERROR_CODES, isIpcErrorCode, isKeyringErrorCode } from '../../../shared/error-codes';
import { KeyringError } from '../../../main/core/errors';
import { invokeChannel, toIpcError } from '../../../main/core/service/ipc-dispatch';
import type { KeyringApi } from '../../../shared/ipc-contract';

test('the guards accept exactly the listed codes', () => {
  for (const code of KEYRING_ERROR_CODES) {
    assert.equal(isKeyringErrorCode(code), true, code);
    assert.equal(isIpcErrorCode(code), true, code);
  }
  for (const code of IPC_BOUNDARY_CODES) {
    assert.equal(isKeyringErrorCode(code), false, code);
    assert.equal(isIpcErrorCode(code), true, code);
  }
  for (const value of ['Cancelled', 'cancelled ', 'Sign-in cancelled.', '', 'toString', undefined, null, 42, {}]) {
    assert.equal(isKeyringErrorCode(value), false, String(value));
    assert.equal(isIpcErrorCode(value), false, String(value));
  }
  assert.equal(new Set(KEYRING_ERROR_CODES).size, KEYRING_ERROR_CODES.length, 'no code listed twice');
});

test('IPC errors carry a shared code: a KeyringError its own, anything else internal, an unknown channel invalid-input', async () => {
  const cancelled = toIpcError(new KeyringError('cancelled', 'Sign-in cancelled.'));
  assert.deepEqual(cancelled, { code: 'cancelled', message: 'Sign-in cancelled.' });
  assert.equal(isIpcErrorCode(toIpcError(new TypeError('boom')).code), true);
  const result = await invokeChannel({} as KeyringApi, 'no:such-channel' as never, undefined as never);
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.error.code, 'invalid-input');
});
