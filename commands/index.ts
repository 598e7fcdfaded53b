/**
 * Every ofp command, by id (oclif's explicit strategy: no manifest, no
 * directory scan at start). Ids use `:`, typed with spaces: `ofp client get`.
 */
import ClientGetCommand from './client/get.js';
import DemoCommand from './demo.js';
import MasterCommand from './master.js';
import MasterStatusCommand from './master/status.js';
import MediaCheckCommand from './media/check.js';
import MediaMakeCommand from './media/make.js';
import ServerCommand from './server.js';

export const COMMANDS = {
  master: MasterCommand,
  'master:status': MasterStatusCommand,
  server: ServerCommand,
  'client:get': ClientGetCommand,
  'media:make': MediaMakeCommand,
  'media:check': MediaCheckCommand,
  demo: DemoCommand,
};
