import { Args, Flags } from '@oclif/core';
import { runGet } from '../../src/runtime/get.js';
import type { LogLevel } from '../../src/runtime/output.js';
import { OfpCommand } from '../base.js';
import { json, jsonStream, logLevel, outputMode } from '../flags.js';

export default class ClientGetCommand extends OfpCommand {
  static override summary = 'Fetch a media file from a cluster: ask a master, stream from a server, write the bytes in order.';
  static override description = 'Progress goes to stderr. Exit status: 0 when the copy is complete, 1 when the stream failed (the partial copy is kept, in order), 2 for a usage error.';
  static override examples = [
    '<%= config.bin %> client get movie.ts --master 127.0.0.1:7700 --out movie.copy.ts',
    '<%= config.bin %> client get movie.ts --master 10.0.0.1:7700,10.0.0.2:7700 --mode list --choose fewest-users --out - | mpv -',
  ];

  static override args = {
    name: Args.string({ description: 'Name of the media file, as the servers list it.', required: true }),
  };

  static override flags = {
    master: Flags.string({ description: 'The master, HOST:PORT; several, comma-separated, are rotated.', required: true, env: 'OFP_CLIENT_MASTER' }),
    out: Flags.string({ description: 'Where to write the copy: a file, or - for stdout.', required: true, env: 'OFP_CLIENT_OUT' }),
    mode: Flags.string({ description: 'How to be answered: redirected to a server, the server\'s setup relayed by the master, or a list of servers to choose from (default: the master\'s mode).', options: ['redirect', 'relay', 'list'], env: 'OFP_CLIENT_MODE' }),
    choose: Flags.string({ description: 'With --mode list: how to choose a server: random, fewest-users or group:NAME.', default: 'random', env: 'OFP_CLIENT_CHOOSE' }),
    force: Flags.boolean({ description: 'Replace --out when it exists.', env: 'OFP_CLIENT_FORCE' }),
    timeout: Flags.string({ description: 'Give up when the copy is not complete after this long (seconds, or with a unit: 2m); 0: no limit.', default: '0', env: 'OFP_CLIENT_TIMEOUT' }),
    host: Flags.string({ description: 'Address to send from (default: loopback when the masters are on loopback, else any).', env: 'OFP_CLIENT_HOST' }),
    json: json('CLIENT'),
    'json-stream': jsonStream('CLIENT'),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ClientGetCommand);
    process.exitCode = await runGet({
      name: args.name,
      master: flags.master,
      out: flags.out,
      ...(flags.mode ? { mode: flags.mode } : {}),
      choose: flags.choose,
      force: flags.force,
      timeout: flags.timeout,
      ...(flags.host ? { host: flags.host } : {}),
      output: outputMode(flags),
      logLevel: flags['log-level'] as LogLevel,
    });
  }
}
