import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { CouncilSession } from './council-session';
import type { Lane, Run } from './run-state';
import type { SnapshotStore } from './snapshot-store';

export const SessionContext = createContext<CouncilSession | null>(null);

export function useSession(): CouncilSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession needs a <SessionContext.Provider>');
  return session;
}

/** Reads part of a store; the selector must return objects from the snapshot, not new ones. */
export function useStore<T, S>(store: SnapshotStore<T>, selector: (snapshot: T) => S): S {
  return useSyncExternalStore(store.subscribe, () => selector(store.getSnapshot()));
}

/** Like useStore, but re-renders at most every `ms`: for views that need not follow every token. */
export function useThrottledStore<T, S>(store: SnapshotStore<T>, selector: (snapshot: T) => S, ms: number): S {
  const select = useRef(selector);
  select.current = selector;
  const [value, setValue] = useState(() => selector(store.getSnapshot()));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const read = () => {
      timer = undefined;
      last = performance.now();
      setValue(() => select.current(store.getSnapshot()));
    };
    read();
    const unsubscribe = store.subscribe(() => {
      if (timer !== undefined) return;
      timer = setTimeout(read, Math.max(0, last + ms - performance.now()));
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [store, ms]);
  return value;
}

export function useRun(runId: string | undefined): Run | undefined {
  const { runs } = useSession();
  return useStore(runs, (s) => (runId ? s[runId] : undefined));
}

export function useLane(runId: string, stage: number, model: string): Lane | undefined {
  const { runs } = useSession();
  return useStore(runs, (s) => s[runId]?.stages[stage]?.lanes[model]);
}

/** The current time, refreshed every `ms` while `active`; for elapsed times and rates. */
export function useNow(ms: number, active = true): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!active) return;
    setNow(performance.now());
    const timer = setInterval(() => setNow(performance.now()), ms);
    return () => clearInterval(timer);
  }, [ms, active]);
  return now;
}
