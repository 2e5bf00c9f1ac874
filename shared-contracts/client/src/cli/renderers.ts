import type { CouncilEvent } from '@council/contracts';
import { clearDown, clearLine, cursorUp, hideCursor, showCursor, stripControl, truncate, wrap, type Style } from './ansi.js';
import { formatMs } from './format.js';
import { Report } from './report.js';
import type { Lane, RunView } from './run-view.js';

/** Shows a run as it happens. */
export interface Renderer {
  started(view: RunView): void;
  /** After `view` applied `event`. */
  event(event: CouncilEvent, view: RunView): void;
  /** Something the CLI did or noticed, e.g. "skipping sim/a". */
  notice(text: string): void;
  finished(view: RunView): void;
  /** Leaves the terminal as it was (idempotent); safe to call at any time. */
  dispose(): void;
}

export interface Output {
  write(text: string): unknown;
}

/** `--json`: every event as one line of JSON on stdout (NDJSON); notices go to stderr. */
export class JsonRenderer implements Renderer {
  constructor(private readonly out: Output, private readonly err: Output) {}
  started(): void {}
  event(event: CouncilEvent): void { this.out.write(`${JSON.stringify(event)}\n`); }
  notice(text: string): void { this.err.write(`council: ${text}\n`); }
  finished(): void {}
  dispose(): void {}
}

/** Output that is not a terminal: readable lines, no redraws; each model's text once it is complete. */
export class PlainRenderer implements Renderer {
  private report: Report | undefined;
  private readonly streaming = new Set<Lane>();

  constructor(private readonly out: Output, private readonly err: Output, private readonly style: Style) {}

  started(view: RunView): void {
    this.report = new Report(view, this.style);
    this.lines(this.report.runHeader());
  }

  event(event: CouncilEvent, view: RunView): void {
    const report = this.report!;
    switch (event.type) {
      case 'stage_progress': {
        const stage = view.stage(event.stage);
        if (event.status === 'started' || event.status === 'skipped') this.lines(['', report.stageHeader(stage)]);
        else if (event.status === 'completed') this.lines([this.style.dim(`stage ${stage.name} completed in ${formatMs(event.elapsedMs)}`)]);
        break;
      }
      case 'model_start': {
        const lane = view.lane(event.stage, event.model);
        this.lines([`${this.style.cyan(`[${lane.number}] ${lane.model}`)} started`]);
        break;
      }
      case 'token': {
        const lane = view.lane(event.stage, event.model);
        if (!this.streaming.has(lane)) {
          this.streaming.add(lane);
          this.lines([`${this.style.cyan(`[${lane.number}] ${lane.model}`)} streaming`]);
        }
        break;
      }
      case 'model_complete': {
        const lane = view.lane(event.stage, event.model);
        this.lines(report.laneBlock(lane, report.showsText(view.stage(event.stage))));
        break;
      }
      case 'search_results':
        this.lines(report.searchResults(event));
        break;
      case 'run_complete':
        break;
    }
  }

  notice(text: string): void { this.err.write(`council: ${text}\n`); }

  finished(): void { this.lines(this.report!.final()); }

  dispose(): void {}

  private lines(lines: string[]): void {
    if (lines.length) this.out.write(`${lines.join('\n')}\n`);
  }
}

/** What the live renderer needs of a terminal. */
export interface Terminal extends Output {
  columns?: number;
  rows?: number;
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

/**
 * A terminal: one lane per model of the current stage, redrawn in place with its status
 * (waiting, streaming with tokens/s, done, cancelled, failed) and the tail of its text. Finished
 * stages, notices and the final report are printed above the live region and stay in the scrollback.
 */
export class TtyRenderer implements Renderer {
  private report: Report | undefined;
  private view: RunView | undefined;
  private liveLines = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly committed = new Set<number>();
  private active = false;
  private readonly onResize = () => this.render();

  constructor(private readonly out: Terminal, private readonly style: Style, private readonly keysHint: boolean, private readonly frameMs = 80) {}

  started(view: RunView): void {
    this.view = view;
    this.report = new Report(view, this.style);
    this.active = true;
    this.out.write(hideCursor);
    this.out.on?.('resize', this.onResize);
    this.permanent(this.report.runHeader());
    this.timer = setInterval(() => this.render(), this.frameMs);
  }

