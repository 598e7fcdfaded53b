/**
 * A real run while it runs, for whoever watches it: `ofp testbed run …
 * --mode real --ui` attaches the dashboard to the scenario's master and adds
 * keys that inject faults by hand. runReal() announces each run once its
 * masters and servers are up; a watcher registered with onLiveRun() gets it.
 *
 * The hook is process-wide, not an option of runReal(), so that the generic
 * run path (runOne, ModeOptions) needs no knowledge of the dashboard.
 */
import type { FaultAction, Scenario } from '../scenario/types.js';
import type { Runner } from './runner.js';

export interface LiveRun {
  readonly scenario: Scenario;
  /** The node the dashboard watches: the scenario's first master. */
  readonly masterNode: string;
  /** Where that master listens now (it may have been restarted on another port); undefined while it does not run. */
  master(): string | undefined;
  /** The node whose public address this is (the master names servers by their public addresses). */
  nodeAt(publicAddress: string): string | undefined;
  /** Whether a node's process is paused (SIGSTOP). */
  paused(node: string): boolean;
  /** Inject a fault now, as the scenario's timeline would (it goes into the run record). */
  inject(action: FaultAction): Promise<void>;
  /** Start again the scenario's clients that have run and ended; their names. */
  restartClients(): Promise<string[]>;
}

type Watcher = (run: LiveRun) => void;
let watcher: Watcher | undefined;

/** Be told of each real run once its roles are up. Returns a function that stops it. */
export function onLiveRun(fn: Watcher): () => void {
  watcher = fn;
  return () => {
    if (watcher === fn) watcher = undefined;
  };
}

/** Called by runReal() once the masters and servers are up. */
export function announceLiveRun(run: Runner): void {
  if (!watcher) return;
  const s = run.scenario;
  const masterNode = s.masters[0]!.name;
  const nodes = [...s.masters, ...s.servers, ...s.clients].map((n) => n.name);
  watcher({
    scenario: s,
    masterNode,
    master: () => run.real.get(masterNode),
    nodeAt: (address) => nodes.find((n) => run.relay?.publicAddress(n) === address),
    paused: (node) => run.current.get(node)?.paused === true,
    inject: (action) => run.fault({ at: run.clock(), action }),
    restartClients: async () => {
      const ended = s.clients.filter((c) => {
        const rp = run.current.get(c.name);
        return rp !== undefined && !rp.child.running;
      });
      for (const c of ended) await run.fault({ at: run.clock(), action: { kind: 'restart', node: c.name } });
      return ended.map((c) => c.name);
    },
  });
}
