import { describe, expect, it } from 'vitest';
import { humanEvent, Output, sanitize } from '../../src/runtime/output.js';

function sink() {
  const lines: string[] = [];
  return { lines, write: (s: string) => lines.push(s) };
}

describe('Output', () => {
  it('writes one JSON object per line with --json-stream, without raw binary, and hides debug events', () => {
    const stdout = sink();
    const stderr = sink();
    const out = new Output({ mode: 'json-stream', logLevel: 'info', stdout, stderr });
    out.event({ type: 'listening', address: '127.0.0.1:7700' });
    out.event({ type: 'dropped', level: 'debug', code: 'oversize' });
    out.event({ type: 'setup', cookie: new Uint8Array(40).fill(0xab), nested: { b: new Uint8Array([1, 2]) } });
    expect(stderr.lines).toEqual([]);
    expect(stdout.lines).toHaveLength(2);
    const first = JSON.parse(stdout.lines[0]!);
    expect(first).toMatchObject({ event: 'listening', data: { address: '127.0.0.1:7700' } });
    expect(typeof first.t).toBe('number');
    const second = JSON.parse(stdout.lines[1]!);
    expect(second.data.cookie).toEqual({ bytes: 40, hex: 'ab'.repeat(16) + '…' });
    expect(second.data.nested.b).toEqual({ bytes: 2, hex: '0102' });
  });

  it('shows debug events with --log-level debug, as lines on stderr in human mode', () => {
    const stdout = sink();
    const stderr = sink();
    const out = new Output({ mode: 'human', logLevel: 'debug', stdout, stderr });
    out.event({ type: 'dropped', level: 'debug', code: 'oversize', from: '127.0.0.1:1' });
    expect(stdout.lines).toEqual([]);
    expect(stderr.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} dropped code=oversize from=127\.0\.0\.1:1\n$/);
  });

  it('prints the --json summary as one document on stdout', () => {
    const stdout = sink();
    const out = new Output({ mode: 'json', logLevel: 'info', stdout, stderr: sink() });
    out.result('not in json mode');
    out.summary({ ok: true, bytes: 5 });
    expect(stdout.lines).toHaveLength(1);
    expect(JSON.parse(stdout.lines[0]!)).toEqual({ ok: true, bytes: 5 });
  });

  it('summarises binary in human lines and sanitises odd values', () => {
    expect(humanEvent({ type: 'x', level: 'warn', data: new Uint8Array(3), text: 'two words' }, 0)).toBe('00:00:00.000 WARN x data=<3 bytes> text="two words"');
    expect(sanitize({ a: 1n, b: Infinity, c: undefined, m: new Map([[1, 'x']]) })).toEqual({ a: '1', b: 'Infinity', m: { 1: 'x' } });
  });
});
