/** A scenario named on the command line (bundled NAME or FILE), parsed; or the lines that say why not. */
import { resolveScenario } from '../scenario/bundled.js';
import { loadScenario } from '../scenario/parse.js';
import type { Scenario } from '../scenario/types.js';
import { ScenarioError } from '../../src/errors.js';
import { errorLine } from './printer.js';

export type Loaded = { ok: true; scenario: Scenario } | { ok: false; lines: string[] };

export function loadTarget(target: string, scale = 1): Loaded {
  const where = resolveScenario(target);
  if (!where.ok) return { ok: false, lines: [errorLine('usage', where.why)] };
  try {
    return { ok: true, scenario: loadScenario(where.file, { scale }) };
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    const lines = e.problems.map((p) => errorLine(e.code, `${p.file}:${p.line}:${p.col}: ${p.message}`));
    lines.push(`${e.problems.length} problem(s) in ${where.file}: nothing was run (the scenario reference: testbed/README.md)`);
    return { ok: false, lines };
  }
}
