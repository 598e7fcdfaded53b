/**
 * Run the dashboard rendering benchmark on its own:
 *   npx tsx bench/dashboard-cli.ts [--servers 1000] [--sessions 10000] [--frames 200]
 * (or `node dist/bench/dashboard-cli.js …` after `npm run build`). Prints one JSON document.
 */
import { parseArgs } from 'node:util';
import { benchDashboard } from './dashboard.js';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '1000' },
    sessions: { type: 'string', default: '10000' },
    frames: { type: 'string', default: '200' },
  },
});

function count(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`dashboard bench: --${name} must be a whole number, got ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return n;
}

const o = { servers: count('servers', values.servers), sessions: count('sessions', values.sessions), frames: Math.max(1, count('frames', values.frames)) };
const results = await benchDashboard(o);
process.stdout.write(JSON.stringify({ ...o, ...results }, null, 2) + '\n');
