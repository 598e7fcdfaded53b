import { describe, expect, it } from 'vitest';
import { plainStatusLine } from '../../src/view/plain.js';
import { event, snapshot, T0 } from './fixtures.js';

describe('plain status line', () => {
  it('says time, master, servers, streams, bandwidth, requests and the newest event on one line', () => {
    const line = plainStatusLine(snapshot({
      totals: { serversUp: 2, servers: 3, streams: 17, bw: 150e6, cap: 300e6, requestsPerSec: 4.25 },
      events: [event(2, { text: 'handoff 7 a → b (failure)\ngap 512 ms' }), event(1)],
    }), T0);
    expect(line).toBe('2025-01-01T12:00:00Z  master 127.0.0.1:7000 up  servers 2/3 up  streams 17  bw 150 Mbit/s/300 Mbit/s  4.3 req/s  last: handoff 7 a → b (failure) gap 512 ms');
    expect(line).not.toContain('\n');
  });

  it('says when the master is unreachable and since when', () => {
    expect(plainStatusLine(snapshot({ reachability: 'unreachable', lastHeard: T0 - 30_000, events: [] }), T0))
      .toContain('master 127.0.0.1:7000 UNREACHABLE (last heard 30 s ago)  servers');
    expect(plainStatusLine(snapshot({ reachability: 'connecting', lastHeard: undefined }), T0)).toContain('master 127.0.0.1:7000 connecting');
  });
});
