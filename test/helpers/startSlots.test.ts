/** The start slots of the test helpers: a bound that holds, slots given back, stale ones taken back. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StartSlots } from './startSlots.js';

const dir = mkdtempSync(join(tmpdir(), 'ofp-slots-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('start slots', () => {
  it('let as many starts go at once as there are slots; the next one waits until one is given back', async () => {
    const slots = new StartSlots(join(dir, 'bound'), 2);
    const first = await slots.take();
    const second = await slots.take();
    expect(slots.held()).toBe(2);
    let third: (() => void) | undefined;
    const waiting = slots.take().then((g) => (third = g));
    await new Promise((r) => setTimeout(r, 100));
    expect(third, 'a third start waits while two are held').toBeUndefined();
    first();
    first(); // giving back twice frees one slot, once
    await waiting;
    expect(slots.held()).toBe(2);
    second();
    third!();
    expect(slots.held()).toBe(0);
  });

  it('take back a slot whose holder is gone, and one held past the longest hold', async () => {
    const stale = new StartSlots(join(dir, 'stale'), 1, 300);
    await stale.take(); // never given back
    // A holder that does not exist (pid 2^22 + 1 is beyond Linux's pid range).
    writeFileSync(join(dir, 'stale', 'slot-0'), `${2 ** 22 + 1} ${Date.now()}`);
    const again = await stale.take();
    expect(stale.held()).toBe(1);
    again();
    const held = await stale.take();
    const t0 = Date.now();
    const after = await stale.take(); // waits out the 300 ms hold of the one not given back
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    held();
    after();
  });

  it('give a slot back by itself after a shorter hold asked for at take (a one-shot that says nothing)', async () => {
    const slots = new StartSlots(join(dir, 'short'), 1, 10_000);
    await slots.take(200); // never given back by its holder
    const t0 = Date.now();
    const next = await slots.take();
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(150);
    expect(waited).toBeLessThan(5_000);
    next();
    expect(slots.held()).toBe(0);
  });
});
