import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { CouncilSession } from '../store/council-session';
import { SessionContext } from '../store/hooks';
import { RunStore } from '../store/run-store';
import { SnapshotStore } from '../store/snapshot-store';
import { councilPlan, EventScript } from '../store/test-events';
import { LaneCard } from './LaneCard';

/**
 * For tests: the lane of `sim/a` in the first stage of a council run, rendered connected as the page would. `feed`
 * gives the run its first events; the store applies events only when flushed, as a frame would.
 */
export function renderLane(feed: (runs: RunStore, s: EventScript) => void): { runs: RunStore; s: EventScript; root: Root; container: HTMLDivElement } {
  const runs = new RunStore(() => () => {}, () => 0);
  const s = new EventScript();
  runs.started(councilPlan(), 'Why?', 0);
  feed(runs, s);
  runs.flush();
  const container = document.createElement('div');
  const root = createRoot(container);
  act(() =>
    root.render(
      <SessionContext.Provider value={{ runs, connection: new SnapshotStore({ state: 'connected' }) } as unknown as CouncilSession}>
        <LaneCard runId="r1" stage={0} model="sim/a" />
      </SessionContext.Provider>,
    ),
  );
  return { runs, s, root, container };
}
