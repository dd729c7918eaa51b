import * as React from 'react';

import type { MonitoredEndpoint } from '../../api';
import { driftedShare, MonitoringModel } from '../../models/monitoring';
import { classes, formatMetric, formatShortTime } from '../common/format';

/** One row per monitored endpoint: its last check's drift, its health over the window, its alerts. */
export function MonitoredEndpointsTable(props: { model: MonitoringModel }): JSX.Element {
  const { model } = props;
  return (
    <div className="jp-matih-table-scroll">
      <table className="jp-matih-runs jp-matih-monitored" aria-label="Monitored endpoints">
        <thead>
          <tr>
            <th scope="col">Endpoint</th>
            <th scope="col">Version</th>
            <th scope="col" title="Drifted features of the last check, over the features it judged">
              Drifted
            </th>
            <th scope="col">Last check</th>
            <th scope="col" className="jp-matih-col-metric" title="5xx answers over the window">
              Error rate
            </th>
            <th scope="col" className="jp-matih-col-metric" title="p95 latency over the window">
              p95 ms
            </th>
            <th scope="col" className="jp-matih-col-metric">
              Alerts
            </th>
          </tr>
        </thead>
        <tbody>
          {model.endpoints.map(endpoint => (
            <EndpointRow key={endpoint.endpoint} model={model} endpoint={endpoint} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EndpointRow(props: { model: MonitoringModel; endpoint: MonitoredEndpoint }): JSX.Element {
  const { model, endpoint } = props;
  const name = endpoint.endpoint;
  const selected = model.selected === name;
  const check = endpoint.last_check ?? null;
  const share = check ? driftedShare(check) : null;
  const health = model.health(name);
  const breaches = typeof health === 'object' && health !== null ? health.breaches : [];
  return (
    <tr className={classes(selected && 'jp-mod-selected')} data-endpoint={name}>
      <th scope="row">
        <button
          type="button"
          className="jp-matih-link-button"
          aria-label={`Show the drift of ${name}`}
          aria-pressed={selected}
          onClick={() => void model.select(selected ? null : name)}
        >
          {name}
        </button>
      </th>
      <td>
        {endpoint.model}
        {endpoint.main_version !== null && endpoint.main_version !== undefined
          ? ` v${endpoint.main_version}`
          : ''}
      </td>
      <td>
        {check === null ? (
          <span className="jp-matih-note">not checked</span>
        ) : (
          <span
            className={classes('jp-matih-drift-share', check.drifted_features > 0 && 'jp-mod-drifted')}
            title={check.dataset_drift ? 'Dataset drift' : undefined}
          >
            {share === null ? '–' : `${Math.round(share * 100)}%`} ({check.drifted_features})
            {check.dataset_drift ? ' · dataset' : ''}
          </span>
        )}
      </td>
      <td>{check ? formatShortTime(check.time * 1000) : ''}</td>
      {typeof health === 'string' ? (
        <td colSpan={2} className="jp-matih-note" title={health}>
          unknown
        </td>
      ) : (
        <>
          <td className={classes('jp-matih-number', breaches.includes('error_rate') && 'jp-mod-breach')}>
            {health ? `${formatMetric(health.error_rate * 100)}%` : ''}
          </td>
          <td className={classes('jp-matih-number', breaches.includes('latency') && 'jp-mod-breach')}>
            {health ? formatMetric(health.p95_latency_ms ?? null, health.requests > 0) : ''}
          </td>
        </>
      )}
      <td className="jp-matih-number">{endpoint.alerts ?? 0}</td>
    </tr>
  );
}
