/**
 * The soak's random faults, one at a time, from a seeded RNG: a server
 * killed (SIGKILL) and started again on its port, paused (SIGSTOP) then
 * resumed, drained with `ofp server drain` (it leaves; it is started again),
 * or overloaded with `ofp server overload` and given its capacity back.
 */
import type { Rng } from '../../src/protocol/rng.js';
import type { ProcessScope } from '../helpers/processes.js';
import { within } from '../helpers/wait.js';
import type { ServerSlot, SoakCluster } from './soakCluster.js';

export const FAULT_KINDS = ['kill-restart', 'pause', 'drain', 'overload'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRecord {
  /** ms since the soak started. */
  readonly at: number;
  /** `restart`: a server stopped by an earlier fault started again after that fault's own attempt failed. */
  readonly kind: FaultKind | 'restart';
  readonly server: string;
  /** How long the fault lasted, ms (the server down, paused or overloaded). */
  readonly ms: number;
  readonly ok: boolean;
  readonly detail?: string;
}

/** One-shot commands (`ofp server drain|overload`) on a loaded machine: starting node alone may take seconds. */
const COMMAND_BOUND = 60_000;

/** A fault's own length (how long a server stays paused, down or overloaded): part of the fault, not a wait for something. */
const hold = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FaultInjector {
  readonly done: FaultRecord[] = [];

  constructor(
    private readonly p: ProcessScope,
    private readonly cluster: SoakCluster,
    private readonly rng: Rng,
    private readonly startedAt: number,
  ) {}

  /** Faults one after the other, 2 to 6 s apart, until `deadline` (bounded by it and by a count). */
  async run(deadline: number): Promise<void> {
    let round: FaultKind[] = [];
    for (let i = 0; i < 1_000 && Date.now() < deadline; i++) {
      await hold(2_000 + this.rng.below(4_000));
      if (Date.now() >= deadline) break;
      await this.reviveStopped();
      // Every kind once per round, in a random order: even a short soak sees each of them.
      if (round.length === 0) round = this.shuffled();
      const kind = round.pop()!;
      const free = this.cluster.servers.filter((s) => !s.busy && s.child.running);
      if (free.length === 0) continue;
      const slot = free[this.rng.below(free.length)]!;
      slot.busy = true;
      const at = Date.now() - this.startedAt;
      try {
        const ms = await this.inject(kind, slot);
        this.done.push({ at, kind, server: slot.name, ms, ok: true });
      } catch (e) {
        this.done.push({ at, kind, server: slot.name, ms: Date.now() - this.startedAt - at, ok: false, detail: (e as Error).message });
      } finally {
        slot.busy = false;
      }
    }
  }

  private shuffled(): FaultKind[] {
    const kinds = [...FAULT_KINDS];
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = this.rng.below(i + 1);
      [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
    }
    return kinds;
  }

  /** A server a fault stopped and could not start again (a loaded machine), or that drained late: start it again. */
  private async reviveStopped(): Promise<void> {
    for (const slot of this.cluster.servers) {
      if (slot.busy || slot.child.running) continue;
      slot.busy = true;
      const at = Date.now() - this.startedAt;
      try {
        await this.cluster.restart(slot);
        this.done.push({ at, kind: 'restart', server: slot.name, ms: Date.now() - this.startedAt - at, ok: true });
      } catch (e) {
        this.done.push({ at, kind: 'restart', server: slot.name, ms: Date.now() - this.startedAt - at, ok: false, detail: (e as Error).message });
      } finally {
        slot.busy = false;
      }
    }
  }

  private async inject(kind: FaultKind, slot: ServerSlot): Promise<number> {
    const t0 = Date.now();
    const master = this.cluster.master.address;
    switch (kind) {
      case 'kill-restart': {
        this.cluster.expectExit(slot.child);
        slot.child.kill('SIGKILL');
        await within(slot.child.exited, 30_000, `${slot.name} to die`);
        await hold(500 + this.rng.below(2_000));
        await this.cluster.restart(slot);
        break;
      }
      case 'pause': {
        slot.child.kill('SIGSTOP');
        try {
          await hold(1_000 + this.rng.below(2_000));
        } finally {
          slot.child.kill('SIGCONT');
        }
        break;
      }
      case 'drain': {
        this.cluster.expectExit(slot.child);
        const r = await this.p.run(['server', 'drain', '--master', master, '--server', slot.address], { timeoutMs: COMMAND_BOUND });
        if (r.code !== 0) throw new Error(`ofp server drain exited ${r.code}: ${r.stderr.trim()}`);
        // It hands its streams off, leaves and exits; DRAIN_TIMEOUT (15 s) bounds it.
        const exit = await within(slot.child.exited, 60_000, `${slot.name} to drain and exit`);
        if (exit.code !== 0) throw new Error(`${slot.name} exited ${exit.code} (${exit.signal}) after a drain`);
        await this.cluster.restart(slot);
        break;
      }
      case 'overload': {
        const low = await this.p.run(['server', 'overload', '--master', master, '--server', slot.address, '--capacity', '1M'], { timeoutMs: COMMAND_BOUND });
        if (low.code !== 0) throw new Error(`ofp server overload exited ${low.code}: ${low.stderr.trim()}`);
        await hold(2_000 + this.rng.below(3_000));
        const back = await this.p.run(['server', 'overload', '--master', master, '--server', slot.address, '--capacity', '1G'], { timeoutMs: COMMAND_BOUND });
        if (back.code !== 0) throw new Error(`ofp server overload (back to 1G) exited ${back.code}: ${back.stderr.trim()}`);
        break;
      }
    }
    return Date.now() - t0;
  }
}
