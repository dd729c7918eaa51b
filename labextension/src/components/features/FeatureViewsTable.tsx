import * as React from 'react';

import type { FeatureViewInfo } from '../../api';
import type { FeaturesModel } from '../../models/features';
import { classes, formatCount, formatFullTime, formatShortTime } from '../common/format';
import { formatAge } from './format';

/** One row per feature view: its size, TTL, last materialization and staleness (stale ones flagged). */
export function FeatureViewsTable(props: { model: FeaturesModel }): JSX.Element {
  const { model } = props;
  return (
    <div className="jp-matih-table-scroll">
      <table className="jp-matih-runs jp-matih-feature-views" aria-label="Feature views">
        <thead>
          <tr>
            <th scope="col">View</th>
            <th scope="col">Freshness</th>
            <th scope="col" title="End of the latest materialization into the online store">
              Materialized
            </th>
            <th scope="col" title="How long a value stays valid">
              TTL
            </th>
            <th scope="col" className="jp-matih-col-metric">
              Rows
            </th>
            <th scope="col" className="jp-matih-col-metric">
              Features
            </th>
            <th scope="col">Entities</th>
            <th scope="col">Services</th>
          </tr>
        </thead>
        <tbody>
          {model.views.map(view => (
            <ViewRow key={view.name} model={model} view={view} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ViewRow(props: { model: FeaturesModel; view: FeatureViewInfo }): JSX.Element {
  const { model, view } = props;
  const selected = model.selected === view.name;
  const materialized = view.last_materialized ?? null;
  return (
    <tr
      className={classes(selected && 'jp-mod-selected', view.stale && 'jp-mod-stale')}
      data-view={view.name}
    >
      <th scope="row">
        <button
          type="button"
          className="jp-matih-link-button"
          aria-label={`Show the feature view ${view.name}`}
          aria-pressed={selected}
          onClick={() => void model.select(selected ? null : view.name)}
        >
          {view.name}
        </button>
      </th>
      <td className="jp-matih-freshness">
        <Freshness view={view} />
      </td>
      <td title={materialized === null ? undefined : formatFullTime(materialized * 1000)}>
        {materialized === null ? (
          <span className="jp-matih-note">never</span>
        ) : (
          formatShortTime(materialized * 1000)
        )}
      </td>
      <td>{view.ttl_seconds === null ? 'forever' : formatAge(view.ttl_seconds)}</td>
      <td className="jp-matih-number">{formatCount(view.row_count)}</td>
      <td className="jp-matih-number">{view.features.length}</td>
      <td>{view.entities.join(', ')}</td>
      <td>{(view.services ?? []).join(', ')}</td>
    </tr>
  );
}

/** "stale · 2d old" or "fresh · 5m old", against the view's TTL. */
function Freshness(props: { view: FeatureViewInfo }): JSX.Element {
  const { view } = props;
  const age = view.staleness_seconds ?? null;
  const ttl = view.ttl_seconds === null ? 'no TTL' : `TTL ${formatAge(view.ttl_seconds)}`;
  if (!view.online) {
    return <span className="jp-matih-note">offline only</span>;
  }
  return (
    <span
      className={classes('jp-matih-freshness-mark', view.stale ? 'jp-mod-stale' : 'jp-mod-fresh')}
      title={age === null ? 'Never materialized' : `Materialized ${formatAge(age)} ago (${ttl})`}
    >
      {view.stale ? 'stale' : 'fresh'}
      {age === null ? ' · never materialized' : ` · ${formatAge(age)} old`}
    </span>
  );
}
