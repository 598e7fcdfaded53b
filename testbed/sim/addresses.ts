/**
 * Numeric addresses for a scenario's names in the simulator (the cores compare
 * addresses as strings: numeric IPs, never host names). One /16 per kind of
 * node, so an address says what it is: masters 10.0.x.y:4000, servers
 * 10.1.x.y:5000, clients 10.2.x.y:6000, attackers 10.3.x.y:7000, spoofed
 * victims 10.4.x.y:8000, portals 10.5.x.y:3000, base servers 10.6.x.y:7900,
 * providers 10.7.x.y:7910.
 */
import type { RoleKind } from '../scenario/types.js';

const PLAN: Readonly<Record<RoleKind | 'victim', { net: number; port: number }>> = {
  master: { net: 0, port: 4000 },
  server: { net: 1, port: 5000 },
  client: { net: 2, port: 6000 },
  attacker: { net: 3, port: 7000 },
  victim: { net: 4, port: 8000 },
  portal: { net: 5, port: 3000 },
  base: { net: 6, port: 7900 },
  provider: { net: 7, port: 7910 },
};

export class AddressBook {
  private readonly byName = new Map<string, string>();
  private readonly byAddr = new Map<string, string>();
  private readonly next = new Map<string, number>();

  assign(name: string, kind: RoleKind | 'victim'): string {
    const known = this.byName.get(name);
    if (known) return known;
    const plan = PLAN[kind];
    const i = this.next.get(kind) ?? 0;
    this.next.set(kind, i + 1);
    const addr = `10.${plan.net}.${Math.floor(i / 250)}.${(i % 250) + 1}:${plan.port}`;
    this.byName.set(name, addr);
    this.byAddr.set(addr, name);
    return addr;
  }

  addr(name: string): string {
    const a = this.byName.get(name);
    if (!a) throw new Error(`no address for ${name}`);
    return a;
  }

  /** The scenario name of an address (the address itself when it is no one's). */
  name(addr: string): string {
    return this.byAddr.get(addr) ?? addr;
  }
}
