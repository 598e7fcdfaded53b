/**
 * Codec throughput, in process: ofp's `encode` and `decode` (which check
 * every field against the message's schema, and the structure of the bytes
 * before msgpackr reads them) against msgpackr's bare `pack` and `unpack` of
 * the same values with the same options, measured alternately in the same
 * run. The ratio is what the checks cost: 1 would be "as fast as msgpackr".
 */
import { Packr } from 'msgpackr';
import { decode, encode, PACKR_OPTIONS } from '../src/protocol/codec.js';
import { DATA_CHUNK, PROTOCOL_VERSION } from '../src/protocol/constants.js';
import { MESSAGES, type Message } from '../src/protocol/messages.js';
import { padded } from '../src/protocol/padding.js';
import { median } from './stats.js';

export interface CodecSettings {
  /** Length of one timed loop, ms. */
  readonly loopMs: number;
  /** Alternating rounds (ofp, raw) per operation; the median ratio is the figure. */
  readonly rounds: number;
}

export interface CodecOp {
  /** `decode data`, `encode request`, … */
  readonly name: string;
  readonly bytes: number;
  readonly ofpPerSecond: number;
  readonly rawPerSecond: number;
  /** ofp ÷ raw, the median over the rounds. */
  readonly ratio: number;
}

export interface CodecResults {
  readonly settings: CodecSettings;
  readonly ops: readonly CodecOp[];
  /** The lowest ratio over the operations. */
  readonly worstRatio: number;
  /** Operations per second of decoding the stream's data packets, the hottest path of a client. */
  readonly dataDecodePerSecond: number;
}

/** The codec's own options, so the baseline does the same encoding work. */
const raw = new Packr(PACKR_OPTIONS);

/** The messages measured: the stream's data (most datagrams), a padded request (the master's load) and a load report. */
function samples(): { name: string; msg: Message }[] {
  const payload = new Uint8Array(DATA_CHUNK);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
  return [
    { name: 'data', msg: { type: 'data', sid: 123_456, seq: 98_765, off: 12_345_678, data: payload } },
    { name: 'request', msg: padded({ type: 'request', rid: 0x1000_0000, file: 'movies/feature-film.mp4', mode: 'redirect' }) },
    { name: 'load', msg: { type: 'load', name: '127.0.0.1:40000', epoch: 3, cookie: new Uint8Array(8).fill(7), seq: 1234, streams: 40, bw: 160_000_000, sent: 158_000_000, cap: 1_000_000_000, sids: Array.from({ length: 40 }, (_, i) => i + 1), at: 1_700_000_000_000 } },
  ];
}

/** Calls of `f` per second over about `ms`; the clock is read every 256 calls. */
function perSecond(f: () => unknown, ms: number): number {
  let n = 0;
  let sink = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 256; i++) {
      if (f() !== undefined) sink++;
    }
    n += 256;
    t = performance.now();
  }
  if (sink < 0) throw new Error('unreachable');
  return (n * 1000) / (t - t0);
}

function measureOp(name: string, bytes: number, ofp: () => unknown, bare: () => unknown, s: CodecSettings): CodecOp {
  // A short warm-up of both, so the JIT has compiled them before anything is timed.
  perSecond(ofp, Math.min(100, s.loopMs));
  perSecond(bare, Math.min(100, s.loopMs));
  const ofpRates: number[] = [];
  const rawRates: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < s.rounds; r++) {
    const a = perSecond(ofp, s.loopMs);
    const b = perSecond(bare, s.loopMs);
    ofpRates.push(a);
    rawRates.push(b);
    ratios.push(a / b);
  }
  return { name, bytes, ofpPerSecond: median(ofpRates), rawPerSecond: median(rawRates), ratio: median(ratios) };
}

export function benchCodec(s: CodecSettings, progress: (line: string) => void): CodecResults {
  const ops: CodecOp[] = [];
  for (const { name, msg } of samples()) {
    const bytes = encode(msg);
    const check = decode(bytes);
    if (!check.ok) throw new Error(`the ${name} sample does not decode: ${check.code} ${check.detail}`);
    // The same value msgpackr alone would write: [version, code, body].
    const { type, ...body } = msg as Message & Record<string, unknown>;
    const value = [PROTOCOL_VERSION, MESSAGES[type].code, body];
    const rawBytes = raw.pack(value);
    ops.push(measureOp(`encode ${name}`, bytes.length, () => encode(msg), () => raw.pack(value), s));
    ops.push(measureOp(`decode ${name}`, bytes.length, () => decode(bytes), () => raw.unpack(rawBytes), s));
    const last = ops.slice(-2);
    progress(`codec ${name} (${bytes.length} B): ${last.map((o) => `${o.name.split(' ')[0]} ${Math.round(o.ofpPerSecond)}/s = ${o.ratio.toFixed(2)}× msgpackr`).join(', ')}`);
  }
  const dataDecode = ops.find((o) => o.name === 'decode data')!;
  return { settings: s, ops, worstRatio: Math.min(...ops.map((o) => o.ratio)), dataDecodePerSecond: dataDecode.ofpPerSecond };
}
