/** `ofp testbed list`: each bundled scenario's name and one-line description (and tags). */
import { bundledScenarios } from '../scenario/bundled.js';
import { loadScenario } from '../scenario/parse.js';
import { ScenarioError } from '../../src/errors.js';
import { EXIT, type Sink } from './printer.js';

export interface ListedScenario {
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly file: string;
  /** Set when the file does not parse: its first problem. */
  readonly invalid?: string;
}

export function listScenarios(): ListedScenario[] {
  return bundledScenarios().map(({ name, file }) => {
    try {
      const sc = loadScenario(file);
      return { name, description: sc.description, tags: sc.tags, file };
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      return { name, description: '', tags: [], file, invalid: e.message.split('\n')[0]! };
    }
  });
}

export function testbedList(o: { json: boolean; stdout?: Sink }): number {
  const out = o.stdout ?? process.stdout;
  const all = listScenarios();
  if (o.json) {
    out.write(JSON.stringify(all, null, 2) + '\n');
  } else {
    const width = Math.max(...all.map((s) => s.name.length));
    for (const s of all) {
      const tags = s.tags.length > 0 ? `  [${s.tags.join(', ')}]` : '';
      out.write(`${s.name.padEnd(width)}  ${s.invalid ? `INVALID: ${s.invalid}` : s.description}${tags}\n`);
    }
  }
  return all.some((s) => s.invalid) ? EXIT.usage : EXIT.pass;
}
