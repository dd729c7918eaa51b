import * as React from 'react';

import type { Alert } from '../../api';
import { formatFullTime, formatShortTime } from '../common/format';

/** The alerts raised so far by the checks, newest first. */
export function AlertsTable(props: { alerts: readonly Alert[] }): JSX.Element {
  const { alerts } = props;
  return (
    <section className="jp-matih-section jp-matih-alerts" aria-label="Alerts">
      <h3 className="jp-matih-section-title">
        Alerts <span className="jp-matih-section-subtitle">· {alerts.length}</span>
      </h3>
      {alerts.length === 0 ? (
        <p className="jp-matih-empty">No alerts: the checks found nothing beyond the models&apos; rules.</p>
      ) : (
        <div className="jp-matih-table-scroll">
          <table className="jp-matih-runs jp-matih-alerts-table" aria-label="Open alerts">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Kind</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map(alert => (
                <tr key={alert.id} data-alert={alert.id}>
                  <td title={formatFullTime(alert.time * 1000)}>{formatShortTime(alert.time * 1000)}</td>
                  <td>
                    {alert.endpoint} <span className="jp-matih-note">v{alert.version}</span>
                  </td>
                  <td>
                    <span className={`jp-matih-alert-kind jp-matih-alert-${alert.kind}`}>
                      {alert.kind.replace(/_/g, ' ')}
                    </span>
                  </td>
                  <td className="jp-matih-alert-message" title={alert.message}>
                    {alert.message}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
