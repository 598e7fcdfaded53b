import * as Flags from '@oclif/core/flags';
import { OfpCommand } from './base.js';
import { JOB_STALL, VIEW_GOSSIP_INTERVAL, VIEW_GOSSIP_NODES } from '../src/protocol/constants.js';
import { DEFAULT_MASTER, insecure, json, jsonStream, key, logLevel, outputMode, rateLimit } from './flags.js';

export default class ServerCommand extends OfpCommand {
  static override summary = 'Run a media server: it registers the files of a directory with a master and streams them.';
  static override description = 'Every regular file of --media is served; its bitrate comes from a sidecar FILE.ofp.json ({"rate": 4000000}) or --default-rate. A manifest ITEM.ofp-item.json ({"flows": ["ITEM.video", "ITEM.audio"]}) makes one item of several flows out of files of the directory (ofp media make ITEM --flows …). Ctrl-C or SIGTERM drains the server: its streams move to other servers at the same position, then it tells the master it leaves and exits (at most 15 s); a second signal stops it at once. `ofp server drain` does the same through the master.';
  static override examples = ['<%= config.bin %> server --master 127.0.0.1:7700 --media ./media', '<%= config.bin %> server --master 10.0.0.1:7700 --media /srv/media --host 0.0.0.0 --name 10.0.0.5 --port 7701 --capacity 400M', '<%= config.bin %> server --master 127.0.0.1:7700 --media ./media --rate-limit 500/s:1000', 'OFP_KEY=… <%= config.bin %> server --media ./media --port 7801 --peers 127.0.0.1:7802'];

  static override flags = {
    master: Flags.string({ description: `Its master, HOST:PORT; in a group of masters, every master of the group, comma-separated: it registers with each, and one supervises it. Default ${DEFAULT_MASTER}; with --peers and no --master, the server has no master at all and serves in the servers' view alone.` }),
    media: Flags.string({ description: 'Directory of media files.', required: true }),
    host: Flags.string({ description: 'Address to listen on.', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'UDP port to listen on; 0 picks a free one.', default: 0, min: 0, max: 65535 }),
    name: Flags.string({ description: 'The address clients reach this server at, IP[:PORT] (default: the address it listens on; without a port, the port it listens on).' }),
    capacity: Flags.string({ description: 'Bandwidth this server may stream, bits/s (4M, 400M, 1G).', default: '1G' }),
    group: Flags.string({ description: 'Server group, which clients may choose by (--choose group:NAME).', default: 'default' }),
    location: Flags.string({ description: 'Where this server is (a site, a region): its masters\' nearest policy prefers it for clients there (--location on ofp client get).' }),
    cpus: Flags.string({ description: 'Its processor cores, told to its masters (ofp master status shows them).' }),
    memory: Flags.string({ description: 'Its memory, told to its masters: MiB, or 512M, 64G.' }),
    latency: Flags.string({ description: 'The latency expected to it (5ms): its masters\' nearest policy uses it until they have measured their own round trip to it.' }),
    facts: Flags.string({ description: 'A JSON file of the same facts, {"location": "par-1", "cpus": 16, "memory": "64G", "latency": "5ms"}; a flag wins over the file.' }),
    'default-rate': Flags.string({ description: 'Bitrate of files without a sidecar, bits/s.', default: '4M' }),
    'job-rate': Flags.string({ description: 'Rate of each distribution job transfer this server serves to another, bits/s (default 50M); jobs need --key (§14).' }),
    'job-upload': Flags.string({ description: 'Cap on the total rate this server uploads to job targets, over every transfer of every job at once, shared in turn, bits/s (default: --job-rate times --job-fanout).' }),
    'job-fanout': Flags.integer({ description: 'Job targets this server passes a file on to at once (default 4).', min: 1, max: 64 }),
    'job-stall': Flags.string({ description: `How long a job's source may send nothing asked for before this server tells the base server it stalled, and takes a faster source when offered one (seconds, or with a unit: 500ms; at least 200 ms). Default ${JOB_STALL / 1000}s.` }),
    'gossip-interval': Flags.string({ description: `With --key: how often the server gossips what must spread at once through the servers' view (a change of status, liveness), ms or 200ms (default ${VIEW_GOSSIP_INTERVAL}).` }),
    'gossip-nodes': Flags.integer({ description: `With --key: to how many peers, at random, each round of gossip goes (default ${VIEW_GOSSIP_NODES}).`, min: 1, max: 16 }),
    peers: Flags.string({ description: 'Other servers to join the servers\' view through, HOST:PORT, comma-separated (the masters name more): every server then knows every other and answers the server list (needs --key).', helpValue: 'HOST:PORT,…' }),
    key,
    insecure: insecure(),
    'rate-limit': rateLimit(),
    json: json(),
    'json-stream': jsonStream(),
    'log-level': logLevel,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServerCommand);
    const { runServer } = await import('../src/runtime/server.js');
    process.exitCode = await runServer({
      ...(flags.master !== undefined ? { master: flags.master } : {}),
      media: flags.media,
      host: flags.host,
      port: flags.port,
      ...(flags.name ? { name: flags.name } : {}),
      capacity: flags.capacity,
      group: flags.group,
      facts: {
        ...(flags.facts !== undefined ? { facts: flags.facts } : {}),
        ...(flags.location !== undefined ? { location: flags.location } : {}),
        ...(flags.cpus !== undefined ? { cpus: flags.cpus } : {}),
        ...(flags.memory !== undefined ? { memory: flags.memory } : {}),
        ...(flags.latency !== undefined ? { latency: flags.latency } : {}),
      },
      defaultRate: flags['default-rate'],
      ...(flags['job-rate'] !== undefined ? { jobRate: flags['job-rate'] } : {}),
      ...(flags['job-fanout'] !== undefined ? { jobFanout: flags['job-fanout'] } : {}),
      ...(flags['job-stall'] !== undefined ? { jobStall: flags['job-stall'] } : {}),
      ...(flags['job-upload'] !== undefined ? { jobUpload: flags['job-upload'] } : {}),
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      ...(flags.peers !== undefined ? { peers: flags.peers } : {}),
      ...(flags['gossip-interval'] !== undefined ? { gossipInterval: flags['gossip-interval'] } : {}),
      ...(flags['gossip-nodes'] !== undefined ? { gossipNodes: flags['gossip-nodes'] } : {}),
      insecure: flags.insecure,
      rateLimit: flags['rate-limit'],
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
