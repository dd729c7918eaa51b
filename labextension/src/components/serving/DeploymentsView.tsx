import * as React from 'react';

import type { Deployment } from '../../api';
import type { ServingModel } from '../../models/serving';
import { formatFullTime, formatShortTime } from '../common/format';
import { useSignal } from '../common/useSignal';

export interface IDeploymentsViewProps {
  model: ServingModel;
}

/** The Deployments tab: which registered versions serve which endpoints, and their share of the traffic. */
export function DeploymentsView(props: IDeploymentsViewProps): JSX.Element {
  const { model } = props;
  useSignal(model.deploymentsChanged);
  const deployments = model.deployments;
  const rows = React.useMemo(() => byEndpoint(deployments), [deployments]);
  const endpoints = model.endpoints.length;

  return (
    <section className="jp-matih-deployments-view" aria-label="Deployments">
      <p className="jp-matih-note" role="status" aria-live="polite">
        {!model.loaded
          ? 'Loading deployments…'
          : `${plural(deployments.length, 'deployment')} · ${plural(endpoints, 'endpoint')}`}
      </p>
      {model.error && (
        <div className="jp-matih-error" role="alert">
          {model.error}
        </div>
      )}
      {model.loaded && deployments.length === 0 && !model.error ? (
        <p className="jp-matih-empty">
          No deployments yet: deploy a registered version with <code>%matih deploy MODEL@production</code> and
          it shows here live.
        </p>
      ) : (
        deployments.length > 0 && (
          <div className="jp-matih-table-scroll">
            <table
              className="jp-matih-runs jp-matih-deployments"
              aria-label="Deployments"
              aria-busy={model.loading}
            >
              <thead>
                <tr>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Model</th>
                  <th scope="col">Version</th>
                  <th scope="col">Traffic</th>
                  <th scope="col">Server</th>
                  <th scope="col">Deployed</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(deployment => (
                  <DeploymentRow
                    key={`${deployment.endpoint}/${deployment.model}/${deployment.version}`}
                    deployment={deployment}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )
      )}
    </section>
  );
}

function DeploymentRow(props: { deployment: Deployment }): JSX.Element {
  const { deployment: d } = props;
  const version = versionLabel(d.version);
  const deployedAt = d.deployed_at * 1000;
  return (
    <tr className="jp-matih-deployment" data-endpoint={d.endpoint} data-version={d.version}>
      <th scope="row" title={d.url}>
        <span className="jp-matih-endpoint-name">{d.endpoint}</span>
        <span className="jp-matih-endpoint-url">{d.url}</span>
      </th>
      <td>{d.model}</td>
      <td>{version}</td>
      <td>
        <div className="jp-matih-traffic">
          <div
            className="jp-matih-progress"
            role="meter"
            aria-label={`Traffic of ${d.model} ${version} on ${d.endpoint}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={d.traffic}
            aria-valuetext={`${d.traffic}%`}
          >
            <span className="jp-matih-progress-bar" style={{ width: `${d.traffic}%` }} />
          </div>
          <span className="jp-matih-traffic-text">{d.traffic}%</span>
        </div>
      </td>
      <td>{d.server}</td>
      <td title={`${d.deployed_by}, ${formatFullTime(deployedAt)}`}>
        <span className="jp-matih-deployed-by">{d.deployed_by}</span>
        <time className="jp-matih-deployed-at">{formatShortTime(deployedAt)}</time>
      </td>
    </tr>
  );
}

/** The versions of one endpoint next to each other, the most traffic first; endpoints in the server's order. */
function byEndpoint(deployments: readonly Deployment[]): Deployment[] {
  const order = [...new Set(deployments.map(d => d.endpoint))];
  return [...deployments].sort(
    (a, b) => order.indexOf(a.endpoint) - order.indexOf(b.endpoint) || b.traffic - a.traffic
  );
}

/** `v3` for a version number; anything else as is. */
function versionLabel(version: string): string {
  return /^\d+$/.test(version) ? `v${version}` : version;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
