import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const { startServer } = await import(path.join(repoRoot, 'tests/node/support/server.mjs'));
export const cliPath = path.join(repoRoot, 'shared-contracts/client/council.js');

export const sim = {
  a: 'sim/a?ttft=50&tps=200&tokens=30',
  b: 'sim/b?ttft=80&tps=150&tokens=30',
  chair: 'sim/c?ttft=30&tps=300&tokens=20',
  /** Slow enough to still be streaming when a test cancels or disconnects. */
  slow: 'sim/slow?ttft=50&tps=25&tokens=400',
  slower: 'sim/slower?ttft=80&tps=20&tokens=400',
};

export async function collect(iterable) {
  const out = [];
  for await (const e of iterable) out.push(e);
  return out;
}

export function assertContiguous(events, from = 1) {
  const seqs = events.map((e) => e.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + from), 'seqs are contiguous, without gaps or duplicates');
}
