import { describe, expect, it } from 'vitest';
import { CLIENT_SILENCE_TIMEOUT, DATA_CHUNK, MAX_STREAM_RATE, PACING_BURST, RECEIVE_WINDOW, RESEND_HOLDOFF, SETUP_TIMEOUT, TOKEN_TTL } from '../../src/protocol/constants.js';
import { checkSynthetic, nameKey } from '../../src/media/synthetic.js';
import { KEY, ofType } from '../helpers/roleDriver.js';
import { CLIENT, dataOf, MASTER, NAME, ServerFixture } from '../helpers/serverFixture.js';

const RATE = 4_000_000;
const BIG = { name: 'movie.ts', size: 50_000_000, rate: RATE };

describe('server: stream tokens (§9.3)', () => {
  const refusal = (f: ServerFixture, out: ReturnType<ServerFixture['request']>) => {
    expect(ofType(out, 'setup')).toHaveLength(0);
    expect(f.server.streamCount()).toBe(0);
    return ofType(out, 'error').map((e) => e.code);
  };

  it('a valid token gets a setup', () => {
    const f = new ServerFixture({ key: KEY });
    expect(ofType(f.request('movie.ts', { sid: 5 }), 'setup')).toMatchObject([{ sid: 5, file: 'movie.ts', srv: NAME, size: 5_000_000, rate: RATE, chunk: DATA_CHUNK, off: 0 }]);
  });

  it('no sid or no expiry: bad-request; no token: bad-token', () => {
    const f = new ServerFixture({ key: KEY });
    expect(refusal(f, f.request('movie.ts', { token: { sid: undefined } }))).toEqual(['bad-request']);
    expect(refusal(f, f.request('movie.ts', { token: { exp: undefined } }))).toEqual(['bad-request']);
    expect(refusal(f, f.request('movie.ts', { token: { tok: undefined } }))).toEqual(['bad-token']);
  });

  it('a forged token, or one under another key: bad-token', () => {
    const f = new ServerFixture({ key: KEY });
    expect(refusal(f, f.request('movie.ts', { token: { tok: new Uint8Array(16).fill(7) } }))).toEqual(['bad-token']);
  });

  it('a token used from another client address, for another file or sid, or with another expiry: bad-token', () => {
    const f = new ServerFixture({ key: KEY, files: [BIG, { name: 'other.ts', size: 10, rate: 1 }] });
    const exp = Math.floor(f.d.now) + TOKEN_TTL;
    const tok = f.auth!.token({ client: CLIENT, file: 'movie.ts', server: NAME, sid: 9, exp });
    expect(refusal(f, f.request('movie.ts', { from: '10.0.2.1:6001', token: { sid: 9, tok, exp } }))).toEqual(['bad-token']);
    expect(refusal(f, f.request('movie.ts', { from: '10.0.2.2:6000', token: { sid: 9, tok, exp } }))).toEqual(['bad-token']);
    expect(refusal(f, f.request('other.ts', { token: { sid: 9, tok, exp } }))).toEqual(['bad-token']);
    expect(refusal(f, f.request('movie.ts', { token: { sid: 10, tok, exp } }))).toEqual(['bad-token']);
    expect(refusal(f, f.request('movie.ts', { token: { sid: 9, tok, exp: exp + 1 } }))).toEqual(['bad-token']);
    // The right client, file, sid and expiry: accepted.
    expect(ofType(f.request('movie.ts', { token: { sid: 9, tok, exp } }), 'setup')).toHaveLength(1);
  });

  it('an expired token: token-expired', () => {
    const f = new ServerFixture({ key: KEY });
    const exp = Math.floor(f.d.now) + 1000;
    const tok = f.auth!.token({ client: CLIENT, file: 'movie.ts', server: NAME, sid: 9, exp });
    f.d.advance(1000);
    expect(refusal(f, f.request('movie.ts', { token: { sid: 9, tok, exp } }))).toEqual(['token-expired']);
    expect(f.server.stats.refused).toBe(1);
  });

  it('without a key, no token is needed', () => {
    const f = new ServerFixture();
    expect(ofType(f.request('movie.ts', { token: { sid: undefined } }), 'setup')).toHaveLength(1);
  });
});

