/**
 * Every ofp command, by id (oclif's explicit strategy: no manifest, no
 * directory scan at start). Ids use `:`, typed with spaces: `ofp client get`.
 */
import ClientGetCommand from './client/get.js';
import DashboardCommand from './dashboard.js';
import DemoCommand from './demo.js';
import MasterCommand from './master.js';
import MasterHandoffCommand from './master/handoff.js';
import MasterStatusCommand from './master/status.js';
import MediaCheckCommand from './media/check.js';
import MediaMakeCommand from './media/make.js';
import ServerCommand from './server.js';
import ServerDrainCommand from './server/drain.js';
import ServerOverloadCommand from './server/overload.js';
import TestbedListCommand from './testbed/list.js';
import TestbedMatrixCommand from './testbed/matrix.js';
import TestbedRunCommand from './testbed/run.js';
import ToolFloodCommand from './tool/flood.js';

export const COMMANDS = {
  master: MasterCommand,
  'master:status': MasterStatusCommand,
  'master:handoff': MasterHandoffCommand,
  server: ServerCommand,
  'server:drain': ServerDrainCommand,
  'server:overload': ServerOverloadCommand,
  'client:get': ClientGetCommand,
  'media:make': MediaMakeCommand,
  'media:check': MediaCheckCommand,
  dashboard: DashboardCommand,
  demo: DemoCommand,
  'testbed:list': TestbedListCommand,
  'testbed:run': TestbedRunCommand,
  'testbed:matrix': TestbedMatrixCommand,
  'tool:flood': ToolFloodCommand,
};
