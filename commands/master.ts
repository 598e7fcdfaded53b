import { Flags } from '@oclif/core';
import { POLICIES } from '../src/roles/master/selection.js';
import { runMaster } from '../src/runtime/master.js';
import type { LogLevel } from '../src/runtime/output.js';
import { OfpCommand } from './base.js';
import { json, jsonStream, key, logLevel, outputMode, rateLimit } from './flags.js';

export default class MasterCommand extends OfpCommand {
  static override summary = 'Run a master: it registers servers, polls their load and sends each client to a server.';
  static override description = 'Runs until Ctrl-C or SIGTERM. Prints one line saying where it listens; events go to stderr (or stdout as JSON lines with --json-stream).';
  static override examples = ['<%= config.bin %> master', '<%= config.bin %> master --port 0 --policy round-robin --mode relay', 'OFP_KEY=secret <%= config.bin %> master --json-stream', 'OFP_KEY=secret <%= config.bin %> master --rate-limit on'];

  static override flags = {
    host: Flags.string({ description: 'Address to listen on.', default: '127.0.0.1', env: 'OFP_MASTER_HOST' }),
    port: Flags.integer({ description: 'UDP port to listen on; 0 picks a free one.', default: 7700, min: 0, max: 65535, env: 'OFP_MASTER_PORT' }),
    policy: Flags.string({ description: 'How to choose a server for a request.', options: [...POLICIES], default: 'greatest-available-bandwidth', env: 'OFP_MASTER_POLICY' }),
    mode: Flags.string({ description: 'How to answer a request that does not say: send the client to the server, or relay the server\'s setup.', options: ['redirect', 'relay'], default: 'redirect', env: 'OFP_MASTER_MODE' }),
    'poll-interval': Flags.string({ description: 'Time between two load polls of a server (ms, or with a unit: 2s).', default: '1000', env: 'OFP_MASTER_POLL_INTERVAL' }),
    interval: Flags.string({ description: 'Time between interval reports of what the master answered (s, or with a unit: 500ms); 0: none. Each request is logged at debug level.', default: '10', env: 'OFP_MASTER_INTERVAL' }),
    key,
    'rate-limit': rateLimit('MASTER'),
    json: json('MASTER'),
    'json-stream': jsonStream('MASTER'),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MasterCommand);
    process.exitCode = await runMaster({
      host: flags.host,
      port: flags.port,
      policy: flags.policy,
      mode: flags.mode,
      pollInterval: flags['poll-interval'],
      interval: flags.interval,
      ...(flags.key ? { key: flags.key } : {}),
      rateLimit: flags['rate-limit'],
      output: outputMode(flags),
      logLevel: flags['log-level'] as LogLevel,
    });
  }
}
