import * as React from 'react';

import type { ViewConsistency } from '../../api';
import { formatFullTime } from '../common/format';
import { formatValue } from './format';

/** The view's last online/offline check: consistent, skipped (and why), or its mismatches. */
export function ConsistencyResult(props: { check: ViewConsistency }): JSX.Element {
  const { check } = props;
  const mismatches = check.mismatches ?? [];
  const asOf = check.as_of === null ? '' : ` as of ${formatFullTime(check.as_of * 1000)}`;
  return (
    <div className="jp-matih-consistency" role="region" aria-label={`Consistency of ${check.view}`}>
      {check.skipped ? (
        <p className="jp-matih-note" role="status">
          Not checked: {check.skipped}.
        </p>
      ) : check.consistent ? (
        <p className="jp-matih-success" role="status">
          Consistent: {check.compared} values of {check.entities} entities, online equal to offline{asOf}.
        </p>
      ) : (
        <>
          <p className="jp-matih-error" role="status">
            {mismatches.length} of {check.compared} values of {check.entities} entities differ online from
            offline{asOf}.
          </p>
          <div className="jp-matih-table-scroll">
            <table className="jp-matih-runs" aria-label="Mismatches">
              <thead>
                <tr>
                  <th scope="col">Entity</th>
                  <th scope="col">Feature</th>
                  <th scope="col">Online</th>
                  <th scope="col">Offline</th>
                </tr>
              </thead>
              <tbody>
                {mismatches.map((m, i) => (
                  <tr key={i}>
                    <td>
                      {Object.entries(m.entity)
                        .map(([k, v]) => `${k}=${formatValue(v)}`)
                        .join(', ')}
                    </td>
                    <th scope="row">{m.feature}</th>
                    <td>{formatValue(m.online)}</td>
                    <td>{formatValue(m.offline)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
