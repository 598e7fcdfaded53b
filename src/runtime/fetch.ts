/**
 * A client core on a socket fetching one media item: the flows it turns out
 * to have, once, before any byte; then bytes in order, per flow, to
 * `onBytes`; other events to `onEvent`; and a promise of the result.
 */
import { type Choice, Client, type ClientEvent, type ClientResult, type RequestMode, type ScheduledRate } from '../roles/client/client.js';
import { roleDeps } from '../platform/crypto.js';
import { type DriverEvent, type RunningRole, startRole } from './driver.js';
import { PortProbe } from './portProbe.js';

export interface FetchSettings {
  /** Numeric master addresses, rotated; with `portal`, the portals'. */
  readonly masters: readonly string[];
  /** The addresses are portals (§12.3). */
  readonly portal?: boolean;
  readonly file: string;
  readonly mode?: RequestMode;
  readonly choose: Choice;
  /** Stream adjustments to ask for, ms after the stream starts playing. */
  readonly schedule?: readonly ScheduledRate[];
  /** Where the client is (§12.5). */
  readonly loc?: string;
  /** Its masters may time their round trip to it (§12.5). */
  readonly echo?: boolean;
  /** Servers to ask for the list when no master answers (§13.6). */
  readonly servers?: readonly string[];
  /** Numeric IP to bind. */
  readonly host: string;
  readonly port?: number;
}

/** A flow of the item as the first setup the client accepted describes it. */
export interface FetchFlow {
  readonly name: string;
  readonly size: number;
  readonly rate: number;
}

export interface FetchHandlers {
  /** Once, on the first setup, before any byte: the item's flows (one for a plain file). */
  readonly onFlows: (flows: readonly FetchFlow[]) => void;
  /** The next in-order run of bytes of flow `fl`. */
  readonly onBytes: (fl: number, off: number, data: Uint8Array) => void;
  readonly onEvent: (e: FetchEvent) => void;
}

/** What a fetch reports: the client core's events and its driver's. */
export type FetchEvent = ClientEvent | DriverEvent;

export interface Fetch {
  readonly running: RunningRole<Client>;
  /** Settles when the client completes, fails or is stopped; the socket is closed by then. */
  readonly done: Promise<ClientResult>;
  /** Stop (teardown sent); `done` then settles with a `stopped` result. */
  stop(): void;
}


export async function startFetch(s: FetchSettings, h: FetchHandlers): Promise<Fetch> {
  let settle: (r: ClientResult) => void = () => {};
  const finished = new Promise<ClientResult>((resolve) => {
    settle = resolve;
  });
  const client = new Client(roleDeps(), {
    masters: s.masters,
    ...(s.portal ? { portal: true } : {}),
    file: s.file,
    ...(s.mode ? { mode: s.mode } : {}),
    choose: s.choose,
    ...(s.schedule && s.schedule.length > 0 ? { schedule: s.schedule } : {}),
    ...(s.loc !== undefined ? { loc: s.loc } : {}),
    ...(s.echo === true ? { echo: true } : {}),
    ...(s.servers && s.servers.length > 0 ? { servers: s.servers } : {}),
  });
  let flowsTold = false;
  // Nothing listening at a master or server is known at once, not after every retry (§6.1).
  let refused: (peer: string) => void = () => {};
  const probe = new PortProbe((peer) => refused(peer));
  const running = await startRole({
    role: client,
    host: s.host,
    port: s.port ?? 0,
    onData: (d) => h.onBytes(d.fl, d.off, d.data),
    onEvent: (e) => {
      if (e.type === 'setup' && !flowsTold) {
        flowsTold = true;
        h.onFlows(e.flows.map((f) => ({ name: f.name, size: f.size, rate: f.rate })));
      }
      if (e.type === 'ask') probe.probe(e.master);
      if (e.type === 'redirected') probe.probe(e.srv);
      if (e.type === 'referred') probe.probe(e.master);
      if (e.type === 'listed' && e.chose !== undefined) probe.probe(e.chose);
      h.onEvent(e);
      if ((e.type === 'complete' || e.type === 'failed') && client.result) settle(client.result);
    },
  });
  refused = (peer) => running.command({ type: 'unreachable', peer });
  const done = finished.then(async (r) => {
    probe.close();
    // The teardown is the last thing the client sends: let it leave before the socket closes.
    await running.flushed(1_000);
    await running.close();
    return r;
  });
  running.command({ type: 'start' });
  return {
    running,
    done,
    stop: () => {
      running.command({ type: 'stop' });
      if (client.result) settle(client.result);
    },
  };
}
