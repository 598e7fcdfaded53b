/**
 * The soak's cluster: a master and servers that faults may kill, pause,
 * drain and start again on the same port. Every role process that exits
 * without the soak having caused it is recorded as a crash.
 */
import type { OfpChild } from '../../src/runtime/children.js';
import { isListening, type ProcessScope } from '../helpers/processes.js';

export interface Crash {
  readonly role: string;
  readonly pid: number | undefined;
  readonly code: number | null;
  readonly signal: string | null;
  readonly stderr: string;
}

export interface ServerSlot {
  readonly name: string;
  readonly port: string;
  readonly address: string;
  child: OfpChild;
  /** A fault is acting on it: it is not picked for another. */
  busy: boolean;
  restarts: number;
}

export class SoakCluster {
  readonly crashes: Crash[] = [];
  readonly servers: ServerSlot[] = [];
  master!: { child: OfpChild; address: string };
  /** Processes the soak itself stops (killed, or drained on its order). */
  private readonly expected = new Set<OfpChild>();

  constructor(
    private readonly p: ProcessScope,
    private readonly media: string,
    private readonly pollInterval: number,
  ) {}

  async start(servers: number): Promise<void> {
    this.master = await this.p.startMaster(['--poll-interval', String(this.pollInterval)], 'soak master');
    this.watch(this.master.child, 'master');
    for (let i = 1; i <= servers; i++) {
      const s = await this.p.startServer(this.master.address, this.media, [], `soak server ${i}`);
      const slot: ServerSlot = { name: `server ${i}`, port: s.address.split(':').pop()!, address: s.address, child: s.child, busy: false, restarts: 0 };
      this.watch(s.child, slot.name);
      this.servers.push(slot);
    }
  }

  /** The role processes alive now, with their role names. */
  roles(): { role: string; pid: number }[] {
    const out: { role: string; pid: number }[] = [];
    if (this.master.child.running && this.master.child.pid) out.push({ role: 'master', pid: this.master.child.pid });
    for (const s of this.servers) if (s.child.running && s.child.pid) out.push({ role: s.name, pid: s.child.pid });
    return out;
  }

  /** The soak stops it: its exit is no crash. */
  expectExit(child: OfpChild): void {
    this.expected.add(child);
  }

  /** Start the slot's server again on its port, and wait until it is registered. */
  async restart(slot: ServerSlot): Promise<void> {
    const child = this.p.ofp(`soak ${slot.name} (${slot.restarts + 2})`, ['server', '--master', this.master.address, '--media', this.media, '--port', slot.port, '--json-stream']);
    try {
      // Generous: on a loaded machine starting node alone may take many seconds.
      const listening = await child.waitFor(isListening, 60_000, 'listening');
      if (listening.data.address !== slot.address) throw new Error(`${slot.name} came back at ${listening.data.address}, not ${slot.address}`);
      await child.waitFor((e) => e.event === 'registration-registered', 30_000, 'registration');
    } catch (e) {
      this.expectExit(child);
      child.kill('SIGKILL');
      throw e;
    }
    slot.child = child;
    slot.restarts++;
    this.watch(child, slot.name);
  }

  private watch(child: OfpChild, role: string): void {
    void child.exited.then((exit) => {
      if (this.expected.has(child)) return;
      this.crashes.push({ role, pid: child.pid, code: exit.code, signal: exit.signal, stderr: child.stderr.trim().split('\n').slice(-5).join(' | ') });
    });
  }

  /** The end of the run: everything is stopped by the soak from now on. */
  stopping(): void {
    this.expected.add(this.master.child);
    for (const s of this.servers) this.expected.add(s.child);
  }
}
