/**
 * A client core on a socket fetching one file: bytes in order to `onBytes`,
 * other events to `onEvent`, and a promise of the result.
 */
import { type Choice, Client, type ClientResult, type RequestMode } from '../roles/client/client.js';
import type { RoleEvent } from '../roles/role.js';
import { roleDeps } from './crypto.js';
import { type RunningRole, startRole } from './driver.js';

export interface FetchSettings {
  /** Numeric master addresses, rotated. */
  readonly masters: readonly string[];
  readonly file: string;
  readonly mode?: RequestMode;
  readonly choose: Choice;
  /** Numeric IP to bind. */
  readonly host: string;
  readonly port?: number;
}

export interface Fetch {
  readonly running: RunningRole<Client>;
  /** Settles when the client completes, fails or is stopped; the socket is closed by then. */
  readonly done: Promise<ClientResult>;
  /** Stop (teardown sent); `done` then settles with a `stopped` result. */
  stop(): void;
}

export async function startFetch(
  s: FetchSettings,
  onBytes: (off: number, data: Uint8Array) => void,
  onEvent: (e: RoleEvent) => void,
): Promise<Fetch> {
  let settle: (r: ClientResult) => void = () => {};
  const finished = new Promise<ClientResult>((resolve) => {
    settle = resolve;
  });
  const client = new Client(roleDeps(), { masters: s.masters, file: s.file, ...(s.mode ? { mode: s.mode } : {}), choose: s.choose });
  const running = await startRole({
    role: client,
    host: s.host,
    port: s.port ?? 0,
    onEvent: (e) => {
      if (e.type === 'bytes') return onBytes(e.off as number, e.data as Uint8Array);
      onEvent(e);
      if ((e.type === 'complete' || e.type === 'failed') && client.result) settle(client.result);
    },
  });
  const done = finished.then(async (r) => {
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
