/**
 * The operator's commands that act through the master: `ofp server drain`,
 * `ofp server overload`, `ofp master handoff`, `ofp master supervise`. Exit 0 when the master did
 * it (or started it), 1 when it refused (its error code and message in one
 * line) or did not answer, 2 for a usage error.
 */
import { type ControlAnswer, type ControlOrder, sendControl } from './controlQuery.js';
import { Output } from './output.js';
import { resolveEndpoint, type ResolvedEndpoint } from './resolve.js';
import type { StatusFlags } from './status.js';
import { NoAnswerError } from '../errors.js';
import { noAnswerHint } from './statusQuery.js';
import { parseCount, parseDuration, parseRate } from './units.js';
import { errorLine } from './errorLine.js';
import { clusterKey } from './clusterKey.js';

/** An operator's command reaches the master as `ofp master status` does, with the same flags. */
export type ControlFlags = StatusFlags;

/** The largest stream id (ids are 32-bit, never 0). */
const MAX_SID = 0xffff_ffff;

async function runControl(f: ControlFlags, master: ResolvedEndpoint, order: ControlOrder): Promise<number> {
  const out = new Output({ mode: f.output, logLevel: f.logLevel });
  const attempts = parseCount(f.attempts, '--attempts', 1, 100);
  const timeoutMs = parseDuration(f.wait, '--wait', 'ms');
  const key = clusterKey(f.key);
  let answer: ControlAnswer;
  try {
    answer = await sendControl({ master, ...(key ? { key } : {}), attempts, timeoutMs }, order);
  } catch (e) {
    if (!(e instanceof NoAnswerError)) throw e;
    process.stderr.write(errorLine(e.code, `${e.message}: ${noAnswerHint(e, key)}`) + '\n');
    return 1;
  }
  out.summary({ master: master.address, ...order, ok: answer.ok, ...(answer.code ? { code: answer.code } : {}), message: answer.msg });
  if (!answer.ok) {
    process.stderr.write(errorLine(answer.code ?? 'refused', `master ${master.address} refused: ${answer.msg}`) + '\n');
    return 1;
  }
  out.result(`ok: ${answer.msg}`);
  return 0;
}

/** The master first, then the server in its address family. */
async function endpoints(f: ControlFlags, server: string, what: string): Promise<{ master: ResolvedEndpoint; server: ResolvedEndpoint }> {
  const master = await resolveEndpoint(f.master, '--master');
  return { master, server: await resolveEndpoint(server, what, master.family) };
}

/** `ofp server drain`: the server hands every stream off, then leaves. */
export async function runDrain(f: ControlFlags & { readonly server: string }): Promise<number> {
  const { master, server } = await endpoints(f, f.server, '--server');
  return runControl(f, master, { op: 'drain', srv: server.address });
}

/** `ofp server overload`: set a server's capacity; a server over it is overloaded and the master migrates streams away. */
export async function runOverload(f: ControlFlags & { readonly server: string; readonly capacity: string }): Promise<number> {
  const cap = parseRate(f.capacity, '--capacity');
  const { master, server } = await endpoints(f, f.server, '--server');
  return runControl(f, master, { op: 'capacity', srv: server.address, cap });
}

/** `ofp master handoff`: move one stream to another server (the one named, or the master's choice). */
export async function runHandoff(f: ControlFlags & { readonly stream: string | number; readonly to?: string }): Promise<number> {
  const sid = parseCount(f.stream, '--stream', 1, MAX_SID);
  const master = await resolveEndpoint(f.master, '--master');
  const to = f.to !== undefined ? await resolveEndpoint(f.to, '--to', master.family) : undefined;
  return runControl(f, master, { op: 'handoff', sid, ...(to ? { srv: to.address } : {}) });
}

/** `ofp master supervise`: place a server's supervision on a master of the group (§12.2), pinned there while it lives. */
export async function runSupervise(f: ControlFlags & { readonly server: string; readonly to?: string }): Promise<number> {
  const { master, server } = await endpoints(f, f.server, '--server');
  const to = f.to !== undefined ? await resolveEndpoint(f.to, '--to', master.family) : master;
  return runControl(f, master, { op: 'supervise', srv: server.address, to: to.address });
}