describe('server: setup', () => {
  it('refuses with no-capacity when the stream would exceed its capacity', () => {
    const f = new ServerFixture({ cap: 2 * RATE });
    expect(ofType(f.request('movie.ts'), 'setup')).toHaveLength(1);
    expect(ofType(f.request('movie.ts'), 'setup')).toHaveLength(1);
    expect(ofType(f.request('movie.ts'), 'error').map((e) => e.code)).toEqual(['no-capacity']);
    expect(f.server.committed()).toBe(2 * RATE);
  });

  it('a forwarded request over capacity is refused to the master', () => {
    const f = new ServerFixture({ cap: RATE - 1 }).register();
    const out = f.fromMaster({ type: 'forward', rid: 3, file: 'movie.ts', client: CLIENT, sid: 4, off: 0 });
    expect(ofType(out, 'error')).toMatchObject([{ to: MASTER, rid: 3, code: 'no-capacity' }]);
  });

  it('a forwarded request is set up for the client and the setup goes to the master', () => {
    const f = new ServerFixture().register();
    const out = f.fromMaster({ type: 'forward', rid: 3, file: 'movie.ts', client: CLIENT, sid: 4, off: 1100 });
    const s = ofType(out, 'setup');
    expect(s).toMatchObject([{ to: MASTER, rid: 3, sid: 4, off: 1100 }]);
    // The client (not the master) plays it.
    f.d.datagram(CLIENT, { type: 'play', sid: 4, cookie: s[0]!.cookie, off: 1100 });
    f.d.advance(50);
    expect(dataOf(f.d.sent, 4)[0]).toMatchObject({ to: CLIENT, off: 1100 });
  });

  it('unknown file: not-found; offset past the end: bad-request', () => {
    const f = new ServerFixture();
    expect(ofType(f.request('nope.ts'), 'error').map((e) => e.code)).toEqual(['not-found']);
    expect(ofType(f.request('movie.ts', { off: 5_000_001 }), 'error').map((e) => e.code)).toEqual(['bad-request']);
  });

  it('a repeated request for the same stream gets the same setup; another client cannot take the sid', () => {
    const f = new ServerFixture();
    const a = ofType(f.request('movie.ts', { sid: 7 }), 'setup')[0]!;
    const b = ofType(f.request('movie.ts', { sid: 7 }), 'setup')[0]!;
    expect([...b.cookie]).toEqual([...a.cookie]);
    expect(f.server.streamCount()).toBe(1);
    expect(ofType(f.request('movie.ts', { sid: 7, from: '10.0.2.9:6000' }), 'error').map((e) => e.code)).toEqual(['bad-request']);
  });

  it('play with a wrong cookie is refused and nothing is streamed', () => {
    const f = new ServerFixture();
    const s = ofType(f.request('movie.ts'), 'setup')[0]!;
    const out = f.d.datagram(CLIENT, { type: 'play', sid: s.sid, cookie: new Uint8Array(8), off: 0 });
    expect(ofType(out, 'error').map((e) => e.code)).toEqual(['bad-cookie']);
    expect(f.server.dropped.get('bad-cookie')).toBe(1);
    f.d.advance(1000);
    expect(dataOf(f.d.sent)).toHaveLength(0);
  });

  it('play from another address is unknown-stream, and nothing is streamed to either address', () => {
    const f = new ServerFixture();
    const s = ofType(f.request('movie.ts'), 'setup')[0]!;
    // A small play from a fresh address: the error would be bigger than the play, so it is held back (§9.4)…
    const other = '10.0.2.9:6000';
    expect(f.d.datagram(other, { type: 'play', sid: s.sid, cookie: s.cookie, off: 0 })).toHaveLength(0);
    expect(f.server.dropped.get('amplification-limit')).toBe(1);
    // …a bigger datagram from it earns the budget for the answer.
    f.d.datagram(other, new Uint8Array(200));
    const out = f.d.datagram(other, { type: 'play', sid: s.sid, cookie: s.cookie, off: 0 });
    expect(ofType(out, 'error').map((e) => e.code)).toEqual(['unknown-stream']);
    expect(f.server.dropped.get('unexpected-message')).toBe(2);
    f.d.advance(1000);
    expect(dataOf(f.d.sent)).toHaveLength(0);
  });
});

