import * as React from 'react';

import type { DriftReport } from '../../api';
import type { MonitoringModel } from '../../models/monitoring';
import { classes, formatCount, formatFullTime, formatMetric } from '../common/format';
import { DriftChart, DriftHistoryChart } from './DriftCharts';
import { DistributionChart, FeatureScoreChart, HealthChart } from './FeatureCharts';

/**
 * The selected endpoint: "Check now" and its outcome, the drift of the window per feature (chart and table,
 * drifted features first; a click on either shows that feature's distributions and score over time), the
 * drift of its past checks and its health over the window.
 */
export function EndpointDetail(props: { model: MonitoringModel; name: string }): JSX.Element {
  const { model, name } = props;
  const drift = model.drift;
  const message = model.message;
  const health = model.health(name);
  const select = (feature: string) => model.selectFeature(feature);
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
      {drift !== null && <DriftChart report={drift} selected={model.feature} onSelect={select} />}
      {drift !== null && <FeatureTable report={drift} selected={model.feature} onSelect={select} />}
      {drift !== null && model.feature !== null && <FeatureDetail model={model} report={drift} />}
      <h4 className="jp-matih-section-title">History</h4>
      {model.history.length === 0 ? (
        <p className="jp-matih-empty">
          No checks yet: use Check now, or wait for the server&apos;s next scheduled check.
        </p>
      ) : (
        <DriftHistoryChart name={name} points={model.history} />
      )}
      <h4 className="jp-matih-section-title">Health over the window</h4>
      {typeof health === 'string' ? (
        <p className="jp-matih-error">{health}</p>
      ) : health === null ? (
        <p className="jp-matih-note">Reading the health…</p>
      ) : (
        <HealthChart name={name} health={health} />
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

/** The selected feature of the window: its reference vs current distributions and its score over time. */
function FeatureDetail(props: { model: MonitoringModel; report: DriftReport }): JSX.Element {
  const { model, report } = props;
  const name = model.feature ?? '';
  const feature = report.drift.features.find(f => f.feature === name);
  return (
    <section className="jp-matih-feature-detail" aria-label={`Feature ${name}`}>
      <div className="jp-matih-section-head">
        <h4 className="jp-matih-section-title">
          {name}{' '}
          {feature && (
            <span className="jp-matih-section-subtitle">
              · {feature.drifted ? <span className="jp-matih-drifted-mark">drifted</span> : 'stable'} ·{' '}
              {feature.method} {formatMetric(feature.score)} (threshold {formatMetric(feature.threshold)})
            </span>
          )}
        </h4>
        <button
          type="button"
          className="jp-mod-styled jp-matih-button"
          aria-label={`Hide the distributions of ${name}`}
          onClick={() => model.selectFeature(null)}
        >
          Hide
        </button>
      </div>
      {feature ? (
        <DistributionChart feature={feature} />
      ) : (
        <p className="jp-matih-empty">This window has no drift result for {name}.</p>
      )}
      <FeatureScoreChart feature={name} points={model.history} />
    </section>
  );
}

interface IFeatureTableProps {
  report: DriftReport;
  selected: string | null;
  onSelect: (feature: string) => void;
}

/** The same numbers as the chart, as text: drifted features first, as the server orders them. */
function FeatureTable(props: IFeatureTableProps): JSX.Element {
  const { report, selected, onSelect } = props;
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
            <tr
              key={f.feature}
              data-feature={f.feature}
              className={classes(f.drifted && 'jp-mod-drifted', f.feature === selected && 'jp-mod-selected')}
            >
              <th scope="row">
                <button
                  type="button"
                  className="jp-matih-link-button"
                  aria-label={`Show the distributions of ${f.feature}`}
                  aria-pressed={f.feature === selected}
                  onClick={() => onSelect(f.feature)}
                >
                  {f.feature}
                </button>
              </th>
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
