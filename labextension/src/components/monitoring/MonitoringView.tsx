import * as React from 'react';

import { MONITORING_WINDOWS, MonitoringModel, MonitoringWindow } from '../../models/monitoring';
import { useSignal } from '../common/useSignal';
import { AlertsTable } from './AlertsTable';
import { EndpointDetail } from './EndpointDetail';
import { MonitoredEndpointsTable } from './MonitoredEndpointsTable';

export interface IMonitoringViewProps {
  model: MonitoringModel;
}

const WINDOW_LABELS: Record<MonitoringWindow, string> = {
  '1h': 'Last hour',
  '1d': 'Last day',
  '7d': 'Last 7 days'
};

/**
 * The Monitoring tab: the monitored endpoints with their drift and health, the selected endpoint's drift per
 * feature, its history and "Check now", then the alerts. Reloaded by the event stream, never polled.
 */
export function MonitoringView(props: IMonitoringViewProps): JSX.Element {
  const { model } = props;
  useSignal(model.monitoringChanged);
  const endpoints = model.endpoints;

  return (
    <section className="jp-matih-monitoring-view" aria-label="Monitoring">
      <div className="jp-matih-monitoring-toolbar">
        <p className="jp-matih-note" role="status" aria-live="polite">
          {!model.loaded
            ? 'Loading monitored endpoints…'
            : `${endpoints.length} monitored endpoint${endpoints.length === 1 ? '' : 's'}`}
        </p>
        <label className="jp-matih-inline-label">
          Window
          <select
            className="jp-matih-select"
            aria-label="Monitoring window"
            value={model.window}
            onChange={e => void model.setWindow(e.currentTarget.value as MonitoringWindow)}
          >
            {MONITORING_WINDOWS.map(w => (
              <option key={w} value={w}>
                {WINDOW_LABELS[w]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {model.error && (
        <div className="jp-matih-error" role="alert">
          {model.error}
        </div>
      )}
      {model.loaded && endpoints.length === 0 && !model.error && (
        <p className="jp-matih-empty">
          No endpoints to monitor yet: deploy a registered version (Deployments tab, or{' '}
          <code>%matih deploy MODEL@production</code>); its drift and health show here.
        </p>
      )}
      {endpoints.length > 0 && <MonitoredEndpointsTable model={model} />}
      {model.selected !== null && <EndpointDetail model={model} name={model.selected} />}
      <AlertsTable alerts={model.alerts} />
    </section>
  );
}
