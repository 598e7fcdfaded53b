// The servers' view (§13) as a server holds it: its rounds of gossip, as configured (`ofp server
// --gossip-interval`, `--gossip-nodes`), and the flags that set them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VIEW_GOSSIP_INTERVAL, VIEW_GOSSIP_NODES } from '../../src/protocol/constants.js';
import { Rng } from '../../src/protocol/rng.js';
import { SharedView, VIEW_TIMING, type ViewGossip } from '../../src/roles/server/view.js';
import { parseServerFlags } from '../../src/runtime/server.js';

const entry = { st: 'up' as const, n: 0, g: 'edge', bw: 1_000_000 };

/** The gossip a view sends once a change of status is to spread: the time between its first rounds, and to how many peers each goes. */
function gossipOf(gossip?: ViewGossip): { gap: number; perRound: number } {
  const v = new SharedView('s0', new Rng(3), 1, gossip);
  v.note(entry, 0);
  const peers = Array.from({ length: 20 }, (_, i) => `s${i + 1}`);
  v.handle('s1', { type: 'gossip', seq: 0, updates: peers.map((addr) => ({ state: 'alive' as const, addr, inc: 1, data: { v: 1, ...entry } })) }, 0);
  while (v.pollSend());
  v.note({ ...entry, st: 'draining' }, 10);
  const at = new Map<number, number>();
  for (let t = 10; t <= 2_010; t += 5) {
    v.handleTimeout(t);
    for (let s = v.pollSend(); s; s = v.pollSend()) {
      if (s.msg.type === 'ping') v.handle(s.to, { type: 'ack', seq: s.msg.seq, updates: [] }, t);
      if (s.msg.type === 'gossip') at.set(t, (at.get(t) ?? 0) + 1);
    }
  }
  const [first, second] = [...at.keys()];
  return { gap: second! - first!, perRound: Math.max(...at.values()) };
}

describe('the servers\' view: rounds of gossip (§13.1)', () => {
  it('gossips a change of status every VIEW_GOSSIP_INTERVAL to VIEW_GOSSIP_NODES peers, or as configured', () => {
    expect(gossipOf()).toEqual({ gap: VIEW_GOSSIP_INTERVAL, perRound: VIEW_GOSSIP_NODES });
    expect(gossipOf({ interval: 50, nodes: 1 })).toEqual({ gap: 50, perRound: 1 });
    expect(gossipOf({ nodes: 5 })).toEqual({ gap: VIEW_GOSSIP_INTERVAL, perRound: 5 });
  });

  it('a refutation of a suspicion a server never held goes on as a refresh, without rounds of gossip', () => {
    expect(VIEW_TIMING).toMatchObject({ quietRefutations: true });
    const v = new SharedView('s0', new Rng(4), 1);
    v.note(entry, 0);
    const peers = Array.from({ length: 20 }, (_, i) => `s${i + 1}`);
    v.handle('s1', { type: 'gossip', seq: 0, updates: peers.map((addr) => ({ state: 'alive' as const, addr, inc: 1, data: { v: 1, ...entry } })) }, 0);
    const run = (from: number, to: number) => {
      let gossip = 0;
      for (let t = from; t <= to; t += 50) {
        v.handleTimeout(t);
        for (let s = v.pollSend(); s; s = v.pollSend()) {
          if (s.msg.type === 'ping') v.handle(s.to, { type: 'ack', seq: s.msg.seq, updates: [] }, t);
          if (s.msg.type === 'gossip') gossip++;
        }
      }
      return gossip;
    };
    run(0, 60_000);
    v.handle('s2', { type: 'gossip', seq: 0, updates: [{ state: 'alive', addr: 's5', inc: 2, data: { v: 1, ...entry } }] }, 60_010);
    expect(v.server('s5')).toMatchObject({ state: 'alive' });
    expect(run(60_050, 62_000), 'no round of gossip').toBe(0);
  });

  it('--gossip-interval and --gossip-nodes set them, with a key only, within bounds', async () => {
    const media = mkdtempSync(join(tmpdir(), 'ofp-gossip-'));
    const base = { media, host: '127.0.0.1', port: 0, capacity: '1G', group: 'default', defaultRate: '4M', output: 'human' as const, logLevel: 'info' as const };
    const key = 'a cluster key of the gossip flags';
    expect((await parseServerFlags({ ...base, key, gossipInterval: '100ms', gossipNodes: 5 })).gossip).toEqual({ interval: 100, nodes: 5 });
    expect((await parseServerFlags({ ...base, key })).gossip).toBeUndefined();
    await expect(parseServerFlags({ ...base, gossipInterval: '100' })).rejects.toThrow(/needs --key/);
    await expect(parseServerFlags({ ...base, key, gossipInterval: '5' })).rejects.toThrow(/--gossip-interval "5" is too short: give at least 10 ms/);
    await expect(parseServerFlags({ ...base, key, gossipNodes: 0 })).rejects.toThrow(/--gossip-nodes "0" must be a whole number from 1 to 16/);
  });
});
