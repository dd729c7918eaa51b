import * as React from 'react';

import type { ModelStage, ModelVersionInfo } from '../../api';
import type { RegistryModel } from '../../models/registry';
import { ChecksList } from './ChecksList';

const STAGES: ModelStage[] = ['Staging', 'Production', 'Archived', 'Development'];

/** What the button that asks for `stage` reads, from a version in `current`. */
function actionLabel(current: ModelStage, stage: ModelStage): string {
  switch (stage) {
    case 'Production':
      return current === 'Archived' ? 'Roll back to Production' : 'Request Production';
    case 'Staging':
      return 'Promote to Staging';
    case 'Archived':
      return 'Archive';
    default:
      return 'Back to Development';
  }
}

/**
 * Moving the selected version: pick a stage, see the checks the server says it faces, give a reason, confirm.
 * Which moves are allowed is the server's answer (`allowed`, `problem`), not a rule kept here.
 */
export function TransitionControls(props: { model: RegistryModel; version: ModelVersionInfo }): JSX.Element {
  const { model, version } = props;
  const [reason, setReason] = React.useState('');
  const preview = model.preview?.version === version.version ? model.preview : null;
  const report = preview?.report ?? null;

  return (
    <div className="jp-matih-transition" role="group" aria-label={`Move version ${version.version}`}>
      <div className="jp-matih-toolbar">
        {STAGES.filter(stage => stage !== version.stage).map(stage => (
          <button
            key={stage}
            type="button"
            className="jp-mod-styled jp-matih-button"
            aria-pressed={preview?.stage === stage}
            disabled={model.busy}
            onClick={() => void model.previewTransition(stage)}
          >
            {actionLabel(version.stage, stage)}
          </button>
        ))}
      </div>
      {preview && (
        <div className="jp-matih-preview" aria-label={`Checks for ${preview.stage}`} role="region">
          {preview.error && (
            <div className="jp-matih-error" role="alert">
              {preview.error}
            </div>
          )}
          {!report && !preview.error && <p className="jp-matih-note">Checking…</p>}
          {report && (
            <>
              <ChecksList
                checks={report.checks ?? []}
                deltas={report.metric_deltas}
                productionVersion={report.production_version}
              />
              {report.problem ? (
                <div className="jp-matih-error" role="alert">
                  {report.problem}
                </div>
              ) : (
                <p className="jp-matih-note" role="status">
                  {report.approval_required
                    ? `Allowed: a request goes to an owner or lead for approval.`
                    : `Allowed: the stage changes at once.`}
                </p>
              )}
              <label className="jp-matih-field">
                Reason
                <textarea
                  className="jp-mod-styled jp-matih-textarea"
                  rows={2}
                  value={reason}
                  placeholder="Why this move (kept in the history)"
                  onChange={event => setReason(event.target.value)}
                />
              </label>
              <div className="jp-matih-toolbar">
                <button
                  type="button"
                  className="jp-mod-styled jp-mod-accept jp-matih-button"
                  disabled={!report.allowed || model.busy}
                  onClick={() => {
                    void model.confirmTransition(reason.trim());
                    setReason('');
                  }}
                >
                  {report.approval_required ? 'Send for approval' : `Move to ${preview.stage}`}
                </button>
                <button
                  type="button"
                  className="jp-mod-styled jp-matih-link-button"
                  onClick={() => model.cancelPreview()}
                >
                  Cancel
                </button>
              </div>
            </>
          )}
        </div>
      )}
    </div>
  );
}
