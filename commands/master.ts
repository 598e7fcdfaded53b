import * as Flags from '@oclif/core/flags';
import { POLICIES } from '../src/roles/master/selection.js';
import { OfpCommand } from './base.js';
import { insecure, json, jsonStream, key, logLevel, outputMode, rateLimit } from './flags.js';

export default class MasterCommand extends OfpCommand {
  static override summary = 'Run a master: it registers servers, polls their load and sends each client to a server.';
  static override description = 'Runs until Ctrl-C or SIGTERM. Prints one line saying where it listens; events go to stderr (or stdout as JSON lines with --json-stream).';
  static override examples = ['<%= config.bin %> master', '<%= config.bin %> master --port 0 --policy round-robin --mode relay', 'OFP_KEY="$(openssl rand -hex 16)" <%= config.bin %> master --json-stream', 'OFP_KEY="$KEY" <%= config.bin %> master --host 0.0.0.0 --rate-limit on'];

  static override flags = {
    host: Flags.string({ description: 'Address to listen on.', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'UDP port to listen on; 0 picks a free one.', default: 7700, min: 0, max: 65535 }),
    policy: Flags.string({ description: 'How to choose a server for a request: greatest-available-bandwidth, round-robin, least-streams, random, weighted, or nearest (a server in the client\'s --location first, then the shortest round trip the master measures).', options: [...POLICIES], default: 'greatest-available-bandwidth', helpValue: 'NAME' }),
    mode: Flags.string({ description: 'How to answer a request that does not say: send the client to the server, or relay the server\'s setup.', options: ['redirect', 'relay'], default: 'redirect' }),
    'poll-interval': Flags.string({ description: 'Time between two load polls of a server (ms, or with a unit: 2s).', default: '1000' }),
    peers: Flags.string({ description: 'Other masters of its group, HOST:PORT[,HOST:PORT…]: it joins them and watches them fail (SWIM). Without a cluster key, only these are members.' }),
    name: Flags.string({ description: 'With --peers: the address the other masters and the servers reach this master at, HOST:PORT (default: the one it listens on; behind a relay or NAT, the outside one).' }),
    interval: Flags.string({ description: 'Time between interval reports of what the master answered (s, or with a unit: 500ms); 0: none. Each request is logged at debug level.', default: '10' }),
    key,
    insecure: insecure(),
    'rate-limit': rateLimit(),
    json: json(),
    'json-stream': jsonStream(),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MasterCommand);
    const { runMaster } = await import('../src/runtime/master.js');
    process.exitCode = await runMaster({
      host: flags.host,
      port: flags.port,
      policy: flags.policy,
      mode: flags.mode,
      pollInterval: flags['poll-interval'],
      interval: flags.interval,
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      insecure: flags.insecure,
      rateLimit: flags['rate-limit'],
      ...(flags.peers !== undefined ? { peers: flags.peers } : {}),
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
