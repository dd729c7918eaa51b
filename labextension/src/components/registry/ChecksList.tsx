import * as React from 'react';

import type { CheckResult, MetricDelta } from '../../api';
import { classes, formatMetric } from '../common/format';

export interface IChecksListProps {
  checks: readonly CheckResult[];
  deltas?: readonly MetricDelta[];
  productionVersion?: number | null;
  label?: string;
}

/** Governance checks (rule, value, baseline, pass/fail) and metric deltas against Production. */
export function ChecksList(props: IChecksListProps): JSX.Element {
  const { checks, productionVersion, label = 'Governance checks' } = props;
  const deltas = (props.deltas ?? []).filter(d => d.delta !== null);
  return (
    <div className="jp-matih-checks">
      {checks.length === 0 ? (
        <p className="jp-matih-note">No thresholds apply to this transition.</p>
      ) : (
        <table className="jp-matih-compare-table" aria-label={label}>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Value</th>
              <th scope="col">Baseline</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {checks.map((check, i) => (
              <tr
                key={`${check.metric}-${check.op}-${i}`}
                className={classes(check.passed ? 'jp-mod-passed' : 'jp-mod-failed')}
              >
                <th scope="row" title={check.message}>
                  {check.metric} {check.op.replace(/_/g, ' ')} {formatMetric(check.threshold)}
                </th>
                <td className="jp-matih-number">{formatMetric(check.value, false) || 'missing'}</td>
                <td className="jp-matih-number">{formatMetric(check.baseline, false)}</td>
                <td>
                  <span className={check.passed ? 'jp-matih-check-pass' : 'jp-matih-check-fail'}>
                    {check.passed ? '✓ pass' : check.blocking === false ? '✗ fail (evidence only)' : '✗ fail'}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {deltas.length > 0 && (
        <p className="jp-matih-note">
          Against Production v{productionVersion}:{' '}
          {deltas
            .map(d => `${d.metric} ${(d.delta ?? 0) >= 0 ? '+' : ''}${formatMetric(d.delta)}`)
            .join(', ')}
        </p>
      )}
    </div>
  );
}
