import * as React from 'react';

import type { FeaturesModel } from '../../models/features';
import { classes } from '../common/format';

/** "Materialize" (every online view, up to now), the running job's progress, and how it ended. */
export function MaterializeControls(props: { model: FeaturesModel }): JSX.Element {
  const { model } = props;
  const job = model.job;
  const running = model.materializing;
  const percent = job ? Math.round(job.progress * 100) : 0;
  const message = model.message;
  return (
    <div className="jp-matih-materialize">
      {job !== null && running && (
        <span className="jp-matih-materialize-progress">
          <span
            className="jp-matih-progress"
            role="progressbar"
            aria-label="Materialization progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
          >
            <span className="jp-matih-progress-bar" style={{ width: `${percent}%` }} />
          </span>
          <span className="jp-matih-note">
            {job.done?.length ?? 0}/{job.views.length}
            {job.current ? ` · ${job.current}` : ''}
          </span>
        </span>
      )}
      {message && !running && (
        <span
          className={classes(
            'jp-matih-materialize-outcome',
            message.kind === 'error' ? 'jp-matih-error' : 'jp-matih-success'
          )}
          role={message.kind === 'error' ? 'alert' : 'status'}
        >
          {message.text}
        </span>
      )}
      <button
        type="button"
        className="jp-mod-styled jp-matih-button jp-mod-accept"
        title="Materialize every online view into the online store, from its last materialization up to now"
        disabled={running || model.busy}
        onClick={() => void model.materialize()}
      >
        {running ? 'Materializing…' : 'Materialize'}
      </button>
    </div>
  );
}
