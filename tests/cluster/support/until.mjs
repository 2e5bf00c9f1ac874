import assert from 'node:assert/strict';

/** Polls `check` every 50 ms until it gives a truthy value, which it returns; fails naming `what` after `timeoutMs`. */
export async function until(check, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}
