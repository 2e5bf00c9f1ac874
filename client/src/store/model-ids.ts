import type { ModelInfo } from '@council/contracts';

const simulatedKeys = new Set(['ttft', 'tps', 'tokens', 'fail', 'seed', 'approve']);

/**
 * Whether the server can run a model id, judged from `list_models`: a listed id, or a simulated one (`sim/<name>`
 * with known parameters: the simulated provider serves any such id, it lists a few). Without the list, anything
 * goes and start_run decides.
 */
export function isKnownModel(id: string, listed: readonly ModelInfo[] | undefined): boolean {
  if (!listed) return true;
  if (listed.some((m) => m.id === id)) return true;
  const sim = /^sim\/([A-Za-z0-9._-]{1,64})(?:\?(.*))?$/.exec(id);
  if (!sim || !listed.some((m) => m.id.startsWith('sim/'))) return false;
  return (sim[2] ?? '').split('&').filter(Boolean).every((pair) => simulatedKeys.has(pair.split('=')[0]) && pair.includes('='));
}

export function unknownModelMessage(id: string): string {
  return `Unknown model: ${id}. Pick one from the list.`;
}
