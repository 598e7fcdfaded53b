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
      [['client', 'get', '--out', join(dir, 'x')], 'usage'],
      [['client', 'get', 'A.ts', '--out', join(dir, 'no-such-dir', 'x')], 'cannot-write'],
      [['mastr'], 'unknown-command'],
      [['client', 'gett', 'A.ts'], 'unknown-command'],
      [['master', '--polcy', 'random'], 'usage'],
      [['master', '--poll-interval', '0'], 'bad-duration'],
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
      [['demo', '--masters', '3', '--portal-policy', 'nope'], 'usage'],
      [['master', '--host', '192.0.2.1', '--port', '0', '--insecure'], 'cannot-bind'],
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
      // The cluster key (§9.1) and a role open beyond loopback (§9.6).
      [['master', '--port', '0', '--key', ''], 'bad-key'],
      [['master', '--port', '0', '--key', 'short'], 'bad-key'],
      [['server', '--master', '127.0.0.1:7700', '--media', dir, '--key', 'fifteen-bytes!!'], 'bad-key'],
      [['master', 'status', '--master', '127.0.0.1:7700', '--key', 'x'], 'bad-key'],
      [['server', 'drain', '--master', '127.0.0.1:7700', '--server', '127.0.0.1:7701', '--key', 'x'], 'bad-key'],
      [['master', '--host', '0.0.0.0', '--port', '0'], 'insecure'],
      // A group of masters (§12.1).
      [['master', '--port', '0', '--peers', 'nonsense'], 'bad-address'],
      [['master', '--host', '0.0.0.0', '--port', '0', '--insecure', '--peers', '127.0.0.1:7701'], 'usage'],
      [['server', '--master', '127.0.0.1:7700', '--media', dir, '--host', '0.0.0.0', '--name', '127.0.0.1'], 'insecure'],
    ];
    const results = await Promise.all(cases.map(([args]) => runOfp(args, { timeoutMs: 20_000 })));
    results.forEach((r, i) => {
      const [args, code] = cases[i]!;
      const what = `ofp ${args.join(' ')}`;
      expect(r.code, `${what}: ${r.stderr}`).toBe(2);
      expect(r.stderr, what).toMatch(new RegExp(`^error ${code}: [^\\n]+\\n$`));
      expect(r.stdout, what).toBe('');
    });
    const at = (args: string[]) => results[cases.findIndex(([a]) => a === args)]!.stderr;
    expect(at(cases.find(([a]) => a.includes(join(dir, 'exists.ts')))![0])).toMatch(/--force/);
    expect(at(cases.find(([a]) => a.includes('10s:2x,5s:1x'))![0])).toMatch(/increasing order/);
    expect(at(cases[0]![0])).toMatch(/^error usage: Missing 1 required arg: name: [^;]+; see ofp client get --help\n$/);
    expect(at(cases.find(([a]) => a.some((x) => x.includes('no-such-dir')))![0])).toMatch(/no-such-dir does not exist/);
    expect(at(cases.find(([a]) => a[0] === 'mastr')![0])).toMatch(/did you mean ofp master\?/);
    expect(at(cases.find(([a]) => a[1] === 'gett')![0])).toMatch(/did you mean ofp client get\?/);
    expect(at(cases.find(([a]) => a.includes('--polcy'))![0])).toMatch(/did you mean --policy\?/);
    expect(at(cases.find(([a]) => a.includes('--poll-interval'))![0])).toMatch(/is too short: give at least 10 ms/);
    expect(at(cases.find(([a]) => a.includes('0s:17x'))![0])).toMatch(/0\.001x to 16x/);
    expect(at(cases.find(([a]) => a.includes(badItem))![0])).toMatch(/show\.audio.* is not a media file/);
    expect(at(cases.find(([a]) => a.includes('short'))![0])).toMatch(/is 5 bytes: give at least 16/);
    expect(at(cases.find(([a]) => a[0] === 'master' && a.includes('0.0.0.0'))![0])).toMatch(/--insecure/);
  });

  it('an empty OFP_KEY is an error, not "no key"; a keyless role on loopback warns once, and a keyed one does not', async () => {
    const empty = await runOfp(['master', '--port', '0'], { env: { OFP_KEY: '' } });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^error bad-key: OFP_KEY is set but empty[^\n]+\n$/);
    for (const [env, warned] of [[{}, true], [{ OFP_KEY: 'a cluster key of some length' }, false]] as const) {
      // Stopped once it says it listens, however long a busy machine takes to start it.
      const r = await runOfp(['master', '--port', '0', '--interval', '0'], { env, stopWhen: /listening on/, timeoutMs: 20_000 });
      expect(r.stdout, JSON.stringify(env)).toMatch(/^ofp master listening on 127\.0\.0\.1:\d+/);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('warning: no cluster key')), JSON.stringify(env)).toHaveLength(warned ? 1 : 0);
    }
  });
});
