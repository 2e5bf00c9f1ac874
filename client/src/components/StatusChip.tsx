import type { Lane } from '../store/run-state';
import { useNow } from '../store/hooks';
import { estimateTokens, formatMs } from './format';

/** The lane's state in a word, with the number that matters now: time waited, or speed. */
export function StatusChip({ lane, stageStarted }: { lane: Lane; stageStarted: boolean }) {
  const live = !lane.leftOut && (lane.status === 'waiting' || lane.status === 'streaming') && (lane.started || stageStarted);
  const now = useNow(250, live);
  if (lane.leftOut) return <span className="chip chip-left-out">left out</span>;
  if (lane.status === 'waiting' && !lane.started && !stageStarted) return <span className="chip chip-queued">queued</span>;
  switch (lane.status) {
    case 'waiting':
      return (
        <span className="chip chip-waiting">
          <span className="pulse" aria-hidden="true" />
          waiting {lane.startedAt !== undefined ? formatMs(now - lane.startedAt) : ''}
        </span>
      );
    case 'streaming': {
      const seconds = lane.firstTokenAt !== undefined ? (now - lane.firstTokenAt) / 1000 : 0;
      const rate = seconds > 0.25 ? estimateTokens(lane.text) / seconds : undefined;
      return (
        <span className="chip chip-streaming">
          <span className="pulse" aria-hidden="true" />
          streaming{rate !== undefined ? ` · ${Math.round(rate)} tok/s` : ''}
        </span>
      );
    }
    case 'done':
      return <span className="chip chip-done">done</span>;
    case 'cancelled':
      return <span className="chip chip-cancelled">{lane.completedAt === undefined ? 'cancelled…' : 'cancelled'}</span>;
    case 'failed':
      return <span className="chip chip-failed">failed</span>;
  }
}
