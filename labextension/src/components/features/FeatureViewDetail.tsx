import * as React from 'react';

import type { FeatureViewInfo } from '../../api';
import type { FeaturesModel } from '../../models/features';
import { formatCount, formatFullTime, formatMetric } from '../common/format';
import { StageBadge } from '../registry/StageBadge';
import { ConsistencyResult } from './ConsistencyResult';
import { SampleRows } from './SampleRows';
import { formatValue } from './format';

/**
 * The selected view: each feature's null rate and range over the offline source, the model versions trained
 * on it, the online/offline consistency check, and its newest rows.
 */
export function FeatureViewDetail(props: { model: FeaturesModel; view: FeatureViewInfo }): JSX.Element {
  const { model, view } = props;
  const check = model.consistency(view.name);
  return (
    <section
      className="jp-matih-section jp-matih-feature-view-detail"
      aria-label={`Feature view ${view.name}`}
    >
      <div className="jp-matih-section-head">
        <h3 className="jp-matih-section-title">{view.name}</h3>
        <button
          type="button"
          className="jp-mod-styled jp-matih-button"
          title="Compare the online values of a sample of entities with the offline values as of the last materialization"
          disabled={model.checking || !view.online}
          onClick={() => void model.checkConsistency()}
        >
          {model.checking ? 'Checking…' : 'Check consistency'}
        </button>
      </div>
      <p className="jp-matih-note">
        {view.description ? `${view.description} · ` : ''}
        {formatCount(view.row_count)} rows of {formatCount(view.entity_count)} entities
        {view.first_event ? ` from ${formatFullTime(view.first_event * 1000)}` : ''}
        {view.last_event ? ` to ${formatFullTime(view.last_event * 1000)}` : ''} · source {view.source}
      </p>
      {model.checkError !== null && (
        <div className="jp-matih-error" role="alert">
          {model.checkError}
        </div>
      )}
      {check !== null && <ConsistencyResult check={check} />}
      <StatsTable view={view} />
      <ModelsUsing model={model} view={view.name} />
      <SampleRows model={model} view={view.name} />
    </section>
  );
}

function StatsTable(props: { view: FeatureViewInfo }): JSX.Element {
  const { view } = props;
  return (
    <div className="jp-matih-table-scroll">
      <table className="jp-matih-runs jp-matih-feature-stats" aria-label="Feature statistics">
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">Type</th>
            <th scope="col" className="jp-matih-col-metric">
              Null rate
            </th>
            <th scope="col" className="jp-matih-col-metric">
              Min
            </th>
            <th scope="col" className="jp-matih-col-metric">
              Max
            </th>
          </tr>
        </thead>
        <tbody>
          {view.features.map(f => (
            <tr key={f.name} data-feature={f.name}>
              <th scope="row" title={f.description || undefined}>
                {f.name}
              </th>
              <td>{f.dtype}</td>
              <td className="jp-matih-number">
                {f.null_rate === null || f.null_rate === undefined
                  ? ''
                  : `${formatMetric(f.null_rate * 100)}%`}
              </td>
              <td className="jp-matih-number">{formatValue(f.min)}</td>
              <td className="jp-matih-number">{formatValue(f.max)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The registered versions trained on the view (through a feature service), with their stage. */
function ModelsUsing(props: { model: FeaturesModel; view: string }): JSX.Element {
  const { model, view } = props;
  const users = model.users;
  return (
    <>
      <h4 className="jp-matih-section-title">Models using {view}</h4>
      {model.usersError !== null && (
        <div className="jp-matih-error" role="alert">
          {model.usersError}
        </div>
      )}
      {users !== null && users.length === 0 && (
        <p className="jp-matih-empty">No registered version was trained on this view.</p>
      )}
      {users !== null && users.length > 0 && (
        <ul className="jp-matih-feature-users" aria-label={`Models using ${view}`}>
          {users.map(ref => (
            <li key={`${ref.name}/${ref.version}`} aria-label={`${ref.name} version ${ref.version}`}>
              <span className="jp-matih-feature-user-name">{ref.name}</span> v{ref.version}{' '}
              <StageBadge stage={ref.stage} />
              {ref.dataset_digest ? (
                <span className="jp-matih-note" title="The view's definition hash at training">
                  {' '}
                  · definition {ref.dataset_digest.slice(0, 8)}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
