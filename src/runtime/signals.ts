/**
 * Ctrl-C and SIGTERM: the first asks for a clean stop (a server tells its
 * master it is leaving); a second one does not wait any longer.
 */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof SIGNALS)[number];

/** Call `handler` on the first SIGINT or SIGTERM; exit at once on the second. Returns a function that unsubscribes. */
export function onStopSignal(handler: (signal: StopSignal) => void): () => void {
  let seen = false;
  const listener = (signal: StopSignal) => {
    if (seen) process.exit(signal === 'SIGINT' ? 130 : 143);
    seen = true;
    handler(signal);
  };
  for (const s of SIGNALS) process.on(s, listener);
  return () => {
    for (const s of SIGNALS) process.off(s, listener);
  };
}

/** A promise that resolves with the first stop signal. */
export function untilStopSignal(): { promise: Promise<StopSignal>; cancel: () => void } {
  let cancel = () => {};
  const promise = new Promise<StopSignal>((resolve) => {
    cancel = onStopSignal(resolve);
  });
  return { promise, cancel: () => cancel() };
}
