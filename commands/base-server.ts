import * as Flags from '@oclif/core/flags';
import { OfpCommand } from './base.js';
import { json, jsonStream, key, logLevel, outputMode } from './flags.js';

export default class BaseCommand extends OfpCommand {
  static override summary = 'Run a base server: content providers submit distribution jobs to it, and it cascades their files to the media servers.';
  static override description = 'It pulls each job\'s file from its provider (ofp job submit) into --store, and sends it on to the job\'s first targets, each of which passes verified blocks on to its share of the others as they arrive (§14). It hears every target\'s state, queries the late ones, repairs those that fail, and answers ofp job status and ofp job wait long after the provider has gone. It needs the cluster key: jobs move only within a keyed cluster. Runs until Ctrl-C or SIGTERM.';
  static override examples = ['OFP_KEY="$KEY" <%= config.bin %> base --store ./base-store', 'OFP_KEY="$KEY" <%= config.bin %> base --port 7900 --store /srv/ofp/base --rate 100M --fanout 8'];

  static override flags = {
    host: Flags.string({ description: 'Address to listen on.', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'UDP port to listen on; 0 picks a free one.', default: 7900, min: 0, max: 65535 }),
    name: Flags.string({ description: 'The address targets reach it at, IP[:PORT] (default: the address it listens on; without a port, the port it listens on).' }),
    store: Flags.string({ description: 'Directory for the files providers send (made if missing).', default: 'ofp-base-store' }),
    rate: Flags.string({ description: 'Rate of each transfer when the job sets none, bits/s (default 50M).' }),
    fanout: Flags.integer({ description: 'Targets each node serves at once (default 4).', min: 1, max: 64 }),
    star: Flags.boolean({ description: 'Feed every target from here, --fanout at a time, none passing the file on: the baseline a cascade is measured against (npm run bench).' }),
    key,
    json: json(),
    'json-stream': jsonStream(),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(BaseCommand);
    const { runBase } = await import('../src/runtime/base.js');
    process.exitCode = await runBase({
      host: flags.host,
      port: flags.port,
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      store: flags.store,
      ...(flags.rate !== undefined ? { rate: flags.rate } : {}),
      ...(flags.fanout !== undefined ? { fanout: flags.fanout } : {}),
      ...(flags.star ? { star: true } : {}),
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