  event(event: CouncilEvent, view: RunView): void {
    if (event.type === 'stage_progress' && (event.status === 'completed' || event.status === 'skipped')) {
      this.commitStage(event.stage, view);
    } else if (event.type === 'search_results') {
      this.permanent(this.report!.searchResults(event));
    } else if (event.type === 'model_complete' || event.type === 'model_start') {
      this.render(); // status changes show at once; tokens wait for the next frame
    }
  }

  notice(text: string): void {
    this.permanent([this.style.yellow(`council: ${text}`)]);
  }

  finished(view: RunView): void {
    for (const stage of view.stages) if (stage.status !== 'pending') this.commitStage(stage.index, view);
    this.stop();
    this.clearLive();
    const lines = this.report!.final();
    if (lines.length) this.out.write(`${lines.join('\n')}\n`);
    this.out.write(showCursor);
  }

  dispose(): void {
    if (!this.active) return;
    this.stop();
    this.out.write(showCursor);
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.out.off?.('resize', this.onResize);
    this.active = false;
  }

  private commitStage(index: number, view: RunView): void {
    if (this.committed.has(index)) return;
    this.committed.add(index);
    const stage = view.stage(index);
    const report = this.report!;
    const lines = ['', report.stageHeader(stage)];
    if (stage.status !== 'skipped') for (const lane of stage.lanes) lines.push(...report.laneBlock(lane, report.showsText(stage)));
    if (stage.status === 'completed') lines.push(this.style.dim(`stage ${stage.name} completed in ${formatMs(stage.elapsedMs)}`));
    this.permanent(lines);
  }

  /** Prints lines above the live region, which is then drawn again below them. */
  private permanent(lines: string[]): void {
    this.clearLive();
    this.out.write(`${lines.join('\n')}\n`);
    this.render();
  }

  private clearLive(): void {
    if (this.liveLines > 0) this.out.write(`${cursorUp(this.liveLines)}\r${clearDown}`);
    this.liveLines = 0;
  }

  private render(): void {
    if (!this.active || !this.view) return;
    const width = Math.max(20, (this.out.columns || 80) - 1);
    const frame = this.frame(width).map((line) => clearLine + truncate(line, width));
    this.out.write(`${cursorUp(this.liveLines)}\r${frame.join('\n')}\n${clearDown}`);
    this.liveLines = frame.length;
  }

  private frame(width: number): string[] {
    const view = this.view!;
    const s = this.style;
    const stages = view.activeStages().filter((st) => !this.committed.has(st.index));
    if (stages.length === 0) return [s.dim(`waiting for the next stage… ${formatMs(view.elapsedMs())}`)];

    const lanes = stages.flatMap((st) => st.lanes);
    const rows = Math.max(6, this.out.rows || 24);
    const footer = this.keysHint ? 1 : 0;
    const perLane = Math.floor((rows - 1 - stages.length - footer) / Math.max(1, lanes.length)) - 1;
    const textLines = Math.max(0, Math.min(4, perLane));
    const labelWidth = Math.max(16, Math.floor(width * 0.4));
    const lines: string[] = [];
    let key = 0;
    for (const stage of stages) {
      const done = stage.lanes.filter((l) => l.status === 'done' || l.status === 'cancelled' || l.status === 'failed').length;
      lines.push(s.bold(`${view.stageLabel(stage)}: ${stage.name}`) + s.dim(` · ${done}/${stage.lanes.length} finished · ${formatMs(view.elapsedMs())}`));
      for (const lane of stage.lanes) {
        lines.push(this.report!.laneSummary(lane, labelWidth, ++key));
        if (textLines > 0 && lane.text && (lane.status === 'streaming' || lane.status === 'done')) {
          const tail = wrap(stripControl(lane.text.slice(-4000)).trimEnd(), width - 6).filter((l) => l.trim()).slice(-textLines);
          lines.push(...tail.map((l) => s.dim(`    │ ${l}`)));
        }
      }
    }
    if (this.keysHint) lines.push(s.dim(`${key > 1 ? `1-${Math.min(key, 9)}` : '1'}: skip a model · Ctrl-C: cancel the run`));
    return lines.slice(0, rows - 1);
  }
}
