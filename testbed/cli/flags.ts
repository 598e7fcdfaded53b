/**
 * What the testbed's commands name in their flags (commands/testbed/): the
 * defaults `--help` shows, without loading the scenario parser, the
 * simulator or the real runner.
 */
export { DEFAULT_TRACE_CAP } from '../sim/traceRecorder.js';
