/** The wall clock, re-read every second so "last heard 12 s ago" counts on while nothing changes. */
import { useEffect, useState } from 'react';

export function useNow(clock: () => number, everyMs = 1000): number {
  const [now, setNow] = useState(clock);
  useEffect(() => {
    const timer = setInterval(() => setNow(clock()), everyMs);
    // The dashboard's input keeps the process alive, not this tick.
    timer.unref();
    return () => clearInterval(timer);
  }, [clock, everyMs]);
  return now;
}
