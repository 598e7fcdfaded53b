import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { OfpCommand } from '../base.js';
import { DEFAULT_MASTER, json, jsonStream, logLevel, outputMode } from '../flags.js';

export default class ClientGetCommand extends OfpCommand {
  static override summary = 'Fetch a media item from a cluster: ask a master, stream from a server, write the bytes in order.';
  static override description = 'Progress goes to stderr. When the stream moves to another server (a failure, a drain, an overload, an operator), the copy carries on from the same position; the summary lists every handoff with its gap. An item of several flows (a video and an audio track) is written as one file per flow into the directory --out. Exit status: 0 when the copy is complete, 1 when the stream failed (the partial copy is kept, in order), 2 for a usage error.';
  static override examples = [
    '<%= config.bin %> client get movie.ts --master 127.0.0.1:7700 --out movie.copy.ts',
    '<%= config.bin %> client get movie.ts --master 10.0.0.1:7700,10.0.0.2:7700 --mode list --choose fewest-users --out - | mpv -',
    '<%= config.bin %> client get movie.ts --master 127.0.0.1:7700 --out movie.copy.ts --rate-schedule "0s:1x,10s:2x,20s:0.5x"',
    '<%= config.bin %> client get concert --master 127.0.0.1:7700 --out ./concert.copy',
    '<%= config.bin %> client get movie.ts --mode list --servers 127.0.0.1:7801,127.0.0.1:7802 --out movie.copy.ts',
  ];

  static override args = {
    name: Args.string({ description: 'Name of the media file, as the servers list it.', required: true }),
  };

  static override flags = {
    master: Flags.string({ description: `The master, HOST:PORT; several, comma-separated, are rotated. Default ${DEFAULT_MASTER}; in list mode with --servers and no --master, the client asks the servers straight away.` }),
    portal: Flags.string({ description: 'Ask a portal instead (ofp portal), HOST:PORT; several, comma-separated, are rotated. It names the master, or passes the request on to it.' }),
    out: Flags.string({ description: 'Where to write the copy: a file, or - for stdout (into it when it is a directory). For an item of several flows: a directory (created if missing) that gets one file per flow, named after the flow.', required: true }),
    mode: Flags.string({ description: 'How to be answered: redirected to a server, the server\'s setup relayed by the master, or a list of servers to choose from (default: the master\'s mode).', options: ['redirect', 'relay', 'list'] }),
    choose: Flags.string({ description: 'With --mode list: how to choose a server: random, fewest-users or group:NAME.', default: 'random' }),
    force: Flags.boolean({ description: 'Replace --out (or the flow files in it) when it exists.' }),
    timeout: Flags.string({ description: 'Give up when the copy is not complete after this long (seconds, or with a unit: 2m); 0: no limit.', default: '0' }),
    location: Flags.string({ description: 'Where this client is (a site, a region), told to the master: its nearest policy prefers servers there (ofp server --location).' }),
    servers: Flags.string({ description: 'With --mode list: servers to ask for the list when no master answers, HOST:PORT, comma-separated (any server of a keyed cluster answers from its view of the others); the servers of the last list are asked too.', helpValue: 'HOST:PORT,…' }),
    echo: Flags.boolean({ description: 'Let the master time its round trip to this client: the client echoes each answer with one small datagram. The nearest policy then prefers the servers nearest this client\'s network, not the master.' }),
    'rate-schedule': Flags.string({ description: 'Change the transmission rate while the stream plays: TIME:SCALE steps, TIME after the stream starts playing, SCALE a multiple of the media rate (2x, 1.5x, 0.5x; up to 16x). Example: "0s:1x,10s:2x,20s:0.5x".' }),
    host: Flags.string({ description: 'Address to send from (default: loopback when the masters are on loopback, else any).' }),
    json: json(),
    'json-stream': jsonStream(),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ClientGetCommand);
    const { runGet } = await import('../../src/runtime/get.js');
    process.exitCode = await runGet({
      name: args.name,
      ...(flags.master !== undefined ? { master: flags.master } : {}),
      ...(flags.portal !== undefined ? { portal: flags.portal } : {}),
      out: flags.out,
      ...(flags.mode ? { mode: flags.mode } : {}),
      choose: flags.choose,
      force: flags.force,
      timeout: flags.timeout,
      ...(flags['rate-schedule'] !== undefined ? { rateSchedule: flags['rate-schedule'] } : {}),
      ...(flags.location !== undefined ? { location: flags.location } : {}),
      ...(flags.echo ? { echo: true } : {}),
      ...(flags.servers !== undefined ? { servers: flags.servers } : {}),
      ...(flags.host ? { host: flags.host } : {}),
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
