/**
 * Three real `ofp master --peers` processes on loopback (§12.1): they find one
 * another; SIGKILL one, and the other two declare it dead; its port then
 * refuses, and they stay alive to each other. With and without a cluster key.
 */
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/runtime/children.js';
import { cleanupProcesses, isListening, processScope } from '../helpers/processes.js';
import { within } from '../helpers/wait.js';
import { freePorts } from '../../src/runtime/freePorts.js';

cleanupProcesses();

const isMember = (type: string, addr: string) => (e: StreamEvent) => e.event === type && e.data.addr === addr;

describe('ofp master --peers', () => {
  for (const key of [undefined, 'a cluster key for three masters']) {
    it(`three masters find one another; a killed one is declared dead by the other two (${key ? 'cluster key' : 'no key'})`, async () => {
      const p = processScope();
      try {
        const addrs = (await freePorts(3)).map((port) => `127.0.0.1:${port}`);
        const masters = addrs.map((addr, i) => p.ofp(`master ${i + 1}`, [
          'master', '--port', addr.split(':')[1]!, '--peers', addrs.filter((a) => a !== addr).join(','), '--json-stream',
          ...(key ? ['--key', key] : []),
        ]));
        // Each says it listens in a group of three, and sees the other two alive.
        for (const [i, m] of masters.entries()) {
          const listening = await m.waitFor(isListening, 20_000, 'listening'); // a start on a busy 2-core machine
          expect(listening.data.address).toBe(addrs[i]);
        }
        for (const [i, m] of masters.entries()) {
          for (const other of addrs.filter((a) => a !== addrs[i])) await m.waitFor(isMember('member-alive', other), 10_000, `${other} alive`);
        }
        // ofp master status shows the group: the other two, alive.
        const status = await p.run(['master', 'status', '--master', addrs[1]!, '--json', ...(key ? ['--key', key] : [])], { timeoutMs: 20_000 });
        expect(status.code, status.stderr).toBe(0);
        const doc = JSON.parse(status.stdout) as { summary: { group?: number }; members: { addr: string; state: string }[] };
        expect(doc.summary.group).toBe(2);
        expect(doc.members.map((m) => [m.addr, m.state])).toEqual([addrs[0], addrs[2]].sort().map((a) => [a, 'alive']));
        const text = await p.run(['master', 'status', '--master', addrs[1]!, ...(key ? ['--key', key] : [])], { timeoutMs: 20_000 });
        expect(text.stdout).toMatch(/^MEMBER +STATE +INCARNATION +FOR$/m);
        expect(text.stdout).toMatch(new RegExp(`^${addrs[0]!.replace(/\./g, '\\.')} +alive +0 `, 'm'));
        const [victim, ...living] = masters;
        const killedAt = Date.now();
        victim!.kill('SIGKILL');
        await within(victim!.exited, 5_000, 'the master to die');
        for (const m of living) {
          const dead = await m.waitFor(isMember('member-dead', addrs[0]!), 10_000, `${addrs[0]} dead`);
          // About 2 s with the default timers (the simulator holds it to 2 s over many seeds); the
          // margin is a busy 2-core machine's: the two processes' timers and reads run late.
          expect(dead.t - killedAt, `${m.name} declared it dead after ${dead.t - killedAt} ms`).toBeLessThan(5_000);
          console.log(`masters (${key ? 'key' : 'no key'}): ${m.name} declared the killed master dead ${Math.round(dead.t - killedAt)} ms after the kill`);
        }
        // The two that live never doubted each other.
        for (const [i, m] of living.entries()) expect(m.events.some(isMember('member-dead', addrs[2 - i]!))).toBe(false);
      } finally {
        await p.killAll();
      }
    });
  }
});
