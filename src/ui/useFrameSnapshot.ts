/**
 * The snapshot to draw, taken from the store at most once per `intervalMs` however fast the
 * store changes (changes in between are coalesced into the next frame), and frozen while paused.
 */
import { useEffect, useRef, useState } from 'react';
import type { Snapshot, SnapshotStore } from '../view/model.js';

export function useFrameSnapshot(store: SnapshotStore, intervalMs: number, paused: boolean): Snapshot {
  const [snapshot, setSnapshot] = useState(() => store.get());
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    let last = -Infinity;
    const take = () => {
      timer = undefined;
      if (pausedRef.current) return;
      last = performance.now();
      setSnapshot(store.get());
    };
    const changed = () => {
      if (pausedRef.current || timer !== undefined) return;
      const wait = last + intervalMs - performance.now();
      if (wait <= 0) take();
      else timer = setTimeout(take, wait);
    };
    const unsubscribe = store.subscribe(changed);
    // The store may have changed between the first render and subscribing.
    changed();
    return () => {
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [store, intervalMs]);

  // Resuming shows the latest at once.
  useEffect(() => {
    if (!paused) setSnapshot(store.get());
  }, [paused, store]);

  return snapshot;
}
