import type { Lane } from './run-view.js';

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${Math.round((ms % 60_000) / 1000).toString().padStart(2, '0')}s`;
}

export function formatCost(cost: number | undefined): string {
  if (cost === undefined) return '-';
  if (cost === 0) return '$0';
  return cost < 0.01 ? `$${cost.toPrecision(2)}` : `$${cost.toFixed(4)}`;
}

export function formatRate(perSecond: number | undefined, estimated: boolean): string {
  if (perSecond === undefined) return '';
  return `${estimated ? '~' : ''}${perSecond >= 100 ? Math.round(perSecond) : perSecond.toFixed(1)} tok/s`;
}

export const statusIcon: Record<Lane['status'], string> = {
  waiting: '·',
  streaming: '▸',
  done: '✓',
  cancelled: '⊘',
  failed: '✗',
};

/** Left-aligned columns; numeric-looking cells are right-aligned. */
export function table(rows: string[][], gap = 2): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, [...cell].length); });
  return rows.map((row) => row
    .map((cell, i) => {
      const pad = (widths[i] ?? 0) - [...cell].length;
      const numeric = /^[~$]?[\d.,]+(ms|s|%)?$|^-$/.test(cell) && i > 0;
      return numeric ? ' '.repeat(pad) + cell : cell + ' '.repeat(pad);
    })
    .join(' '.repeat(gap))
    .trimEnd());
}
