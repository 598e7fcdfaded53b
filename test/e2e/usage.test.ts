/** Every error a user can cause is one line, `error <code>: …`, and exit status 2. */
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanupProcesses, runOfp, tempDir } from '../helpers/processes.js';

cleanupProcesses();
const dir = tempDir();

describe('usage errors', () => {
  it('exit 2 with one line naming what was wrong', async () => {
    writeFileSync(join(dir, 'exists.ts'), 'saved by the user');
    const badItem = join(dir, 'bad-item');
    mkdirSync(badItem);
    writeFileSync(join(badItem, 'show.video'), 'x');
    writeFileSync(join(badItem, 'show.ofp-item.json'), JSON.stringify({ flows: ['show.video', 'show.audio'] }));
    const get = ['client', 'get', 'A.ts', '--master', '127.0.0.1:7700', '--out', join(dir, 'x')];
    const cases: [string[], string][] = [
      [['client', 'get', 'A.ts', '--out', join(dir, 'x')], 'usage'],
      [['client', 'get', 'A.ts', '--master', '127.0.0.1', '--out', join(dir, 'x')], 'bad-address'],
      [['client', 'get', 'A.ts', '--master', '127.0.0.1:7700', '--out', join(dir, 'x'), '--mode', 'sideways'], 'usage'],
      [['client', 'get', 'A.ts', '--master', '127.0.0.1:7700', '--out', join(dir, 'x'), '--choose', 'best'], 'usage'],
      [['client', 'get', 'A.ts', '--master', '127.0.0.1:7700', '--out', join(dir, 'exists.ts')], 'file-exists'],
      [['client', 'get', 'A.ts', '--master', '127.0.0.1:7700', '--out', '-', '--json'], 'usage'],
      [['media', 'make', 'X.ts', '--bitrate', '4Q', '--out', dir], 'bad-rate'],
      [['media', 'make', 'X.ts', '--duration', 'soon', '--out', dir], 'bad-duration'],
      [['media', 'check', join(dir, 'missing.ts')], 'bad-media'],
      [['server', '--master', '127.0.0.1:7700', '--media', join(dir, 'nope')], 'bad-media'],
      [['server', '--master', '127.0.0.1:7700', '--media', dir, '--host', '0.0.0.0'], 'usage'],
      [['server', '--master', '127.0.0.1:7700', '--media', dir, '--capacity', 'lots'], 'bad-rate'],
      [['master', '--port', '99999'], 'usage'],
      [['master', '--policy', 'cheapest'], 'usage'],
      [['master', '--host', '192.0.2.1', '--port', '0'], 'cannot-bind'],
      [['nosuch'], 'unknown-command'],
      // Handoffs and the rate schedule.
      [[...get, '--rate-schedule', 'soon:2x'], 'usage'],
      [[...get, '--rate-schedule', '0s:fast'], 'usage'],
      [[...get, '--rate-schedule', '0s:0x'], 'usage'],
      [[...get, '--rate-schedule', '0s:17x'], 'usage'],
      [[...get, '--rate-schedule', '10s:2x,5s:1x'], 'usage'],
      [[...get, '--rate-schedule', '0s:1x,,5s:2x'], 'usage'],
      [['server', 'drain', '--master', '127.0.0.1:7700'], 'usage'],
      [['server', 'drain', '--master', '127.0.0.1:7700', '--server', 'nonsense'], 'bad-address'],
      [['server', 'overload', '--master', '127.0.0.1:7700', '--server', '127.0.0.1:7701'], 'usage'],
      [['server', 'overload', '--master', '127.0.0.1:7700', '--server', '127.0.0.1:7701', '--capacity', 'lots'], 'bad-rate'],
      [['master', 'handoff', '--master', '127.0.0.1:7700', '--stream', 'abc'], 'usage'],
      [['master', 'handoff', '--master', '127.0.0.1:7700', '--stream', '0'], 'usage'],
      [['master', 'handoff', '--master', '127.0.0.1:7700', '--stream', '7', '--to', 'elsewhere'], 'bad-address'],
      [['media', 'make', 'X', '--flows', 'video', '--out', dir], 'usage'],
      [['media', 'make', 'X', '--flows', 'video:4M', '--out', dir], 'usage'],
      [['media', 'make', 'X', '--flows', 'video:4M,video:1M', '--out', dir], 'usage'],
      [['media', 'make', 'X', '--flows', 'video:4Q,audio:1M', '--out', dir], 'bad-rate'],
      [['media', 'make', 'X', '--flows', 'video:4M,audio:128k', '--bitrate', '4M', '--out', dir], 'usage'],
      [['server', '--master', '127.0.0.1:7700', '--media', badItem], 'bad-manifest'],
    ];
    const results = await Promise.all(cases.map(([args]) => runOfp(args, { timeoutMs: 20_000 })));
    results.forEach((r, i) => {
      const [args, code] = cases[i]!;
      const what = `ofp ${args.join(' ')}`;
      expect(r.code, `${what}: ${r.stderr}`).toBe(2);
      expect(r.stderr, what).toMatch(new RegExp(`^error ${code}: [^\\n]+\\n$`));
      expect(r.stdout, what).toBe('');
    });
    expect(results[4]!.stderr).toMatch(/--force/);
    const at = (args: string[]) => results[cases.findIndex(([a]) => a === args)]!.stderr;
    expect(at(cases.find(([a]) => a.includes('10s:2x,5s:1x'))![0])).toMatch(/increasing order/);
    expect(at(cases.find(([a]) => a.includes('0s:17x'))![0])).toMatch(/0\.001x to 16x/);
    expect(at(cases.find(([a]) => a.includes(badItem))![0])).toMatch(/show\.audio.* is not a media file/);
  });
});
