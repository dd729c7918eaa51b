import * as React from 'react';

import type { CardMetric, ModelCard } from '../../api';
import { formatMetric } from '../common/format';

function MetricText(props: { metric: CardMetric; level: number }): JSX.Element {
  const { metric, level } = props;
  const value = metric.holdout_value ?? metric.value;
  const ci =
    metric.ci_low !== null &&
    metric.ci_low !== undefined &&
    metric.ci_high !== null &&
    metric.ci_high !== undefined
      ? ` [${formatMetric(metric.ci_low)}, ${formatMetric(metric.ci_high)}] ${Math.round(level * 100)}% CI`
      : '';
  return (
    <>
      {metric.name} = {formatMetric(value, false) || '–'}
      <span className="jp-matih-muted">{ci}</span>
    </>
  );
}

/** The model card of a version: purpose, limits, metrics with confidence intervals, data, code, fairness. */
export function ModelCardView(props: { card: ModelCard }): JSX.Element {
  const { card } = props;
  const level = card.ci_level ?? 0.95;
  const code = card.lineage?.code;
  const fields: [string, string | null | undefined][] = [
    ['Description', card.description],
    ['Intended use', card.intended_use],
    ['Limitations', card.limitations],
    ['Drift sensitivity', card.drift_sensitivity]
  ];
  return (
    <section className="jp-matih-card" aria-label={`Model card of version ${card.version}`}>
      {(card.problems ?? []).length > 0 && (
        <ul className="jp-matih-card-problems" role="note" aria-label="Card problems">
          {(card.problems ?? []).map(problem => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      <dl className="jp-matih-card-fields">
        {fields
          .filter(([, text]) => !!text)
          .map(([label, text]) => (
            <React.Fragment key={label}>
              <dt>{label}</dt>
              <dd>{text}</dd>
            </React.Fragment>
          ))}
        {card.primary_metric && (
          <>
            <dt>Primary metric</dt>
            <dd>
              <MetricText metric={card.primary_metric} level={level} />
            </dd>
          </>
        )}
        {(card.secondary_metrics ?? []).length > 0 && (
          <>
            <dt>Other metrics</dt>
            <dd>
              {(card.secondary_metrics ?? []).map(m => (
                <div key={m.name}>
                  <MetricText metric={m} level={level} />
                </div>
              ))}
            </dd>
          </>
        )}
        {Object.keys(card.evidence_metrics ?? {}).length > 0 && (
          <>
            <dt>Governance evidence</dt>
            <dd title="The run's metrics recorded at registration: what the stage checks read">
              {Object.entries(card.evidence_metrics ?? {}).map(([name, value]) => (
                <div key={name}>
                  {name} = {formatMetric(value, false)}
                </div>
              ))}
            </dd>
          </>
        )}
        {(card.training_data ?? []).length > 0 && (
          <>
            <dt>Training data</dt>
            <dd>
              {(card.training_data ?? []).map(d => (
                <div key={`${d.name}-${d.digest}`}>
                  {d.name} <span className="jp-matih-mono jp-matih-muted">{d.digest}</span>
                </div>
              ))}
            </dd>
          </>
        )}
        {card.run_id && (
          <>
            <dt>Run</dt>
            <dd className="jp-matih-mono">{card.run_id}</dd>
          </>
        )}
        {code && (code.git_commit || code.notebook_path || code.parent_run_id) && (
          <>
            <dt>Code</dt>
            <dd>
              {code.git_commit && (
                <span className="jp-matih-mono">
                  {code.git_commit.slice(0, 10)}
                  {code.git_branch && ` (${code.git_branch})`}{' '}
                </span>
              )}
              {code.notebook_path && <span>{code.notebook_path} </span>}
              {code.parent_run_id && (
                <span className="jp-matih-muted">training job run {code.parent_run_id.slice(0, 8)}</span>
              )}
            </dd>
          </>
        )}
        {card.holdout_rows !== null && card.holdout_rows !== undefined && (
          <>
            <dt>Holdout</dt>
            <dd>
              {card.holdout_rows} rows <span className="jp-matih-muted">({card.ci_method})</span>
            </dd>
          </>
        )}
      </dl>
      {card.fairness && (
        <table className="jp-matih-compare-table" aria-label="Fairness">
          <caption>
            Fairness by {card.fairness.protected_attribute}: demographic parity difference{' '}
            {formatMetric(card.fairness.demographic_parity_difference, false) || '–'}, equalized odds
            difference {formatMetric(card.fairness.equalized_odds_difference, false) || '–'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">n</th>
              <th scope="col">Positive rate</th>
              <th scope="col">TPR</th>
              <th scope="col">FPR</th>
            </tr>
          </thead>
          <tbody>
            {card.fairness.groups.map(g => (
              <tr key={g.group}>
                <th scope="row">{g.group}</th>
                <td className="jp-matih-number">{g.n}</td>
                <td className="jp-matih-number">{formatMetric(g.positive_rate, false)}</td>
                <td className="jp-matih-number">{formatMetric(g.true_positive_rate, false)}</td>
                <td className="jp-matih-number">{formatMetric(g.false_positive_rate, false)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
