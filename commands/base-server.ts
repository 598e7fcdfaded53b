import * as Flags from '@oclif/core/flags';
import { OfpCommand } from './base.js';
import { json, jsonStream, key, logLevel, outputMode } from './flags.js';
import { JOB_QUERY_AFTER, JOB_QUERY_ATTEMPTS, JOB_REPAIR_ATTEMPTS, JOB_RETRY_DELAY, JOB_STALL } from '../src/protocol/constants.js';

export default class BaseCommand extends OfpCommand {
  static override summary = 'Run a base server: content providers submit distribution jobs to it, and it cascades their files to the media servers.';
  static override description = 'It pulls each job\'s file from its provider (ofp job submit) into --store, and sends it on to the job\'s first targets, each of which passes verified blocks on to its share of the others as they arrive (§14). It hears every target\'s state, queries the late ones, repairs those that fail, and answers ofp job status and ofp job wait long after the provider has gone. It needs the cluster key: jobs move only within a keyed cluster. Runs until Ctrl-C or SIGTERM.';
  static override examples = ['OFP_KEY="$KEY" <%= config.bin %> base --store ./base-store', 'OFP_KEY="$KEY" <%= config.bin %> base --port 7900 --store /srv/ofp/base --rate 100M --fanout 8', 'OFP_KEY="$KEY" <%= config.bin %> base --store ./base-store --query-after 2s --repair-attempts 1 --stall-after 1s'];

  static override flags = {
    host: Flags.string({ description: 'Address to listen on.', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'UDP port to listen on; 0 picks a free one.', default: 7900, min: 0, max: 65535 }),
    name: Flags.string({ description: 'The address targets reach it at, IP[:PORT] (default: the address it listens on; without a port, the port it listens on).' }),
    store: Flags.string({ description: 'Directory for the files providers send and the record of each job (made if missing): started again on it, the base server takes its jobs back (§14.10).', default: 'ofp-base-store' }),
    rate: Flags.string({ description: 'Rate of each transfer when the job sets none, bits/s (default 50M).' }),
    fanout: Flags.integer({ description: 'Targets each node serves at once (default 4).', min: 1, max: 64 }),
    star: Flags.boolean({ description: 'Feed every target from here, --fanout at a time, none passing the file on: the baseline a cascade is measured against (npm run bench).' }),
    'query-after': Flags.string({ description: `Query a target that has not completed and that nothing was heard of for this long, and again each such wait after (seconds, or with a unit: 500ms, 2m; at least 100 ms). Default ${JOB_QUERY_AFTER / 1000}s.` }),
    'query-attempts': Flags.integer({ description: `Queries a target may leave unanswered before the base server repairs it (serves it itself). Default ${JOB_QUERY_ATTEMPTS}.`, min: 1, max: 100 }),
    'repair-attempts': Flags.integer({ description: `Repairs of one target before it is reported failed (0: fail it at once). Default ${JOB_REPAIR_ATTEMPTS}.`, min: 0, max: 100 }),
    'retry-delay': Flags.string({ description: `How long after a target failed it may be tried again, as ofp job status reports it (seconds, or with a unit). Default ${JOB_RETRY_DELAY / 1000}s.` }),
    'stall-after': Flags.string({ description: `A provider that sent nothing asked for this long has stalled; three stalls in a row fail the job (seconds, or with a unit; at least 200 ms). Default ${JOB_STALL / 1000}s.` }),
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
      ...(flags['query-after'] !== undefined ? { queryAfter: flags['query-after'] } : {}),
      ...(flags['query-attempts'] !== undefined ? { queryAttempts: flags['query-attempts'] } : {}),
      ...(flags['repair-attempts'] !== undefined ? { repairAttempts: flags['repair-attempts'] } : {}),
      ...(flags['retry-delay'] !== undefined ? { retryDelay: flags['retry-delay'] } : {}),
      ...(flags['stall-after'] !== undefined ? { stallAfter: flags['stall-after'] } : {}),
      ...(flags.key !== undefined ? { key: flags.key } : {}),
      output: outputMode(flags),
      logLevel: flags['log-level'],
    });
  }
}
