// The registry this project is built against serves the Linux builds of packages with
// per-platform binaries (esbuild, rollup, msgpackr-extract) but not the others, so npm
// records those optional dependencies without lockfile entries, and `npm ci` then refuses the
// lockfile as out of sync. This drops optional-dependency edges to packages the lockfile does
// not hold. It changes nothing when every edge resolves.
import { readFileSync, writeFileSync } from 'node:fs';

const path = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(path, 'utf8'));
const held = new Set(
  Object.keys(lock.packages)
    .filter((k) => k.includes('node_modules/'))
    .map((k) => k.slice(k.lastIndexOf('node_modules/') + 'node_modules/'.length)),
);
let dropped = 0;
for (const pkg of Object.values(lock.packages)) {
  if (!pkg.optionalDependencies) continue;
  for (const name of Object.keys(pkg.optionalDependencies)) {
    if (held.has(name)) continue;
    delete pkg.optionalDependencies[name];
    dropped++;
  }
}
if (dropped > 0) writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`lockfile: ${dropped} optional dependenc${dropped === 1 ? 'y' : 'ies'} without an entry dropped`);
