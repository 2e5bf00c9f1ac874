import type { Lane } from '../store/run-state';
import { formatCost, formatMs, formatTokens } from './format';

/** Time to first token, tokens and cost of one lane. */
export function LaneStats({ lane }: { lane: Lane }) {
  const ttft = lane.ttftMs ?? (lane.firstTokenAt !== undefined && lane.startedAt !== undefined ? lane.firstTokenAt - lane.startedAt : undefined);
  const tokens = lane.usage ? lane.usage.completionTokens : lane.tokens;
  const approximate = !lane.usage || lane.usage.partial;
  const cost = formatCost(lane.usage?.cost);
  return (
    <dl className="lane-stats">
      <div>
        <dt>TTFT</dt>
        <dd>{formatMs(ttft)}</dd>
      </div>
      <div>
        <dt>tokens</dt>
        <dd>
          {approximate && tokens > 0 ? '≈' : ''}
          {formatTokens(tokens)}
        </dd>
      </div>
      {lane.durationMs !== undefined && (
        <div>
          <dt>time</dt>
          <dd>{formatMs(lane.durationMs)}</dd>
        </div>
      )}
      {cost && (
        <div>
          <dt>cost</dt>
          <dd>{cost}</dd>
        </div>
      )}
    </dl>
  );
}
