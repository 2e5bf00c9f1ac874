import { memo } from 'react';
import { useNow, useSession, useThrottledStore } from '../store/hooks';
import { isActive, type Stage } from '../store/run-state';
import { formatMs, modelName } from './format';

export function stageElapsed(stage: Stage, now: number): number {
  const live = (stage.phase === 'started' || stage.phase === 'running') && stage.progressAt !== undefined;
  return live ? stage.elapsedMs + (now - (stage.progressAt ?? now)) : stage.elapsedMs;
}

/** answers → reviews → synthesis: where the run is, how far each stage got, who it waits for. */
export const StageBar = memo(function StageBar({ runId }: { runId: string }) {
  const { runs } = useSession();
  const run = useThrottledStore(runs, (s) => s[runId], 200);
  const now = useNow(500, run ? isActive(run) : false);
  if (!run) return null;
  return (
    <ol className="stage-bar" aria-label="Stages">
      {run.stages.map((stage) => {
        const total = stage.total || stage.models.filter((m) => !stage.lanes[m].leftOut).length;
        const done = stage.phase === 'completed' || stage.phase === 'skipped';
        const fraction = done ? 1 : total > 0 ? stage.completed / total : 0;
        const pending = stage.phase === 'pending' ? [] : stage.pendingModels;
        return (
          <li key={stage.index} className={`stage stage-${stage.phase}`} aria-current={stage.phase === 'started' || stage.phase === 'running' ? 'step' : undefined}>
            <a href={`#${runId}-stage-${stage.index}`} className="stage-link">
              <span className="stage-head">
                <span className="stage-icon" aria-hidden="true" />
                <span className="stage-name">{stage.name}</span>
                <span className="stage-count">
                  {stage.phase === 'skipped' ? 'skipped' : `${stage.completed}/${total}`}
                </span>
              </span>
              <span className="stage-track" aria-hidden="true">
                <span style={{ width: `${fraction * 100}%` }} />
              </span>
              <span className="stage-detail">
                {stage.phase === 'pending' ? (
                  'not started'
                ) : (
                  <>
                    {formatMs(stageElapsed(stage, now))}
                    {pending.length > 0 && <> · waiting for {pending.map(modelName).join(', ')}</>}
                    {pending.length === 0 && stage.fastestModel && (
                      <> · fastest {modelName(stage.fastestModel)} {formatMs(stage.fastestLatencyMs ?? undefined)}</>
                    )}
                  </>
                )}
              </span>
            </a>
          </li>
        );
      })}
    </ol>
  );
});
