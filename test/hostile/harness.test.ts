// The harness itself: it measures, catches a hang, and finds a planted secret.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertBounded, assertNoLeak, canary, runMeasured, startTrapServer } from './harness';

test('harness: measures peak RSS and reports a hang instead of waiting for ever', async () => {
  const quick = await runMeasured(['--help'], { env: process.env, timeoutMs: 20_000 });
  assertBounded(quick, { maxRssMb: 150 });
  const trap = await startTrapServer();
  try {
    const secret = canary();
    await fetch(`${trap.origin}/x`, { method: 'POST', body: `k=${secret}` });
    await assert.rejects(assertNoLeak([secret], { traps: [trap] }), /reached/);
    await assert.rejects(assertNoLeak([secret], { outputs: [`x ${secret} y`] }), /printed/);
    await assertNoLeak([canary()], { traps: [trap], outputs: [quick.stdout, quick.stderr] });
  } finally {
    await trap.close();
  }
});
