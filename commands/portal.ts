import * as Flags from '@oclif/core/flags';
import { PORTAL_POLICIES } from '../src/roles/portal/policies.js';
import { OfpCommand } from './base.js';
import { json, jsonStream, key, logLevel, outputMode } from './flags.js';

export default class PortalCommand extends OfpCommand {
  static override summary = 'Run a portal: the clients\' first point of contact in front of a group of masters; it hands each request to one of them.';
  static override description = 'It polls each master (liveness, round trip, load) and picks one per request by --policy: round-robin over the masters given, priority (the first that answers, in the order given), resources (the most bandwidth left on the servers it supervises), least-loaded (fewest streams and requests), nearest (the shortest round trip it measures). With --mode refer the client is told the master and asks it; with --mode forward the portal passes the request on and the master answers the client directly (this needs the cluster key). It keeps no state per request or stream. Clients use it with ofp client get --portal. Runs until Ctrl-C or SIGTERM.';
  static override examples = ['<%= config.bin %> portal --masters 127.0.0.1:7700,127.0.0.1:7701,127.0.0.1:7702', 'OFP_KEY="$KEY" <%= config.bin %> portal --port 7600 --masters 10.0.0.1:7700,10.0.0.2:7700 --policy least-loaded --mode forward'];

  static override flags = {
    host: Flags.string({ description: 'Address to listen on.', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'UDP port to listen on; 0 picks a free one.', default: 7600, min: 0, max: 65535 }),
    masters: Flags.string({ description: 'The masters, HOST:PORT[,HOST:PORT…], in priority order.', required: true }),
    policy: Flags.string({ description: 'How to choose the master for a request.', options: [...PORTAL_POLICIES], default: 'round-robin' }),
    mode: Flags.string({ description: 'refer: tell the client which master to ask; forward: pass the request on (needs the cluster key).', options: ['refer', 'forward'], default: 'refer' }),
    'poll-interval': Flags.string({ description: 'Time between two polls of each master (ms, or with a unit: 1s).', default: '250' }),
    key,
    json: json(),
    'json-stream': jsonStream(),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(PortalCommand);
    const { runPortal } = await import('../src/runtime/portal.js');
    process.exitCode = await runPortal({
      host: flags.host,
      port: flags.port,
      masters: flags.masters,
      policy: flags.policy,
      mode: flags.mode,
      pollInterval: flags['poll-interval'],
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
