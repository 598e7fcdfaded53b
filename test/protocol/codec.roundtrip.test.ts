import { unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decode, encode, encodeVersionError, encodeWithMac } from '../../src/protocol/codec.js';
import { MAC_LENGTH, MAX_DATAGRAM, MEMBER_UPDATES_PER_MESSAGE, PROTOCOL_VERSION, REQUEST_PAD_TO, VIEW_MAX_BUCKETS } from '../../src/protocol/constants.js';
import { MESSAGES, MESSAGE_TYPES, type Message, type MessageOf } from '../../src/protocol/messages.js';
import { fitted } from '../../src/roles/membership/messages.js';
import { largestMessage, plain } from '../helpers/arbitraries.js';
import { SAMPLES } from '../helpers/sampleMessages.js';

describe('codec round trips', () => {
  for (const type of MESSAGE_TYPES) {
    const sample = SAMPLES[type] as Message;

    it(`${type}: decode(encode(m)) is m`, () => {
      const bytes = encode(sample);
      expect(bytes.length).toBeLessThanOrEqual(MAX_DATAGRAM);
      // fixarray of 3, the version, the type code (all catalogue codes are positive fixints).
      expect([...bytes.subarray(0, 3)]).toEqual([0x93, PROTOCOL_VERSION, MESSAGES[type].code]);
      const d = decode(bytes);
      expect(d.ok ? undefined : d).toBeUndefined();
      if (!d.ok) return;
      expect(plain(d.msg)).toEqual(plain(sample));
      expect(d.mac).toBeUndefined();
      expect(d.signed).toBeUndefined();
    });

    it(`${type}: with a MAC, the MAC covers every byte before it`, () => {
      const mac = new Uint8Array(MAC_LENGTH).fill(0xab);
      let covered: Uint8Array | undefined;
      const bytes = encodeWithMac(sample, (signed) => {
        covered = Uint8Array.from(signed);
        return mac;
      });
      const d = decode(bytes);
      expect(d.ok).toBe(true);
      if (!d.ok) return;
      expect(plain(d.msg)).toEqual(plain(sample));
      expect([...d.mac!]).toEqual([...mac]);
      expect([...d.signed!]).toEqual([...covered!]);
      expect(d.signed!.length + 2 + MAC_LENGTH).toBe(bytes.length);
      // fixarray of 4 now, and the same body as the MAC-less encoding.
      expect(bytes[0]).toBe(0x94);
      expect([...bytes.subarray(1, d.signed!.length)]).toEqual([...encode(sample).subarray(1)]);
    });

    it(`${type}: any MessagePack decoder reads the datagram as [version, type, body]`, () => {
      const generic = unpack(Buffer.from(encode(sample))) as unknown[];
      expect(generic).toHaveLength(3);
      expect(generic[0]).toBe(PROTOCOL_VERSION);
      expect(generic[1]).toBe(MESSAGES[type].code);
      expect(typeof generic[2]).toBe('object');
    });
  }

  it('encodes fields in schema order, so equal messages have equal bytes', () => {
    const a = encode({ type: 'play', sid: 1, cookie: new Uint8Array(8), off: 5 });
    const b = encode({ off: 5, cookie: new Uint8Array(8), sid: 1, type: 'play' } as Message);
    expect([...a]).toEqual([...b]);
  });

  it('leaves out absent optional fields and fields the schema does not know', () => {
    const bytes = encode({ type: 'teardown', sid: 3, extra: 'x' } as unknown as Message);
    const generic = unpack(Buffer.from(bytes)) as [number, number, Record<string, unknown>];
    expect(Object.keys(generic[2])).toEqual(['sid']);
    const req = encode({ type: 'request', rid: 1, file: 'a', mode: undefined });
    expect(Object.keys((unpack(Buffer.from(req)) as [number, number, object])[2])).toEqual(['rid', 'file']);
  });

  it('integers above 2^32-1 round-trip exactly, as 64-bit MessagePack integers', () => {
    for (const off of [0xffff_ffff, 2 ** 32, 2 ** 32 + 1, 2 ** 40 + 12_345, 2 ** 52 + 1, Number.MAX_SAFE_INTEGER]) {
      const bytes = encode({ type: 'play', sid: 1, cookie: new Uint8Array(8), off });
      const d = decode(bytes);
      expect(d.ok && d.msg.type === 'play' && d.msg.off).toBe(off);
      // `off` is the last field, so its value ends the datagram: uint 32, or a 64-bit integer
      // (msgpackr writes BigInt below 2^63 as int 64, 0xd3), never float 64 (0xcb), which would lose precision.
      if (off <= 0xffff_ffff) expect(bytes[bytes.length - 5]).toBe(0xce);
      else expect([0xcf, 0xd3]).toContain(bytes[bytes.length - 9]);
    }
  });

  it('the version error is an error message that names the supported versions', () => {
    const d = decode(encodeVersionError());
    expect(d.ok).toBe(true);
    if (!d.ok || d.msg.type !== 'error') return;
    expect(d.msg.code).toBe('unknown-version');
    expect(d.msg.versions).toEqual([PROTOCOL_VERSION]);
  });
});

