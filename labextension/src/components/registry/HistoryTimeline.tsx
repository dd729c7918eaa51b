import * as React from 'react';

import type { TransitionRecord } from '../../api';
import { formatFullTime, formatShortTime } from '../common/format';

const VERBS: Record<string, string> = {
  MODEL_REGISTERED: 'registered',
  MODEL_PROMOTION_REQUESTED: 'requested promotion of',
  MODEL_PROMOTED: 'moved',
  MODEL_PROMOTION_REJECTED: 'rejected promotion of',
  MODEL_ARCHIVED: 'archived',
  MODEL_CARD_EDITED: 'edited the card of'
};

/** The model's lifecycle events, newest first. */
export function HistoryTimeline(props: { history: readonly TransitionRecord[] }): JSX.Element {
  const records = [...props.history].reverse();
  if (records.length === 0) {
    return <p className="jp-matih-empty">No history yet.</p>;
  }
  return (
    <ol className="jp-matih-timeline" aria-label="History">
      {records.map(record => (
        <li
          key={record.event_id}
          className={`jp-matih-timeline-${record.type.toLowerCase().replace(/_/g, '-')}`}
        >
          <time title={formatFullTime(record.time * 1000)}>{formatShortTime(record.time * 1000)}</time>
          <span className="jp-matih-timeline-text">
            <strong>{record.user}</strong> {VERBS[record.type] ?? record.type}{' '}
            {record.version !== null && record.version !== undefined && `v${record.version}`}
            {record.from_stage && record.to_stage && (
              <span className="jp-matih-muted">
                {' '}
                {record.from_stage} → {record.to_stage}
              </span>
            )}
            {!record.from_stage && record.to_stage && (
              <span className="jp-matih-muted"> → {record.to_stage}</span>
            )}
            {record.comment && <q className="jp-matih-timeline-comment">{record.comment}</q>}
          </span>
        </li>
      ))}
    </ol>
  );
}
