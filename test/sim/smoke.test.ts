import { describe, expect, it } from 'vitest';
import { expectedBytes, mediaFile, simCluster } from '../helpers/simCluster.js';

const lossy = { loss: 0.05, delay: 2, jitter: 3, duplicate: 0.01, reorder: 0.02 };

describe('smoke', () => {
  for (const mode of ['redirect', 'relay', 'list'] as const) {
    for (const key of [undefined, 'secret']) {
      for (const link of [undefined, lossy]) {
        it(`${mode} key=${key} loss=${link?.loss ?? 0}`, () => {
          for (let seed = 1; seed <= 5; seed++) {
            const c = simCluster({ seed, key, link, servers: [{ files: [mediaFile('a.ts', 300_000)] }, { files: [mediaFile('a.ts', 300_000)] }] });
            c.net.run({ until: c.net.now + 3000 });
            const cl = c.addClient('10.0.2.1:6000', { masters: ['10.0.0.1:4000'], file: 'a.ts', mode, choose: { by: 'random' } });
            c.net.run({ until: c.net.now + 60_000, done: () => cl.client.result !== undefined });
            if (!cl.client.result?.ok) for (const l of c.log.filter((x) => x.e.level !== 'debug')) console.log(l.at - 1_700_000_000_000, l.addr, JSON.stringify(l.e));
            expect(cl.client.result?.ok, `seed ${seed}`).toBe(true);
            expect(cl.wrong).toBe(0);
            expect(Buffer.compare(Buffer.from(cl.copy), Buffer.from(expectedBytes('a.ts', 300_000)))).toBe(0);
          }
        });
      }
    }
  }
});
