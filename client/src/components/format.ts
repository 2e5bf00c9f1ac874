/** "sim/alpha?ttft=100" → "alpha"; "openai/gpt-4o" → "gpt-4o". */
export function modelName(id: string): string {
  const path = id.split('?')[0];
  const slash = path.lastIndexOf('/');
  return slash >= 0 ? path.slice(slash + 1) : path;
}

export function modelProvider(id: string): string {
  const slash = id.split('?')[0].indexOf('/');
  return slash > 0 ? id.slice(0, slash) : '';
}

/**
 * A hue per model, derived from its full id, so a model has the same colour on every page load, in every run and
 * view (lanes, tables, timeline). Reds (330°–35°) are left out: red says "failed".
 */
export function modelHue(id: string): number {
  // FNV-1a over the id's UTF-16 code units.
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return 35 + ((hash >>> 0) % 295);
}

/** "0 s", "0.5 s", "12 s", "2 min": labels for a time axis. */
export function formatAxis(ms: number): string {
  if (ms === 0) return '0 s';
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(2))} s`;
  return `${Number((ms / 60_000).toFixed(1))} min`;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatCost(cost: number | null | undefined): string | undefined {
  if (cost === null || cost === undefined) return undefined;
  if (cost === 0) return '$0';
  if (cost < 0.01) return `$${cost.toFixed(4)}`;
  return `$${cost.toFixed(3)}`;
}

export function formatTokens(tokens: number): string {
  return tokens >= 10_000 ? `${(tokens / 1000).toFixed(1)}k` : String(tokens);
}

/** Tokens in streamed text before the provider reports a count: about four characters each. */
export function estimateTokens(text: string): number {
  return Math.max(text.length > 0 ? 1 : 0, Math.round(text.length / 4));
}

/** A latency in ms for the operations view: "—" when there is none, sub-millisecond values kept. */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1) return `${Number(ms.toFixed(2))} ms`;
  if (ms < 10) return `${Number(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(2))} s`;
  return formatMs(ms);
}

/** A rate per second: one decimal while small, whole numbers with separators when large. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0';
  if (perSecond < 10) return String(Number(perSecond.toFixed(1)));
  return formatCount(Math.round(perSecond));
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "45 s", "13 min", "2 h 5 min", "3 d 4 h". */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}
