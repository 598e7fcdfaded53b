import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress } from '../../src/protocol/address.js';

describe('addresses', () => {
  it('formats IPv4 and names as host:port, IPv6 in brackets', () => {
    expect(formatAddress('127.0.0.1', 4000)).toBe('127.0.0.1:4000');
    expect(formatAddress('media.example', 80)).toBe('media.example:80');
    expect(formatAddress('::1', 4000)).toBe('[::1]:4000');
    expect(formatAddress('2001:db8::8a2e:370:7334', 65535)).toBe('[2001:db8::8a2e:370:7334]:65535');
  });

  it('parses what it formats', () => {
    expect(parseAddress('127.0.0.1:4000')).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(parseAddress('[::1]:1')).toEqual({ host: '::1', port: 1 });
    expect(parseAddress('[fe80::1%eth0]:5000')).toEqual({ host: 'fe80::1%eth0', port: 5000 });
    expect(parseAddress('localhost:65535')).toEqual({ host: 'localhost', port: 65535 });
  });

  it('refuses what is not host:port with a port in 1–65535', () => {
    for (const bad of ['', '127.0.0.1', '127.0.0.1:', ':4000', '127.0.0.1:0', '127.0.0.1:65536', '127.0.0.1:99999', '127.0.0.1:4a', '127.0.0.1:-1',
      '127.0.0.1:+80', '127.0.0.1: 80', '::1:4000', '[::1]', '[::1]4000', '[::1]:', '[]:80', '[::1:80', 'a:b:c', '127.0.0.1:123456']) {
      expect(parseAddress(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('property: parse(format(host, port)) gives back host and port, for IPv4 and IPv6', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: 1, max: 65535 }), (host, port) => {
        expect(parseAddress(formatAddress(host, port))).toEqual({ host, port });
      }),
      { numRuns: 1000, seed: 11 },
    );
  });

  it('property: parsing arbitrary strings never throws', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 70 }), (s) => {
      const r = parseAddress(s);
      if (r) expect(r.port >= 1 && r.port <= 65535 && r.host.length > 0).toBe(true);
    }), { numRuns: 500, seed: 12 });
  });
});
