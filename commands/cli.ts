/**
 * The `ofp` command line, as one bundle (`dist/ofp.cjs`, built by
 * bin/bundle.mjs): oclif and every command's class, flags and help, so that
 * `ofp --version` and `ofp COMMAND --help` need nothing else. What a command
 * runs (a role, the dashboard, the testbed) is a dynamic import inside its
 * `run()`: a command loads only what it runs.
 *
 * package.json points oclif here (explicit strategy: the COMMANDS map, and the
 * `notFound` hook); bin/run.js loads the bundle and calls `main`.
 */
import { execute } from '@oclif/core/execute';
import { settings } from '@oclif/core/settings';
import BaseCommand from './base-server.js';
import ClientGetCommand from './client/get.js';
import DashboardCommand from './dashboard.js';
import DemoCommand from './demo.js';
import MasterCommand from './master.js';
import MasterHandoffCommand from './master/handoff.js';
import MasterStatusCommand from './master/status.js';
import MasterSuperviseCommand from './master/supervise.js';
import JobAddCommand from './job/add.js';
import JobListCommand from './job/list.js';
import JobStatusCommand from './job/status.js';
import JobSubmitCommand from './job/submit.js';
import JobWaitCommand from './job/wait.js';
import MediaCheckCommand from './media/check.js';
import MediaMakeCommand from './media/make.js';
import PortalCommand from './portal.js';
import ServerCommand from './server.js';
import ServerDrainCommand from './server/drain.js';
import ServerOverloadCommand from './server/overload.js';
import TestbedListCommand from './testbed/list.js';
import TestbedMatrixCommand from './testbed/matrix.js';
import TestbedRunCommand from './testbed/run.js';
import ToolFloodCommand from './tool/flood.js';
import { setUiImporter } from '../src/runtime/dashboard/loadUi.js';

export { default as notFound } from './hooks/notFound.js';
export { setUiImporter };
export { onStarted } from '../src/runtime/started.js';

// The runtime shows the dashboard's view without importing it (src/ui/ is its sibling): the
// command line hands it over. bin/run.js replaces this importer with its own (dist/ui.mjs).
setUiImporter(() => import('../src/ui/run.js'));

/** Every ofp command, by id. Ids use `:`, typed with spaces: `ofp client get`. */
export const COMMANDS = {
  master: MasterCommand,
  'master:status': MasterStatusCommand,
  'master:handoff': MasterHandoffCommand,
  'master:supervise': MasterSuperviseCommand,
  portal: PortalCommand,
  server: ServerCommand,
  'server:drain': ServerDrainCommand,
  'server:overload': ServerOverloadCommand,
  'client:get': ClientGetCommand,
  base: BaseCommand,
  'job:submit': JobSubmitCommand,
  'job:status': JobStatusCommand,
  'job:list': JobListCommand,
  'job:add': JobAddCommand,
  'job:wait': JobWaitCommand,
  'media:make': MediaMakeCommand,
  'media:check': MediaCheckCommand,
  dashboard: DashboardCommand,
  demo: DemoCommand,
  'testbed:list': TestbedListCommand,
  'testbed:matrix': TestbedMatrixCommand,
  'testbed:run': TestbedRunCommand,
  'tool:flood': ToolFloodCommand,
};

/**
 * Every flag can be set from the environment, as `OFP_<COMMAND>_<FLAG>`: the command as typed and
 * the flag, upper case, `_` for spaces and dashes (`ofp client get --rate-schedule`:
 * `OFP_CLIENT_GET_RATE_SCHEDULE`). The cluster key and the log level are the whole cluster's:
 * `OFP_KEY`, `OFP_LOG_LEVEL`. Named here, once, so that no command can name one otherwise.
 */
export function envName(id: string, flag: string): string {
  if (flag === 'key') return 'OFP_KEY';
  if (flag === 'log-level') return 'OFP_LOG_LEVEL';
  return `OFP_${id.split(':').join('_')}_${flag}`.replace(/-/g, '_').toUpperCase();
}

for (const [id, command] of Object.entries(COMMANDS)) {
  const flags = command.flags as Record<string, { env?: string }>;
  // Each command's own copy: a flag object may be shared by several commands.
  for (const [name, flag] of Object.entries(flags)) flags[name] = { ...flag, env: envName(id, name) };
}

/** Run `ofp` with the arguments of this process; `root` is any path inside the package. */
export async function main(root: string): Promise<void> {
  // The commands are this bundle, already compiled. Left to itself, oclif looks for TypeScript
  // sources to run instead whenever NODE_ENV is "development" or "test" (reading tsconfig.json and
  // probing the source tree), which tripled the CPU a command takes to start.
  settings.enableAutoTranspile = false;
  await execute({ dir: root });
}
