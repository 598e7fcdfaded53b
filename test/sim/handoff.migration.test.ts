/**
 * Handoffs the master decides while the first server still streams (S2.5b,
 * S2.5c, S3.6), in the simulator over many seeds: overload, and drain by
 * command and by an operator's `control`. Every case with 0% and 5% loss, one
 * flow and two flows; every copy byte-identical.
 */
import { describe, expect, it } from 'vitest';
import { ClusterAuth } from '../../src/protocol/auth.js';
import type { Message } from '../../src/protocol/messages.js';
import { nodeCrypto } from '../../src/platform/crypto.js';
import { PERFECT_LINK } from '../../testbed/sim/network.js';
import { KEY } from '../helpers/roleDriver.js';
import { forSeeds, MASTER, seedRange } from '../helpers/simCluster.js';
import { expectHandoffs, LINKS } from './handoffAssert.js';
import { CLIENT, eventsAt, finish, ITEMS, playingStream } from './handoffScenario.js';

const SEEDS = seedRange(3200, 15);
const OPERATOR = '10.0.9.1:7000';

/** How long the stream plays before the event, by seed. */
const playFor = (seed: number) => 500 + ((seed * 271) % 1000);

describe('simulated handoff: overload migration (S2.5b)', () => {
  for (const [linkName, link] of LINKS) {
    for (const [itemName, item] of ITEMS) {
      it(`${itemName}, ${linkName}: a server given a capacity below its load has its stream migrated`, () => {
        forSeeds(SEEDS, (seed) => {
          const p = playingStream({ seed, item, link, playFor: playFor(seed) });
          expect(p, 'the stream plays').toBeDefined();
          const { c, first, sid } = p!;
          c.net.command(first, { type: 'capacity', cap: 1000 });
          finish(c);
          const migrate = eventsAt(c, MASTER, 'migrate').find((m) => m.e.sid === sid);
          expect(migrate?.e, c.logText()).toMatchObject({ srv: first, why: 'overload', cap: 1000 });
          expectHandoffs(p!, item, !link, 'overload');
        });
      });
    }
  }
});

describe('simulated handoff: drain (S2.5c)', () => {
  for (const [linkName, link] of LINKS) {
    for (const [itemName, item] of ITEMS) {
      it(`${itemName}, ${linkName}: a draining server marks its data, hands its stream off, then leaves`, () => {
        forSeeds(SEEDS, (seed) => {
          const p = playingStream({ seed, item, link, playFor: playFor(seed) });
          expect(p, 'the stream plays').toBeDefined();
          const { c, first } = p!;
          c.net.command(first, { type: 'drain' });
          finish(c);
          expectHandoffs(p!, item, !link, 'drain');
          expect(eventsAt(c, CLIENT, 'change-indicator')[0]?.e.srv, 'the client saw the change indicator').toBe(first);
          // Once its last stream has gone, the drained server stops and leaves.
          c.net.run({ until: c.net.now + 1000 });
          const drained = eventsAt(c, first, 'drained');
          expect(drained.map((d) => d.e.left), c.logText()).toEqual([0]);
          expect(c.servers.find((s) => s.config.name === first)!.state).toBe('stopped');
        });
      });
    }
  }

  for (const [linkName, link] of LINKS) {
    for (const [itemName, item] of ITEMS) {
      it(`${itemName}, ${linkName}, with a cluster key: an operator's \`control\` drain through the master`, () => {
        forSeeds(SEEDS, (seed) => {
          const p = playingStream({ seed, item, link, key: KEY, playFor: playFor(seed) });
          expect(p, 'the stream plays').toBeDefined();
          const { c, first } = p!;
          // The operator's own links are clean: the test is about the master and servers. Orders to a
          // server are not acknowledged, so an operator's tool repeats the (idempotent) drain until the
          // master sees the server draining.
          const operator = c.injector(OPERATOR);
          c.net.setLink(OPERATOR, MASTER, PERFECT_LINK);
          const auth = new ClusterAuth(KEY, nodeCrypto);
          const control: Message = { type: 'control', rid: 42, op: 'drain', srv: first };
          for (let i = 0; i < 10 && (c.master.serverView(first)?.state ?? 'gone') === 'up'; i++) {
            operator.send(MASTER, auth.encode(control, Math.floor(c.net.now)));
            c.net.run({ until: c.net.now + 300 });
          }
          finish(c);
          expect(eventsAt(c, MASTER, 'order')[0]?.e).toMatchObject({ op: 'drain', srv: first, streams: 1 });
          expectHandoffs(p!, item, !link, 'drain');
        });
      });
    }
  }
});
