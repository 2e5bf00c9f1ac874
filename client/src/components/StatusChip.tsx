import type { Lane } from '../store/run-state';
import { useNow, useSession, useStore } from '../store/hooks';
import { formatMs } from './format';
import { Pulse } from './beat';

/** Tokens per second of a streaming lane: the tokens after the first over the time since it (or since the call began, when a replay could not say when the first came). */
export function liveRate(lane: Lane, now: number): number | undefined {
  const since = lane.firstTokenAt ?? lane.startedAt;
  if (since === undefined) return undefined;
  const seconds = (now - since) / 1000;
  const tokens = lane.firstTokenAt !== undefined ? lane.tokens - 1 : lane.tokens;
  return seconds > 0.5 && tokens > 0 ? tokens / seconds : undefined;
}

/** The lane's state in a word, with the number that matters now: time waited, or speed (refreshed while `onScreen`). */
export function StatusChip({ lane, stageStarted, onScreen = true }: { lane: Lane; stageStarted: boolean; onScreen?: boolean }) {
  const { connection } = useSession();
  const online = useStore(connection, (s) => s.state === 'connected');
  const live = !lane.leftOut && (lane.status === 'waiting' || lane.status === 'streaming') && (lane.started || stageStarted);
  // Off screen the clock need not tick: it reads the time afresh when it is back.
  const now = useNow(250, live && online && onScreen);
  if (lane.leftOut) return <span className="chip chip-left-out">left out</span>;
  if (lane.status === 'waiting' && !lane.started && !stageStarted) return <span className="chip chip-queued">queued</span>;
  if (live && !online) return <span className="chip chip-paused">paused</span>;
  switch (lane.status) {
    case 'waiting':
      return (
        <span className="chip chip-waiting">
          <Pulse />
          waiting {lane.startedAt !== undefined ? formatMs(now - lane.startedAt) : ''}
        </span>
      );
    case 'streaming': {
      const rate = liveRate(lane, now);
      return (
        <span className="chip chip-streaming">
          <Pulse />
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
    case 'interrupted':
      return (
        <span className="chip chip-cancelled" title="The server stopped while this model was answering; its text so far is kept.">
          cut off
        </span>
      );
  }
}
