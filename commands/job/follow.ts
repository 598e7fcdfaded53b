/** What `ofp job status` and `ofp job wait` share: the job's id, the base server, and how they run. */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { json, jsonStream, key, logLevel, outputMode } from '../flags.js';

export const followArgs = {
  job: Args.string({ description: 'The job id (ofp job submit prints it).', required: true }),
};

export const followFlags = {
  base: Flags.string({ description: 'The base server, HOST:PORT.', default: '127.0.0.1:7900' }),
  key,
  json: json(),
  'json-stream': jsonStream(),
  'log-level': logLevel,
};

type Parsed = { args: { job: string }; flags: { base: string; key?: string | undefined; json?: boolean; 'json-stream'?: boolean; 'log-level': string } };

/** Read the job once (`status`) or until it ends (`wait`); the exit code. */
export async function runFollow({ args, flags }: Parsed, follow: boolean): Promise<number> {
  const { runJobFollow } = await import('../../src/runtime/job.js');
  return runJobFollow({
    job: args.job,
    base: flags.base,
    ...(flags.key !== undefined ? { key: flags.key } : {}),
    output: outputMode(flags),
    logLevel: flags['log-level'] as Parameters<typeof runJobFollow>[0]['logLevel'],
  }, follow);
}
