/**
 * What the dashboard's keys do: drain a server, hand a stream off, through
 * the master's `control` (as `ofp server drain` and `ofp master handoff` send
 * it). Each result is an ActionResult for the view and a line in the events
 * pane. Extra actions (the testbed's faults, the demo's kill) come from the
 * host and are reported the same way.
 */
import type { Actions, ActionResult, ExtraAction } from '../../view/model.js';
import { type ControlOrder, sendControl } from '../controlQuery.js';
import { NoAnswerError } from '../../errors.js';
import type { MasterLocator } from './masterLink.js';
import type { DashboardStore } from './store.js';

export interface ActionOptions {
  readonly master: MasterLocator;
  readonly key?: string;
  readonly store: DashboardStore;
  readonly extra?: readonly ExtraAction[];
  /** Tries and wait per try (as `ofp server drain` has them by default). */
  readonly attempts?: number;
  readonly timeoutMs?: number;
}

/** The result, and the same as a line in the events pane. */
function reported(store: DashboardStore, r: ActionResult, about: { srv?: string; sid?: number }): ActionResult {
  store.note(r.ok ? 'action' : 'error', r.ok ? 'info' : 'error', r.text, about);
  return r;
}

async function control(o: ActionOptions, what: string, order: ControlOrder): Promise<ActionResult> {
  const master = o.master();
  if (!master) return { ok: false, text: `${what}: the master is not running` };
  try {
    const a = await sendControl({ master, ...(o.key ? { key: o.key } : {}), attempts: o.attempts ?? 3, timeoutMs: o.timeoutMs ?? 700 }, order);
    return a.ok ? { ok: true, text: `${what}: ${a.msg}` } : { ok: false, text: `${what} refused: ${a.code ?? 'refused'}: ${a.msg}` };
  } catch (e) {
    if (e instanceof NoAnswerError) {
      return { ok: false, text: `${what}: the master did not answer${e.unauthenticated > 0 ? ' with a valid MAC (check --key)' : ''}` };
    }
    return { ok: false, text: `${what}: ${(e as Error).message}` };
  }
}

export function masterActions(o: ActionOptions): Actions {
  const extra = o.extra?.map((x): ExtraAction => ({
    ...x,
    run: async (server) => {
      let r: ActionResult;
      try {
        r = await x.run(server);
      } catch (e) {
        r = { ok: false, text: `${x.label}${server ? ` ${server}` : ''}: ${(e as Error).message}` };
      }
      return reported(o.store, r, server ? { srv: server } : {});
    },
  }));
  return {
    drain: async (server) => reported(o.store, await control(o, `drain ${server}`, { op: 'drain', srv: server }), { srv: server }),
    handoff: async (sid, to) => reported(o.store, await control(o, `handoff ${sid}${to ? ` to ${to}` : ''}`, { op: 'handoff', sid, ...(to ? { srv: to } : {}) }), { sid }),
    ...(extra ? { extra } : {}),
  };
}
