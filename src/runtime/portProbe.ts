/**
 * Is anything listening there? (§6.1) One zero-length datagram from a socket
 * connected to the peer: when nothing listens, the host answers with an ICMP
 * port unreachable, which a connected UDP socket reports as ECONNREFUSED, as
 * curl reports "connection refused". Roles drop a zero-length datagram
 * without a trace (§2.6). A host that sends no ICMP just never refuses.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { parseAddress } from '../protocol/address.js';

/** Peers probed at once, at most: a client asks one master or server at a time. */
const MAX_PROBES = 16;

export class PortProbe {
  /** Per peer, its socket, and whether it is connected yet (connecting is asynchronous). */
  private readonly sockets = new Map<string, { socket: Socket; connected: boolean }>();
  private closed = false;

  constructor(private readonly onRefused: (peer: string) => void) {}

  /** Probe `peer` (a numeric `host:port`); its refusal, if any, reaches `onRefused`. */
  probe(peer: string): void {
    if (this.closed) return;
    const existing = this.sockets.get(peer);
    if (existing) {
      // Still connecting: the probe it sends once connected is this one too. (A socket that is
      // not connected yet takes a send without an address as a send to a bad port, and throws.)
      if (existing.connected) existing.socket.send(new Uint8Array(0), () => {});
      return;
    }
    const at = parseAddress(peer);
    if (!at || this.sockets.size >= MAX_PROBES) return;
    const s = createSocket(isIPv6(at.host) ? 'udp6' : 'udp4');
    const entry = { socket: s, connected: false };
    this.sockets.set(peer, entry);
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED' && !this.closed) this.onRefused(peer);
    });
    s.on('message', () => {});
    s.connect(at.port, at.host, () => {
      if (this.closed) return;
      entry.connected = true;
      s.send(new Uint8Array(0), () => {});
    });
  }

  close(): void {
    this.closed = true;
    for (const { socket } of this.sockets.values()) {
      try {
        socket.close();
      } catch {
        // already closed
      }
    }
    this.sockets.clear();
  }
}
