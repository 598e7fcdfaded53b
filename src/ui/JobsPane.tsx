/** The jobs pane (`ofp dashboard --base`): a base server's jobs, each with its targets as the cascade's tree; not focusable. */
import { Line } from './Line.js';
import type { JobsView } from '../view/model.js';
import { Pane } from './Pane.js';
import { jobsPaneLines } from './jobRow.js';

export interface JobsPaneProps {
  readonly jobs: JobsView;
  /** Lines below the title. */
  readonly rows: number;
  readonly width: number;
}

export function JobsPane({ jobs, rows, width }: JobsPaneProps) {
  const lines = jobsPaneLines(jobs);
  const shown = lines.slice(0, Math.max(0, rows));
  const state = jobs.reachability === 'unreachable' ? '  UNREACHABLE' : '';
  const info = `${jobs.base}  ${jobs.jobs.length} job${jobs.jobs.length === 1 ? '' : 's'}${shown.length < lines.length ? `  ${shown.length} of ${lines.length} lines` : ''}${state}`;
  return (
    <Pane title="Jobs" info={info} focused={false} width={width}>
      {shown.map((segments, i) => <Line key={i} segments={segments} width={width} />)}
    </Pane>
  );
}
