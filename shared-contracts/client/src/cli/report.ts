import type { Style } from './ansi.js';
import { stripControl, truncate } from './ansi.js';
import { withoutVerdict } from '../verdict.js';
import { formatCost, formatMs, formatRate, statusIcon, table } from './format.js';
import type { Lane, RunView, StageView } from './run-view.js';

/** The lines printed once a run, a stage or a model is over: shared by the live and the plain output. */
export class Report {
  constructor(private readonly view: RunView, private readonly style: Style) {}

  runHeader(): string[] {
    const { run } = this.view;
    const stages = run.stages.map((s) => `${s.name} (${s.models.length})`).join(' → ');
    return [`${this.style.bold('council')} · run ${run.runId} · workflow ${run.workflow} · ${stages}`];
  }

  stageHeader(stage: StageView): string {
    const status = stage.status === 'skipped' ? ' (skipped)' : '';
    return this.style.bold(`── ${this.view.stageLabel(stage)}: ${stage.name}${status} ──`);
  }

  /** `[1] sim/a ✓ done · 30 tok · 123 tok/s · ttft 91ms · 0.24s` */
  laneSummary(lane: Lane, labelWidth = Infinity, number = lane.number): string {
    const s = this.style;
    const icon = statusIcon[lane.status];
    const paint = lane.status === 'done' ? s.green : lane.status === 'failed' ? s.red : lane.status === 'cancelled' ? s.yellow : s.dim;
    const parts = [paint(`${icon} ${lane.status}`)];
    const { tokens, perSecond, estimated } = this.view.tokensPerSecond(lane);
    if (tokens > 0) parts.push(`${estimated ? '~' : ''}${tokens} tok`);
    const rate = formatRate(perSecond, estimated);
    if (rate) parts.push(rate);
    if (lane.ttftMs !== undefined) parts.push(`ttft ${formatMs(lane.ttftMs)}`);
    if (lane.durationMs !== undefined) parts.push(formatMs(lane.durationMs));
    if (lane.usage?.cost !== undefined) parts.push(formatCost(lane.usage.cost));
    if (lane.reviewed === false) parts.push(s.dim('not reviewed (came after the quorum)'));
    const label = `[${number}] ${lane.model}`;
    let line = `${s.cyan([...label].length > labelWidth ? truncate(label, labelWidth) : label)}  ${parts.join(' · ')}`;
    if (lane.error) line += ` · ${s.red(stripControl(lane.error))}`;
    return line;
  }

  /** A finished model: its summary line, its whole text indented, and its ranking if it reviewed. */
  laneBlock(lane: Lane, withText: boolean): string[] {
    const lines = [this.laneSummary(lane)];
    const text = stripControl(lane.text).trimEnd();
    if (withText && text) lines.push(...text.split('\n').map((l) => `  ${l}`));
    if (lane.ranking?.length) lines.push(`  ${this.style.bold('ranking:')} ${lane.ranking.join(' > ')}`);
    return lines;
  }

  /** `search_results`: the hits, or why the search failed. */
  searchResults(event: { results: { title: string; url: string }[]; error?: string }): string[] {
    if (event.error) return [this.style.yellow(`search failed: ${stripControl(event.error)} (the run goes on without it)`)];
    return [`search: ${event.results.length} result${event.results.length === 1 ? '' : 's'}`,
      ...event.results.map((r) => `  ${stripControl(r.title)} <${stripControl(r.url)}>`)];
  }

  /** Whether a stage's texts are printed with its lanes: the synthesis is printed once, as the final answer. */
  showsText(stage: StageView): boolean {
    return stage.kind !== 'synthesis';
  }

  /** Rankings, the final answer, usage per model and the outcome. */
  final(): string[] {
    const s = this.style;
    const complete = this.view.complete;
    if (!complete) return [];
    const lines: string[] = [];
    if (complete.aggregateRankings?.length) {
      lines.push('', s.bold('── rankings ──'));
      lines.push(...table(complete.aggregateRankings.map((r, i) => [
        `${i + 1}.`, r.model, `avg ${r.averageRank.toFixed(2)}`, `${r.votes} vote${r.votes === 1 ? '' : 's'}`,
      ])).map((l) => `  ${l}`));
    }
    if (complete.final !== undefined) {
      const chairman = this.chairman();
      lines.push('', s.bold(`── final answer${chairman ? ` · ${chairman}` : ''} ──`));
      lines.push(...stripControl(withoutVerdict(complete.final)).trimEnd().split('\n'));
    }
    const { metrics } = complete;
    lines.push('', s.bold('── usage ──'));
    const stageName = (i: number) => this.view.stages.find((st) => st.index === i)?.name ?? String(i);
    const rows = [['stage', 'model', 'status', 'ttft', 'time', 'in', 'out', 'cost']];
    for (const c of metrics.calls) {
      rows.push([stageName(c.stage), c.model, c.status, formatMs(c.ttftMs), formatMs(c.durationMs),
        String(c.promptTokens), String(c.completionTokens), formatCost(c.cost)]);
    }
    rows.push(['total', '', '', '', formatMs(metrics.durationMs), String(metrics.promptTokens), String(metrics.completionTokens), formatCost(metrics.cost)]);
    lines.push(...table(rows).map((l, i) => (i === 0 ? s.dim(`  ${l}`) : `  ${l}`)));
    const outcome = complete.status === 'ok' ? s.green('run ok') : complete.status === 'cancelled' ? s.yellow('run cancelled') : s.red(`run ${complete.status}`);
    lines.push('', `${outcome} in ${formatMs(metrics.durationMs)}${complete.error ? ` · ${stripControl(complete.error)}` : ''}`);
    return lines;
  }

  /** The model that wrote the final answer: the last one that succeeded in the synthesis stage. */
  private chairman(): string | undefined {
    const synthesis = this.view.stages.filter((st) => st.kind === 'synthesis').at(-1);
    return synthesis?.lanes.filter((l) => l.status === 'done').at(-1)?.model;
  }
}
