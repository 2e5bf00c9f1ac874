import { memo, useId, useState, type ComponentType } from 'react';
import type { LaneFooterProps } from './LaneCard';
import { useLane, useSession, useStore } from '../store/hooks';
import type { LaneView } from '../store/settings-store';
import { useBeat } from './beat';
import { modelHue, modelName } from './format';
import { LaneCard } from './LaneCard';

interface LanesPanelProps {
  runId: string;
  stage: number;
  label: string;
  footer?: ComponentType<LaneFooterProps>;
}

/** Every lane of a stage, side by side in a grid or one at a time in tabs. */
export const LanesPanel = memo(function LanesPanel({ runId, stage, label, footer }: LanesPanelProps) {
  const session = useSession();
  const models = useStore(session.runs, (s) => s[runId]?.stages[stage]?.models);
  const view = useStore(session.settings, (s) => s.laneView);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const id = useId();
  if (!models || models.length === 0) return null;
  const current = selected && models.includes(selected) ? selected : models[0];

  return (
    <div className="lanes-panel">
      {view === 'grid' ? (
        <div className="lane-grid" data-count={models.length}>
          {models.map((model) => (
            <LaneCard key={model} runId={runId} stage={stage} model={model} footer={footer} />
          ))}
        </div>
      ) : (
        <div className="lane-tabs">
          <div role="tablist" aria-label={`${label}: models`} className="tablist">
            {models.map((model) => (
              <LaneTab
                key={model}
                runId={runId}
                stage={stage}
                model={model}
                selected={model === current}
                controls={`${id}-panel`}
                onSelect={() => setSelected(model)}
              />
            ))}
          </div>
          <div role="tabpanel" id={`${id}-panel`} aria-label={modelName(current)}>
            <LaneCard runId={runId} stage={stage} model={current} footer={footer} tall />
          </div>
        </div>
      )}
    </div>
  );
});

/** Grid or tabs, for every lane panel (the choice is remembered). */
export function LaneViewToggle({ label }: { label: string }) {
  const session = useSession();
  const view = useStore(session.settings, (s) => s.laneView);
  const onChange = (laneView: LaneView) => session.settings.change({ laneView });
  return (
    <div className="segmented" role="group" aria-label={`${label}: layout`}>
      <button type="button" aria-pressed={view === 'grid'} onClick={() => onChange('grid')}>
        Grid
      </button>
      <button type="button" aria-pressed={view === 'tabs'} onClick={() => onChange('tabs')}>
        Tabs
      </button>
    </div>
  );
}

function LaneTab(props: { runId: string; stage: number; model: string; selected: boolean; controls: string; onSelect: () => void }) {
  const lane = useLane(props.runId, props.stage, props.model);
  const status = lane?.leftOut ? 'left-out' : lane?.status ?? 'waiting';
  useBeat(status === 'streaming');
  return (
    <button
      type="button"
      role="tab"
      aria-selected={props.selected}
      aria-controls={props.controls}
      className={`tab tab-${status}`}
      style={{ '--model-hue': modelHue(props.model) } as React.CSSProperties}
      onClick={props.onSelect}
      title={props.model}
    >
      <span className={`status-dot status-${status}`} aria-hidden="true" />
      {modelName(props.model)}
    </button>
  );
}