describe('server: streaming (§5)', () => {
  it('paces data at the file rate', () => {
    const f = new ServerFixture({ files: [BIG] });
    const s = f.play('movie.ts');
    const start = f.d.now;
    let acked = 0;
    // The client acknowledges everything every 100 ms, so neither the window nor silence limits the stream.
    for (let t = 100; t <= 4000; t += 100) {
      f.d.advanceTo(start + t);
      const sent = dataOf(f.d.sent, s.sid);
      acked = sent.reduce((n, d) => Math.max(n, d.off + d.data.length), acked);
      f.ack(s.sid, acked);
      // At every moment: no more than the rate allows plus one burst.
      const bytes = sent.reduce((n, d) => n + d.data.length, 0);
      expect(bytes, `after ${t} ms`).toBeLessThanOrEqual((RATE / 8) * (t / 1000) + PACING_BURST);
    }
    // Over the whole run: the rate, to within one pacing burst plus one chunk. The token bucket starts
    // with half a burst and holds at most a burst, and chunks are sent whole, so this is the exact slack.
    const total = dataOf(f.d.sent, s.sid).reduce((n, d) => n + d.data.length, 0);
    const ideal = (RATE / 8) * 4;
    expect(Math.abs(total - ideal)).toBeLessThanOrEqual(PACING_BURST + DATA_CHUNK);
    // The bytes are the file's, in order, each chunk once.
    const data = dataOf(f.d.sent, s.sid);
    data.forEach((d, i) => {
      expect(d.off).toBe(i * DATA_CHUNK);
      expect(d.seq).toBe(i + 1);
      expect(checkSynthetic(nameKey('movie.ts'), d.off, d.data)).toBeUndefined();
    });
  });

  it('paces each stream at its own rate', () => {
    const f = new ServerFixture({ files: [BIG, { name: 'slow.ts', size: 50_000_000, rate: 1_000_000 }] });
    const a = f.play('movie.ts');
    const b = f.play('slow.ts', { from: '10.0.2.2:6000' });
    for (let t = 0; t < 2000; t += 100) {
      f.d.advance(100);
      f.ack(a.sid, 0);
      f.ack(b.sid, 0, 0, [], '10.0.2.2:6000');
    }
    const bytes = (sid: number) => dataOf(f.d.sent, sid).reduce((n, d) => n + d.data.length, 0);
    expect(Math.abs(bytes(a.sid) - 1_000_000)).toBeLessThanOrEqual(PACING_BURST + DATA_CHUNK);
    expect(Math.abs(bytes(b.sid) - 250_000)).toBeLessThanOrEqual(PACING_BURST + DATA_CHUNK);
  });

  it(`sends at most RECEIVE_WINDOW (${RECEIVE_WINDOW}) bytes beyond what the client has acknowledged`, () => {
    const f = new ServerFixture({ files: [{ name: 'movie.ts', size: 50_000_000, rate: MAX_STREAM_RATE }] });
    const s = f.play('movie.ts');
    for (let t = 0; t < 2000; t += 100) {
      f.d.advance(100);
      f.ack(s.sid, 0);
    }
    const end = Math.max(...dataOf(f.d.sent, s.sid).map((d) => d.off + d.data.length));
    expect(end).toBeLessThanOrEqual(RECEIVE_WINDOW + DATA_CHUNK);
    expect(end).toBeGreaterThan(RECEIVE_WINDOW - DATA_CHUNK);
    // Acknowledging opens the window again.
    f.ack(s.sid, 1_000_000 - (1_000_000 % DATA_CHUNK));
    f.d.advance(200);
    expect(Math.max(...dataOf(f.d.sent, s.sid).map((d) => d.off + d.data.length))).toBeGreaterThan(end);
  });

  it('resends only the reported missing ranges, chunk by chunk, and not again within RESEND_HOLDOFF', () => {
    const f = new ServerFixture({ files: [BIG] });
    const s = f.play('movie.ts');
    f.d.advance(500); // ~250 kB sent
    const sentEnd = Math.max(...dataOf(f.d.sent, s.sid).map((d) => d.off + d.data.length));
    expect(sentEnd).toBeGreaterThan(100 * DATA_CHUNK);
    const mark = f.d.sent.length;
    // Missing: chunks 10–11 and 40, plus a range beyond what was sent (ignored) and one below `next` (ignored).
    f.ack(s.sid, 5 * DATA_CHUNK, sentEnd, [[10 * DATA_CHUNK, 2 * DATA_CHUNK], [40 * DATA_CHUNK + 5, 10], [sentEnd + DATA_CHUNK, 5 * DATA_CHUNK]]);
    f.ack(s.sid, 5 * DATA_CHUNK, sentEnd, [[0, DATA_CHUNK]]);
    f.d.advance(RESEND_HOLDOFF - 20);
    const resent = dataOf(f.d.sent.slice(mark), s.sid).filter((d) => d.re);
    expect(resent.map((d) => d.off / DATA_CHUNK)).toEqual([10, 11, 40]);
    for (const d of resent) expect(checkSynthetic(nameKey('movie.ts'), d.off, d.data)).toBeUndefined();
    // Reported again within the hold-off: not resent again.
    const mark2 = f.d.sent.length;
    f.ack(s.sid, 5 * DATA_CHUNK, sentEnd, [[10 * DATA_CHUNK, DATA_CHUNK]]);
    f.d.advance(10);
    expect(dataOf(f.d.sent.slice(mark2), s.sid).filter((d) => d.re)).toHaveLength(0);
    // After the hold-off: resent again.
    f.d.advance(RESEND_HOLDOFF);
    f.ack(s.sid, 5 * DATA_CHUNK, sentEnd, [[10 * DATA_CHUNK, DATA_CHUNK]]);
    f.d.advance(20);
    expect(dataOf(f.d.sent.slice(mark2), s.sid).filter((d) => d.re).map((d) => d.off / DATA_CHUNK)).toEqual([10]);
  });

  it('a huge reported range resends only what was sent above `next`, each chunk once', () => {
    const f = new ServerFixture({ files: [BIG] });
    const s = f.play('movie.ts');
    f.d.advance(100);
    const sentEnd = Math.max(...dataOf(f.d.sent, s.sid).map((d) => d.off + d.data.length));
    const mark = f.d.sent.length;
    f.ack(s.sid, 2 * DATA_CHUNK, sentEnd, [[0, 2 ** 50]]);
    // Resends have their own budget (half the media rate): give them time to drain.
    f.d.advance(1000);
    const offs = dataOf(f.d.sent.slice(mark), s.sid).filter((d) => d.re).map((d) => d.off);
    expect(offs).toEqual(Array.from({ length: sentEnd / DATA_CHUNK - 2 }, (_, i) => (i + 2) * DATA_CHUNK));
  });

  it('resends what was lost at the tail once everything is sent', () => {
    const size = 20 * DATA_CHUNK + 300;
    const f = new ServerFixture({ files: [{ name: 'small.ts', size, rate: RATE }] });
    const s = f.play('small.ts');
    f.d.advance(400);
    expect(Math.max(...dataOf(f.d.sent, s.sid).map((d) => d.off + d.data.length))).toBe(size);
    // The client got everything but the last two chunks, and says so (hi is short of the end).
    const mark = f.d.sent.length;
    f.ack(s.sid, 19 * DATA_CHUNK, 19 * DATA_CHUNK);
    f.d.advance(20);
    expect(dataOf(f.d.sent.slice(mark), s.sid).filter((d) => d.re).map((d) => d.off)).toEqual([19 * DATA_CHUNK, 20 * DATA_CHUNK]);
    const last = dataOf(f.d.sent.slice(mark), s.sid).at(-1)!;
    expect(last.data.length).toBe(300);
  });

  it('ends the stream on teardown', () => {
    const f = new ServerFixture();
    const s = f.play('movie.ts');
    f.d.advance(100);
    f.d.datagram(CLIENT, { type: 'teardown', sid: s.sid });
    expect(f.server.streamCount()).toBe(0);
    expect(f.d.eventsOf('stream-end')).toMatchObject([{ sid: s.sid, reason: 'teardown' }]);
    const mark = f.d.sent.length;
    f.d.advance(1000);
    expect(dataOf(f.d.sent.slice(mark))).toHaveLength(0);
  });

  it('a teardown from another address does not end the stream', () => {
    const f = new ServerFixture();
    const s = f.play('movie.ts');
    f.d.datagram('10.0.2.9:6000', { type: 'teardown', sid: s.sid });
    expect(f.server.streamCount()).toBe(1);
    expect(f.server.dropped.get('unexpected-message')).toBe(1);
  });

  it(`ends the stream when the client is silent for CLIENT_SILENCE_TIMEOUT (${CLIENT_SILENCE_TIMEOUT} ms)`, () => {
    const f = new ServerFixture({ files: [BIG] });
    const s = f.play('movie.ts');
    const t0 = f.d.now;
    f.d.advance(CLIENT_SILENCE_TIMEOUT - 10);
    expect(f.server.streamCount()).toBe(1);
    f.d.advance(20);
    expect(f.server.streamCount()).toBe(0);
    expect(f.d.eventsOf('stream-end')).toMatchObject([{ sid: s.sid, reason: 'client-silent' }]);
    // It streamed until then (the window allows it), and sends nothing after.
    expect(dataOf(f.d.sent, s.sid).length).toBeGreaterThan(100);
    const mark = f.d.sent.length;
    f.d.advance(2000);
    expect(dataOf(f.d.sent.slice(mark))).toHaveLength(0);
    expect(f.d.sent.filter((x) => x.msg?.type === 'data').every((x) => x.at - t0 <= CLIENT_SILENCE_TIMEOUT)).toBe(true);
  });

  it(`forgets a set-up stream never played within SETUP_TIMEOUT (${SETUP_TIMEOUT} ms), freeing its capacity`, () => {
    const f = new ServerFixture({ cap: RATE });
    expect(ofType(f.request('movie.ts'), 'setup')).toHaveLength(1);
    expect(ofType(f.request('movie.ts'), 'error').map((e) => e.code)).toEqual(['no-capacity']);
    f.d.advance(SETUP_TIMEOUT + 300);
    expect(f.server.streamCount()).toBe(0);
    expect(f.d.eventsOf('stream-end')).toMatchObject([{ reason: 'setup-timeout' }]);
    expect(ofType(f.request('movie.ts'), 'setup')).toHaveLength(1);
  });

  it('a media read error ends the stream with `end` media-error', () => {
    const f = new ServerFixture({
      reader: {
        read: (_file, off, len) => {
          if (off >= 10 * DATA_CHUNK) throw new Error('disk on fire');
          return new Uint8Array(len);
        },
      },
    });
    const s = f.play('movie.ts');
    for (let i = 0; i < 10; i++) {
      f.d.advance(100);
      f.ack(s.sid, 0);
    }
    expect(ofType(f.d.sent, 'end')).toMatchObject([{ to: CLIENT, sid: s.sid, code: 'media-error' }]);
    expect(f.server.streamCount()).toBe(0);
    expect(dataOf(f.d.sent, s.sid)).toHaveLength(10);
  });

  it('counts a stream complete when the client acknowledges the last byte', () => {
    const size = 3 * DATA_CHUNK;
    const f = new ServerFixture({ files: [{ name: 'tiny.ts', size, rate: RATE }] });
    const s = f.play('tiny.ts');
    f.d.advance(50);
    f.ack(s.sid, size);
    expect(f.d.eventsOf('stream-complete')).toMatchObject([{ sid: s.sid, bytes: size }]);
    expect(f.server.stats.completed).toBe(1);
  });
});
