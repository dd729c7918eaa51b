import * as React from 'react';

import type { TrainingJobSummary } from '../../api';
import type { ICancelState } from '../../models/training';

/** How long "Confirm cancel?" waits for the second click before turning back into "Cancel". */
export const CONFIRM_MS = 4000;

export interface ICancelJobProps {
  job: TrainingJobSummary;
  state: ICancelState;
  onCancel: (jobId: string) => void;
}

/**
 * Cancel of a running job, in two clicks: "Cancel", then "Confirm cancel?" for a few seconds. Once asked (by
 * this panel or another), "Cancelling…" until the job's end arrives through the event stream.
 */
export function CancelJob(props: ICancelJobProps): JSX.Element | null {
  const { job, state, onCancel } = props;
  const [confirming, setConfirming] = React.useState(false);
  const running = job.status === 'RUNNING';

  React.useEffect(() => {
    if (!confirming) {
      return;
    }
    const timer = window.setTimeout(() => setConfirming(false), CONFIRM_MS);
    return () => window.clearTimeout(timer);
  }, [confirming]);

  let control: JSX.Element | null = null;
  if (running && (job.cancel_requested || state.asked)) {
    control = (
      <span className="jp-matih-cancelling" role="status" title="The kernel running the job is stopping it">
        Cancelling…
      </span>
    );
  } else if (running && confirming) {
    control = (
      <button
        type="button"
        className="jp-matih-button jp-matih-job-cancel-button jp-mod-reject"
        aria-label={`Confirm cancel of job ${job.job_id}`}
        onClick={() => {
          setConfirming(false);
          onCancel(job.job_id);
        }}
      >
        Confirm cancel?
      </button>
    );
  } else if (running) {
    control = (
      <button
        type="button"
        className="jp-matih-button jp-matih-job-cancel-button"
        aria-label={`Cancel job ${job.job_id}`}
        title="Stop every trial: the job and its runs end KILLED"
        onClick={() => setConfirming(true)}
      >
        Cancel
      </button>
    );
  }
  if (!control && !state.error) {
    return null;
  }
  return (
    <div className="jp-matih-job-cancel">
      {control}
      {state.error && (
        <div className="jp-matih-job-error" role="alert" title={state.error}>
          {state.error}
        </div>
      )}
    </div>
  );
}
