import * as React from 'react';

import type { TrainingJobSummary } from '../../api';
import type { ICancelState } from '../../models/training';
import { formatDuration, formatFullTime, formatMetric, formatShortTime } from '../common/format';
import { CancelJob } from './CancelJob';

export interface IJobRowProps {
  job: TrainingJobSummary;
  /** Seconds since the epoch, ticking while jobs run (elapsed time of running jobs). */
  now: number;
  onOpenRuns: (experimentId: string) => void;
  /** Where a cancel asked from this panel stands. */
  cancel: ICancelState;
  onCancel: (jobId: string) => void;
}

/**
 * One training job: experiment (a link to its runs) with a Cancel button while it runs (under the name: the
 * side panel is narrow), status, trials progress, best value so far, elapsed and start time.
 */
export function JobRow(props: IJobRowProps): JSX.Element {
  const { job, now, onOpenRuns, cancel, onCancel } = props;
  const status = job.status.toLowerCase();
  const elapsed = (job.ended ?? now) - job.started;
  const name = job.experiment || job.experiment_id;
  return (
    <tr className={`jp-matih-job jp-matih-job-${status}`} data-job-id={job.job_id}>
      <th scope="row" title={`job ${job.job_id} · parent run ${job.parent_run_id} · ${job.user}`}>
        <button
          type="button"
          className="jp-matih-link-button jp-matih-job-name"
          aria-label={`Open the runs of ${name}`}
          onClick={() => onOpenRuns(job.experiment_id)}
        >
          {name}
        </button>
        <span className="jp-matih-job-id">{job.job_id}</span>
        {job.error && job.status !== 'FINISHED' && (
          <div className="jp-matih-job-error" title={job.error}>
            {job.error}
          </div>
        )}
        <CancelJob job={job} state={cancel} onCancel={onCancel} />
      </th>
      <td>
        <span className={`jp-matih-status jp-matih-status-${status}`}>{job.status}</span>
      </td>
      <td>
        <TrialProgress job={job} />
      </td>
      <td className="jp-matih-number" title={job.best_run_id ? `best run ${job.best_run_id}` : undefined}>
        <BestValue job={job} />
      </td>
      <td className="jp-matih-number">{formatDuration(elapsed)}</td>
      <td title={formatFullTime(job.started * 1000)}>{formatShortTime(job.started * 1000)}</td>
    </tr>
  );
}

function TrialProgress(props: { job: TrainingJobSummary }): JSX.Element {
  const { job } = props;
  const total = Math.max(job.trials_total, 1);
  const done = Math.min(job.trials_done, total);
  const text = `${job.trials_done}/${job.trials_total}`;
  return (
    <div className="jp-matih-trials">
      <div
        className="jp-matih-progress"
        role="progressbar"
        aria-label={`Trials of job ${job.job_id}`}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-valuetext={`${text} trials done`}
      >
        <span className="jp-matih-progress-bar" style={{ width: `${(100 * done) / total}%` }} />
      </div>
      <span className="jp-matih-trials-text">
        {text}
        {job.trials_running > 0 && <span className="jp-matih-muted"> · {job.trials_running} running</span>}
        {job.trials_failed > 0 && (
          <span className="jp-matih-trials-failed"> · {job.trials_failed} failed</span>
        )}
      </span>
    </div>
  );
}

function BestValue(props: { job: TrainingJobSummary }): JSX.Element {
  const { job } = props;
  if (!job.metric) {
    return <span className="jp-matih-muted">no metric</span>;
  }
  if (job.best_value === null || job.best_value === undefined) {
    return <span className="jp-matih-muted">{job.metric}: –</span>;
  }
  return (
    <span>
      <span className="jp-matih-muted">
        {job.metric} {job.mode === 'min' ? '↓' : '↑'}{' '}
      </span>
      {formatMetric(job.best_value)}
    </span>
  );
}
