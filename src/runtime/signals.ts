/**
 * Ctrl-C and SIGTERM: the first asks for a clean stop (a server hands its
 * streams off and tells its master it is leaving); a second one does not
 * wait any longer.
 */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof SIGNALS)[number];

/** The exit status of a process ended by `signal`, as shells report it. */
export function signalStatus(signal: StopSignal): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/** Call `handler` with each SIGINT or SIGTERM and how many have come (1, 2, …). Returns a function that unsubscribes. */
export function onEachStopSignal(handler: (signal: StopSignal, count: number) => void): () => void {
  let count = 0;
  const listener = (signal: StopSignal) => handler(signal, ++count);
  for (const s of SIGNALS) process.on(s, listener);
  return () => {
    for (const s of SIGNALS) process.off(s, listener);
  };
}

/** Call `handler` on the first SIGINT or SIGTERM; exit at once on the second. Returns a function that unsubscribes. */
export function onStopSignal(handler: (signal: StopSignal) => void): () => void {
  return onEachStopSignal((signal, count) => {
    if (count > 1) process.exit(signalStatus(signal));
    handler(signal);
  });
}

/** A promise that resolves with the first stop signal. */
export function untilStopSignal(): { promise: Promise<StopSignal>; cancel: () => void } {
  let cancel = () => {};
  const promise = new Promise<StopSignal>((resolve) => {
    cancel = onStopSignal(resolve);
  });
  return { promise, cancel: () => cancel() };
}
