import * as React from 'react';

import type { DriftReport } from '../../api';
import type { MonitoringModel } from '../../models/monitoring';
import { formatCount, formatFullTime, formatMetric } from '../common/format';
import { DriftChart, DriftHistoryChart } from './DriftCharts';

/**
 * The selected endpoint: "Check now" and its outcome, the drift of the window per feature (chart and table,
 * drifted features first), and the drift of its past checks.
 */
export function EndpointDetail(props: { model: MonitoringModel; name: string }): JSX.Element {
  const { model, name } = props;
  const drift = model.drift;
  const message = model.message;
  return (
    <section className="jp-matih-section jp-matih-monitoring-detail" aria-label={`Drift of ${name}`}>
      <div className="jp-matih-section-head">
        <h3 className="jp-matih-section-title">{name}</h3>
        <button
          type="button"
          className="jp-mod-styled jp-matih-button jp-mod-accept"
          aria-label={`Check ${name} now`}
          title="Apply the model's alert rules to the endpoint's last window now"
          disabled={model.checking}
          onClick={() => void model.checkNow()}
        >
          {model.checking ? 'Checking…' : 'Check now'}
        </button>
      </div>
      {message &&
        (message.kind === 'error' ? (
          <div className="jp-matih-error" role="alert">
            {message.text}
          </div>
        ) : (
          <p className="jp-matih-success jp-matih-check-outcome" role="status">
            {message.text}
          </p>
        ))}
      {model.driftError !== null && (
        <div className="jp-matih-error jp-matih-drift-error" role="alert">
          {model.driftError}
        </div>
      )}
      {model.driftLoading && drift === null && <p className="jp-matih-note">Computing the drift…</p>}
      {drift !== null && <DriftSummary report={drift} />}
      {drift !== null && <DriftChart report={drift} />}
      {drift !== null && <FeatureTable report={drift} />}
      <h4 className="jp-matih-section-title">History</h4>
      {model.history.length === 0 ? (
        <p className="jp-matih-empty">
          No checks yet: use Check now, or wait for the server&apos;s next scheduled check.
        </p>
      ) : (
        <DriftHistoryChart name={name} points={model.history} />
      )}
    </section>
  );
}

function DriftSummary(props: { report: DriftReport }): JSX.Element {
  const { report } = props;
  const { drift } = report;
  const prediction = report.prediction;
  return (
    <p className="jp-matih-note jp-matih-drift-summary">
      v{report.version} · {formatCount(report.requests)} requests ({formatCount(drift.current_rows)} rows)
      against {formatCount(drift.reference_rows)} reference rows ·{' '}
      <strong>
        {drift.drifted_features} of {drift.features.length} features drifted (
        {Math.round(drift.drifted_share * 100)}%)
      </strong>
      {drift.dataset_drift ? ' · dataset drift' : ''}
      {prediction ? ` · predictions ${prediction.drifted ? 'drifted' : 'stable'}` : ''} · computed{' '}
      {formatFullTime(report.checked_at * 1000)}
    </p>
  );
}

/** The same numbers as the chart, as text: drifted features first, as the server orders them. */
function FeatureTable(props: { report: DriftReport }): JSX.Element {
  const { report } = props;
  return (
    <div className="jp-matih-table-scroll">
      <table className="jp-matih-runs jp-matih-drift-features" aria-label="Feature drift">
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">Drift</th>
            <th scope="col">Method</th>
            <th scope="col" className="jp-matih-col-metric">
              Score
            </th>
            <th scope="col" className="jp-matih-col-metric">
              Threshold
            </th>
          </tr>
        </thead>
        <tbody>
          {report.drift.features.map(f => (
            <tr key={f.feature} data-feature={f.feature} className={f.drifted ? 'jp-mod-drifted' : undefined}>
              <th scope="row">{f.feature}</th>
              <td>{f.drifted ? <span className="jp-matih-drifted-mark">drifted</span> : 'stable'}</td>
              <td>{f.method}</td>
              <td className="jp-matih-number">{formatMetric(f.score)}</td>
              <td className="jp-matih-number">{formatMetric(f.threshold)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
