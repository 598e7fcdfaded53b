/**
 * The soak's clients: waves of `ofp client get` processes, each fetching a
 * random file in a random mode; every copy is checked against its original
 * (identical, or a clean error: exit 1 with the bytes so far kept in order).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Rng } from '../../src/protocol/rng.js';
import type { OfpChild } from '../../src/runtime/children.js';
import type { ProcessScope } from '../helpers/processes.js';
import { within } from '../helpers/wait.js';

export const MODES = ['redirect', 'relay', 'list'] as const;

export interface ClientOutcome {
  readonly wave: number;
  readonly file: string;
  readonly mode: string;
  /** identical: the whole file, byte for byte; clean-error: exit 1, the bytes so far kept in order; failure: anything else. */
  readonly verdict: 'identical' | 'clean-error' | 'failure';
  readonly handoffs: number;
  readonly code?: string;
  readonly detail?: string;
  readonly seconds?: number;
}

/** A client that takes longer than this is stuck: the files stream in a few seconds, --timeout is 60 s. */
const CLIENT_BOUND = 90_000;

export class Waves {
  readonly outcomes: ClientOutcome[] = [];

  constructor(
    private readonly p: ProcessScope,
    private readonly master: () => string,
    private readonly originals: ReadonlyMap<string, Buffer>,
    private readonly outDir: string,
    private readonly rng: Rng,
  ) {}

  private waves = 0;

  /** `lanes` of waves side by side, each wave `size` clients, one wave after the other in a lane, until `deadline`. */
  async run(deadline: number, size: number, lanes: number): Promise<void> {
    await Promise.all(Array.from({ length: lanes }, () => this.lane(deadline, size)));
  }

  /** Waves one after the other until `deadline` (bounded by it and by a count). */
  private async lane(deadline: number, size: number): Promise<void> {
    const files = [...this.originals.keys()];
    for (let n = 0; n < 10_000 && Date.now() < deadline; n++) {
      const wave = this.waves++;
      const clients = Array.from({ length: size }, (_, i) => {
        const file = files[this.rng.below(files.length)]!;
        const mode = MODES[this.rng.below(MODES.length)]!;
        const out = join(this.outDir, `w${wave}-c${i}-${file}`);
        const child = this.p.ofp(`soak client w${wave}.${i}`, ['client', 'get', file, '--master', this.master(), '--mode', mode, '--out', out, '--json-stream', '--timeout', '60']);
        return { file, mode, out, child };
      });
      const results = await Promise.all(clients.map((c) => this.judge(wave, c.file, c.mode, c.out, c.child)));
      this.outcomes.push(...results);
    }
  }

  private async judge(wave: number, file: string, mode: string, out: string, child: OfpChild): Promise<ClientOutcome> {
    const base = { wave, file, mode };
    let exit;
    try {
      exit = await within(child.exited, CLIENT_BOUND, `${child.name} to finish`);
    } catch (e) {
      child.kill('SIGKILL');
      return { ...base, verdict: 'failure', handoffs: 0, detail: (e as Error).message };
    }
    const summary = child.events.find((e) => e.event === 'summary')?.data;
    const handoffs = Array.isArray(summary?.handoffs) ? summary.handoffs.length : 0;
    const original = this.originals.get(file)!;
    let copy: Buffer | undefined;
    try {
      copy = readFileSync(out);
    } catch {
      copy = undefined;
    }
    rmSync(out, { force: true });
    const seconds = typeof summary?.seconds === 'number' ? summary.seconds : undefined;
    if (exit.code === 0) {
      if (summary?.ok === true && copy?.equals(original)) return { ...base, verdict: 'identical', handoffs, ...(seconds !== undefined ? { seconds } : {}) };
      return { ...base, verdict: 'failure', handoffs, detail: `exit 0 but the copy is ${copy ? `${copy.length} bytes and differs` : 'missing'}` };
    }
    if (exit.code === 1 && summary?.ok === false) {
      const kept = copy ?? Buffer.alloc(0);
      const inOrder = kept.length === summary.bytes && kept.equals(original.subarray(0, kept.length));
      const code = /^error (\S+):/m.exec(child.stderr)?.[1] ?? String(summary.code ?? 'unknown');
      if (inOrder) return { ...base, verdict: 'clean-error', handoffs, code };
      return { ...base, verdict: 'failure', handoffs, code, detail: `exit 1 with ${kept.length} bytes kept (summary: ${summary.bytes}), not the original's first bytes` };
    }
    return { ...base, verdict: 'failure', handoffs, detail: `exit ${exit.code} (${exit.signal}): ${child.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  }
}
