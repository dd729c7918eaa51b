import * as React from 'react';

import type { FeaturesModel } from '../../models/features';
import { formatCount, formatFullTime } from '../common/format';
import { formatValue } from './format';

/** The newest rows of the view's offline source, as the server answered them. */
export function SampleRows(props: { model: FeaturesModel; view: string }): JSX.Element {
  const { model, view } = props;
  const sample = model.sample;
  return (
    <>
      <h4 className="jp-matih-section-title">
        Newest rows
        {sample !== null && (
          <span className="jp-matih-section-subtitle">
            {' '}
            · {sample.rows.length} of {formatCount(sample.row_count)}
          </span>
        )}
      </h4>
      {model.sampleError !== null && (
        <div className="jp-matih-error" role="alert">
          {model.sampleError}
        </div>
      )}
      {sample === null && model.sampleError === null && <p className="jp-matih-note">Reading the rows…</p>}
      {sample !== null && (
        <div className="jp-matih-table-scroll">
          <table className="jp-matih-runs jp-matih-feature-rows" aria-label={`Sample rows of ${view}`}>
            <thead>
              <tr>
                {sample.columns.map(c => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {sample.rows.map((row, i) => (
                <tr key={i}>
                  {sample.columns.map(c => (
                    <td key={c}>{formatCell(row[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** Timestamps come as ISO strings: shown in local time; anything else as its value. */
function formatCell(value: unknown): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? value : formatFullTime(ms);
  }
  return formatValue(value);
}
