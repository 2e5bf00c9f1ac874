import { memo, useState } from 'react';
import { useNow, useSession, useStore, useThrottledStore } from '../store/hooks';
import { isActive, type Stage } from '../store/run-state';
import { useBeat } from './beat';
import { formatMs, modelName } from './format';
import { useOnScreen } from './on-screen';

export function stageElapsed(stage: Stage, now: number): number {
  const live = (stage.phase === 'started' || stage.phase === 'running') && stage.progressAt !== undefined;
  return live ? stage.elapsedMs + Math.max(0, now - (stage.progressAt ?? now)) : stage.elapsedMs;
}

/** Who in the stage is streaming, who has not sent a first token yet, who was skipped or failed: from its lanes. */
export function stageWho(stage: Stage): { streaming: string[]; waiting: string[]; skipped: string[]; failed: string[] } {
  const who = { streaming: [] as string[], waiting: [] as string[], skipped: [] as string[], failed: [] as string[] };
  for (const model of stage.models) {
    const lane = stage.lanes[model];
    if (lane.leftOut) continue;
    if (lane.status === 'streaming') who.streaming.push(model);
    else if (lane.status === 'waiting' && (lane.started || stage.pendingModels.includes(model))) who.waiting.push(model);
    else if (lane.status === 'cancelled') who.skipped.push(model);
    else if (lane.status === 'failed') who.failed.push(model);
  }
  return who;
}

const names = (models: string[]) => models.map(modelName).join(', ');

function stageDetail(stage: Stage, now: number, paused: boolean): string {
  if (stage.phase === 'pending') return 'not started';
  if (stage.phase === 'not-run') return 'not run: the run ended before it';
  if (stage.phase === 'skipped') return 'skipped: too few answers';
  const parts = [formatMs(stageElapsed(stage, now))];
  const who = stageWho(stage);
  const going = stage.phase === 'started' || stage.phase === 'running';
  if (going && paused) parts.push('paused while reconnecting');
  if (stage.phase === 'stopped') parts.push(`stopped at ${stage.completed} of ${stage.total || stage.models.length}`);
  if (going && who.streaming.length > 0) parts.push(`streaming: ${names(who.streaming)}`);
  if (going && who.waiting.length > 0) parts.push(`waiting for a first token: ${names(who.waiting)}`);
  if (who.skipped.length > 0) parts.push(`skipped: ${names(who.skipped)}`);
  if (who.failed.length > 0) parts.push(`failed: ${names(who.failed)}`);
  if (stage.phase === 'completed' && stage.fastestModel) parts.push(`fastest ${modelName(stage.fastestModel)} ${formatMs(stage.fastestLatencyMs ?? undefined)}`);
  return parts.join(' · ');
}

/** answers → reviews → synthesis: where the run is, how far each stage got, who is streaming, waiting or skipped. */
export const StageBar = memo(function StageBar({ runId }: { runId: string }) {
  const { runs, connection } = useSession();
  // Off screen, a going run's bar stands still; it is redrawn when it comes into view, or the run ends.
  const [el, setEl] = useState<HTMLElement | null>(null);
  const onScreen = useOnScreen(el);
  const going = useStore(runs, (s) => (s[runId] ? isActive(s[runId]) : false));
  const run = useThrottledStore(runs, (s) => s[runId], 200, going && !onScreen);
  const online = useStore(connection, (s) => s.state === 'connected');
  const active = run ? isActive(run) : false;
  const now = useNow(500, active && online && onScreen);
  useBeat(active && online);
  if (!run) return null;
  return (
    <ol className="stage-bar" aria-label="Stages" ref={setEl}>
      {run.stages.map((stage) => {
        // A synthesis whose chairman is not known yet (a run resumed from its log) still has one to come.
        const total = stage.total || stage.models.filter((m) => !stage.lanes[m].leftOut).length || (stage.kind === 'synthesis' ? 1 : 0);
        const fraction = stage.phase === 'completed' ? 1 : total > 0 ? stage.completed / total : 0;
        const going = stage.phase === 'started' || stage.phase === 'running';
        return (
          <li key={stage.index} className={`stage stage-${stage.phase}`} aria-current={going ? 'step' : undefined}>
            <a href={`#${runId}-stage-${stage.index}`} className="stage-link">
              <span className="stage-head">
                <span className="stage-icon" aria-hidden="true" />
                <span className="stage-name">{stage.name}</span>
                <span className="stage-count">
                  {stage.phase === 'skipped' ? 'skipped' : stage.phase === 'not-run' ? 'not run' : `${stage.completed}/${total}`}
                </span>
              </span>
              <span className="stage-track" aria-hidden="true">
                <span style={{ width: `${fraction * 100}%` }} />
              </span>
              <span className="stage-detail">{stageDetail(stage, now, active && !online)}</span>
            </a>
          </li>
        );
      })}
    </ol>
  );
});
