import * as React from 'react';

import type { PromotionRequest } from '../../api';
import type { RegistryModel } from '../../models/registry';
import { formatFullTime, formatShortTime } from '../common/format';
import { ChecksList } from './ChecksList';

/** Promotion requests the current user may decide: evidence, a comment, Approve / Reject. */
export function ApprovalsList(props: { model: RegistryModel }): JSX.Element | null {
  const { model } = props;
  if (model.approvals.length === 0) {
    return null;
  }
  return (
    <section className="jp-matih-approvals" aria-label="Pending approvals">
      <h3 className="jp-matih-section-title">Pending approvals ({model.approvals.length})</h3>
      <ul className="jp-matih-approval-list">
        {model.approvals.map(request => (
          <ApprovalItem key={request.id} model={model} request={request} />
        ))}
      </ul>
    </section>
  );
}

function ApprovalItem(props: { model: RegistryModel; request: PromotionRequest }): JSX.Element {
  const { model, request } = props;
  const [comment, setComment] = React.useState('');
  const label = `${request.model} v${request.version}`;
  return (
    <li className="jp-matih-approval" aria-label={`Promotion of ${label}`} data-request-id={request.id}>
      <div>
        <strong>{label}</strong>: {request.from_stage} → {request.target_stage}, requested by{' '}
        <strong>{request.requested_by}</strong>{' '}
        <time title={formatFullTime(request.requested_at * 1000)}>
          {formatShortTime(request.requested_at * 1000)}
        </time>
        {request.reason && <q className="jp-matih-timeline-comment">{request.reason}</q>}
      </div>
      <ChecksList
        checks={request.evidence.checks ?? []}
        deltas={request.evidence.metric_deltas}
        productionVersion={request.evidence.production_version}
        label={`Checks of ${label}`}
      />
      <label className="jp-matih-field">
        Comment
        <input
          className="jp-mod-styled jp-matih-input"
          value={comment}
          placeholder="Why you approve or reject (kept in the history)"
          onChange={event => setComment(event.target.value)}
        />
      </label>
      <div className="jp-matih-toolbar">
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept jp-matih-button"
          disabled={model.busy}
          onClick={() => void model.decide(request, 'approve', comment.trim())}
        >
          Approve
        </button>
        <button
          type="button"
          className="jp-mod-styled jp-matih-button jp-mod-reject"
          disabled={model.busy}
          onClick={() => void model.decide(request, 'reject', comment.trim())}
        >
          Reject
        </button>
      </div>
    </li>
  );
}
