/** Every error a user can cause is one line, `error <code>: …`, and exit status 2. */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanupProcesses, runOfp, tempDir } from '../helpers/processes.js';

cleanupProcesses();
const dir = tempDir();

describe('usage errors', () => {
  it('exit 2 with one line naming what was wrong', async () => {
    writeFileSync(join(dir, 'exists.ts'), 'saved by the user');
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
  });
});
