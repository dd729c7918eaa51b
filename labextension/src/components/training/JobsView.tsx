import * as React from 'react';

import type { JobsModel } from '../../models/training';
import { useSignal } from '../common/useSignal';
import { JobRow } from './JobRow';

export interface IJobsViewProps {
  model: JobsModel;
  onOpenRuns: (experimentId: string) => void;
}

/** Seconds since the epoch, re-rendering every second while `ticking` (no server call). */
function useNow(ticking: boolean): number {
  const [now, setNow] = React.useState(() => Date.now() / 1000);
  React.useEffect(() => {
    setNow(Date.now() / 1000);
    if (!ticking) {
      return;
    }
    const timer = window.setInterval(() => setNow(Date.now() / 1000), 1000);
    return () => window.clearInterval(timer);
  }, [ticking]);
  return now;
}

/** Training jobs, running and ended, updated from the event stream; running ones can be cancelled. */
export function JobsView(props: IJobsViewProps): JSX.Element {
  const { model, onOpenRuns } = props;
  useSignal(model.jobsChanged);
  const jobs = model.jobs;
  const running = model.running.length;
  const now = useNow(running > 0);

  return (
    <section className="jp-matih-jobs-view" aria-label="Training jobs">
      <p className="jp-matih-note" role="status" aria-live="polite">
        {!model.loaded ? 'Loading training jobs…' : `${running} running · ${jobs.length - running} ended`}
      </p>
      {model.error && (
        <div className="jp-matih-error" role="alert">
          {model.error}
        </div>
      )}
      {model.loaded && jobs.length === 0 && !model.error ? (
        <p className="jp-matih-empty">
          No training jobs yet: run a cell with <code>%%matih train</code> and it shows here live.
        </p>
      ) : (
        jobs.length > 0 && (
          <div className="jp-matih-table-scroll">
            <table
              className="jp-matih-runs jp-matih-jobs"
              aria-label="Training jobs"
              aria-busy={model.loading}
            >
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Status</th>
                  <th scope="col">Trials</th>
                  <th scope="col" className="jp-matih-col-metric">
                    Best
                  </th>
                  <th scope="col" className="jp-matih-col-metric">
                    Elapsed
                  </th>
                  <th scope="col">Started</th>
                </tr>
              </thead>
              <tbody>
                {jobs.map(job => (
                  <JobRow
                    key={job.job_id}
                    job={job}
                    now={now}
                    onOpenRuns={onOpenRuns}
                    cancel={model.cancelState(job.job_id)}
                    onCancel={jobId => void model.cancel(jobId)}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )
      )}
    </section>
  );
}
