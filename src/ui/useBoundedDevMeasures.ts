/**
 * React's development build records a performance measure for every component render, and
 * Node keeps every measure until told otherwise: a dashboard redrawing ten times a second would
 * grow by hundreds of megabytes an hour. Outside production builds, drop them now and then.
 * (Running with NODE_ENV=production avoids both the measures and the development build's cost.)
 */
import { useEffect } from 'react';

export const MEASURE_CLEANUP_MS = 2000;

export function useBoundedDevMeasures(env: string | undefined = process.env.NODE_ENV): void {
  useEffect(() => {
    if (env === 'production') return;
    const timer = setInterval(() => performance.clearMeasures(), MEASURE_CLEANUP_MS);
    timer.unref();
    return () => {
      clearInterval(timer);
      performance.clearMeasures();
    };
  }, [env]);
}