describe('worst-case sizes', () => {
  // server-list, content and status carry lists their senders page to fit (tested with the roles);
  // member too, once its updates carry servers' entries (below); so do job-submit, job-order, job-status and job-list (test/jobs).
  const paged = ['server-list', 'content', 'status', 'member', 'job-submit', 'job-order', 'job-status', 'job-list'];
  for (const type of MESSAGE_TYPES.filter((t) => !paged.includes(t))) {
    it(`${type} with every field at its largest fits in MAX_DATAGRAM, MAC included`, () => {
      const bytes = encodeWithMac(largestMessage(type, ['pad']), () => new Uint8Array(MAC_LENGTH));
      expect(bytes.length).toBeLessThanOrEqual(MAX_DATAGRAM);
      expect(decode(bytes).ok).toBe(true);
    });
  }
  it('member: six updates without entries (a group of masters) fit at their widest; with servers\' entries, the sender keeps what fits', () => {
    const widest = largestMessage('member', ['pad']) as MessageOf<'member'>;
    const { dig: _dig, bk: _bk, more: _more, ...ping } = widest;
    const bare = { ...ping, up: widest.up.slice(0, MEMBER_UPDATES_PER_MESSAGE).map(({ d: _d, ...u }) => u) };
    expect(bare.up).toHaveLength(MEMBER_UPDATES_PER_MESSAGE);
    expect(encodeWithMac(bare, () => new Uint8Array(MAC_LENGTH)).length).toBeLessThanOrEqual(MAX_DATAGRAM);
    const enc = (m: MessageOf<'member'>) => encodeWithMac(m, () => new Uint8Array(MAC_LENGTH));
    expect(enc(ping).length).toBeGreaterThan(MAX_DATAGRAM);
    const { msg: fit, bytes } = fitted(ping, enc);
    expect(bytes).toEqual(enc(fit));
    expect(bytes.length).toBeLessThanOrEqual(MAX_DATAGRAM);
    expect(fit.up.length).toBeGreaterThanOrEqual(3);
    expect(fit.up).toEqual(widest.up.slice(0, fit.up.length));
    expect(decode(enc(fit)).ok).toBe(true);
  });

  it('member: a sync with the largest digest and its own entry at its widest fits; so does a sync-ack naming every bucket', () => {
    const widest = largestMessage('member', ['pad']) as MessageOf<'member'>;
    const enc = (m: MessageOf<'member'>) => encodeWithMac(m, () => new Uint8Array(MAC_LENGTH));
    expect(widest.dig!.length).toBe(VIEW_MAX_BUCKETS * 4);
    expect(enc({ type: 'member', k: 'sync', seq: widest.seq, up: widest.up.slice(0, 1), dig: widest.dig!, at: widest.at! }).length).toBeLessThanOrEqual(MAX_DATAGRAM);
    const ack = fitted({ type: 'member', k: 'sync-ack', seq: widest.seq, up: widest.up, bk: widest.bk!, more: true, at: widest.at! }, enc);
    expect(ack.bytes.length).toBeLessThanOrEqual(MAX_DATAGRAM);
    expect(ack.msg.up.length).toBeGreaterThanOrEqual(3);
  });

  it('the largest request leaves room for its padding', () => {
    expect(encode(largestMessage('request', ['pad'])).length).toBeLessThanOrEqual(REQUEST_PAD_TO - 6);
  });
});
