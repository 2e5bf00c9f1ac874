import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { CouncilSession } from './council-session';
import type { Lane, Run } from './run-state';
import type { SnapshotStore } from './snapshot-store';
import { everyTick, nextTick } from './ticks';

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

/**
 * Like useStore, for a selector that picks several fields into a new object: re-renders only when one of those
 * fields changed (compared with Object.is), not on every change of the store.
 */
export function useStoreFields<T, S extends object>(store: SnapshotStore<T>, selector: (snapshot: T) => S | undefined): S | undefined {
  const last = useRef<S | undefined>(undefined);
  return useSyncExternalStore(store.subscribe, () => {
    const next = selector(store.getSnapshot());
    if (next && last.current && sameFields(last.current, next)) return last.current;
    last.current = next;
    return next;
  });
}

function sameFields<S extends object>(a: S, b: S): boolean {
  const keys = Object.keys(a) as (keyof S)[];
  return keys.length === Object.keys(b).length && keys.every((k) => Object.is(a[k], b[k]));
}

/**
 * Like useStore, but re-renders at most every `ms`, on the shared clock of that period: for views that need not
 * follow every token. While `paused` (a view off screen) it does not follow the store at all; it reads it afresh
 * when paused and when resumed.
 */
export function useThrottledStore<T, S>(store: SnapshotStore<T>, selector: (snapshot: T) => S, ms: number, paused = false): S {
  const select = useRef(selector);
  select.current = selector;
  const [value, setValue] = useState(() => selector(store.getSnapshot()));
  useEffect(() => {
    let cancel: (() => void) | undefined;
    const read = () => {
      cancel = undefined;
      setValue(() => select.current(store.getSnapshot()));
    };
    read();
    if (paused) return;
    const unsubscribe = store.subscribe(() => {
      cancel ??= nextTick(ms, read);
    });
    return () => {
      unsubscribe();
      cancel?.();
    };
  }, [store, ms, paused]);
  return value;
}

export function useRun(runId: string | undefined): Run | undefined {
  const { runs } = useSession();
  return useStore(runs, (s) => (runId ? s[runId] : undefined));
}

/**
 * A lane of a run. While `live` is false (the lane is off screen) a streaming lane stays as it was last shown: its
 * tokens do not re-render it until it is live again or its status changes.
 */
export function useLane(runId: string, stage: number, model: string, live = true): Lane | undefined {
  const { runs } = useSession();
  const shown = useRef<{ key: string; lane: Lane | undefined }>(undefined);
  const key = `${runId}\u0001${stage}\u0001${model}`;
  const lane = useStore(runs, (s) => {
    const current = s[runId]?.stages[stage]?.lanes[model];
    const held = shown.current?.key === key ? shown.current.lane : undefined;
    return !live && held?.status === 'streaming' && current?.status === 'streaming' ? held : current;
  });
  shown.current = { key, lane };
  return lane;
}

/** The current time, refreshed every `ms` while `active`, in step with every other clock of that period. */
export function useNow(ms: number, active = true): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!active) return;
    setNow(performance.now());
    return everyTick(ms, () => setNow(performance.now()));
  }, [ms, active]);
  return now;
}
