import * as React from 'react';

import type { Endpoint, EndpointStats, LatencyStats, OutcomeComparison } from '../../api';
import type { ServingStatsModel } from '../../models/serving';
import { formatCount, formatMetric } from '../common/format';
import { runColor } from '../common/plotTheme';
import { PredictionChart, RequestRateChart } from './ServingCharts';

export interface IEndpointStatsViewProps {
  stats: ServingStatsModel;
  endpoint: Endpoint;
}

/**
 * Live numbers of one endpoint, per version: requests, errors, latency percentiles, predictions, shadow
 * agreement; the inference log's counters; the A/B outcome comparison once outcomes arrive. Re-renders only
 * when this endpoint's numbers changed.
 */
export const EndpointStatsView = React.memo(StatsView);

function StatsView(props: IEndpointStatsViewProps): JSX.Element {
  const { stats: model, endpoint } = props;
  useEndpointStats(model, endpoint.name);
  const stats = model.stats(endpoint.name);
  const error = model.statsError(endpoint.name);
  const rates = model.rates(endpoint.name);
  const versions = React.useMemo(() => versionOrder(endpoint, stats), [endpoint, stats]);
  const colors = React.useMemo(
    () => Object.fromEntries(versions.map((v, i) => [v, runColor(i)])),
    [versions]
  );

  return (
    <section className="jp-matih-endpoint-stats" aria-label={`Live stats of ${endpoint.name}`}>
      <h4 className="jp-matih-section-title">
        Live{' '}
        <span className="jp-matih-section-subtitle">
          {stats ? latestLabel(stats) : 'every 2 s while this tab is open'}
        </span>
      </h4>
      {error && <p className="jp-matih-note jp-matih-stats-error">{error}</p>}
      {stats && (
        <>
          <div className="jp-matih-table-scroll">
            <table className="jp-matih-runs jp-matih-stats-table" aria-label={`Requests of ${endpoint.name}`}>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col" className="jp-matih-col-metric">
                    Requests
                  </th>
                  <th scope="col" className="jp-matih-col-metric">
                    Errors
                  </th>
                  <th scope="col" className="jp-matih-col-metric" title="Refused inputs (4xx)">
                    Rejected
                  </th>
                  <th scope="col" className="jp-matih-col-metric">
                    p50 ms
                  </th>
                  <th scope="col" className="jp-matih-col-metric">
                    p95 ms
                  </th>
                  <th scope="col" className="jp-matih-col-metric">
                    p99 ms
                  </th>
                  <th scope="col" className="jp-matih-col-metric">
                    Mean pred.
                  </th>
                  <th
                    scope="col"
                    className="jp-matih-col-metric"
                    title="Shadow answers equal to the live answer"
                  >
                    Agreement
                  </th>
                </tr>
              </thead>
              <tbody>
                {versions.map(v => (
                  <StatsRow key={v} version={v} color={colors[v]} stats={stats.versions[v] ?? null} />
                ))}
              </tbody>
            </table>
          </div>
          <LogCounters log={stats.log ?? null} />
          {(stats.comparisons ?? []).length > 0 && <Comparisons comparisons={stats.comparisons ?? []} />}
          <div className="jp-matih-serving-charts">
            <PredictionChart stats={stats} versions={versions} colors={colors} />
            <RequestRateChart rates={rates} versions={versions} colors={colors} />
          </div>
        </>
      )}
    </section>
  );
}

function StatsRow(props: { version: string; color: string; stats: LatencyStats | null }): JSX.Element {
  const { version, color, stats: s } = props;
  const ms = (value: number | null | undefined) =>
    value === null || value === undefined ? '–' : value.toFixed(1);
  return (
    <tr data-version={version}>
      <th scope="row">
        <span className="jp-matih-swatch" style={{ background: color }} aria-hidden="true" />v{version}
      </th>
      <td className="jp-matih-number jp-matih-stat-requests">{s ? formatCount(s.requests) : '0'}</td>
      <td className={`jp-matih-number${s && s.errors > 0 ? ' jp-matih-stat-bad' : ''}`}>
        {s ? formatCount(s.errors) : '0'}
      </td>
      <td className="jp-matih-number">{s ? formatCount(s.rejected) : '0'}</td>
      <td className="jp-matih-number">{ms(s?.p50_ms)}</td>
      <td className="jp-matih-number">{ms(s?.p95_ms)}</td>
      <td className="jp-matih-number">{ms(s?.p99_ms)}</td>
      <td className="jp-matih-number">
        {s?.prediction_mean === null || !s ? '–' : formatMetric(s.prediction_mean)}
      </td>
      <td className="jp-matih-number">
        {s && s.shadow_compared > 0
          ? `${((100 * s.shadow_agreed) / s.shadow_compared).toFixed(1)}% of ${formatCount(s.shadow_compared)}`
          : '–'}
      </td>
    </tr>
  );
}

/** Whether the inference log keeps up: records written, dropped (queue full), failed (write errors). */
function LogCounters(props: { log: Record<string, unknown> | null }): JSX.Element {
  const { log } = props;
  if (!log) {
    return <p className="jp-matih-note">Inference log: off</p>;
  }
  const count = (key: string) => (typeof log[key] === 'number' ? formatCount(log[key] as number) : '0');
  const lost = Number(log['dropped'] ?? 0) + Number(log['failed'] ?? 0);
  const sample = typeof log['sample'] === 'number' ? (log['sample'] as number) : 1;
  return (
    <p className="jp-matih-note jp-matih-log-counters" aria-label="Inference log">
      Inference log: <span data-counter="written">{count('written')} written</span> ·{' '}
      <span data-counter="dropped" className={lost > 0 ? 'jp-matih-stat-bad' : undefined}>
        {count('dropped')} dropped
      </span>{' '}
      · <span data-counter="failed">{count('failed')} failed</span>
      {sample < 1 && ` · sampling ${Math.round(sample * 100)}% (${count('sampled_out')} skipped)`}
      {Number(log['pending'] ?? 0) > 0 && ` · ${count('pending')} pending`}
    </p>
  );
}

/** Observed outcomes of each version against the baseline, with an always-valid (mSPRT) p-value. */
function Comparisons(props: { comparisons: readonly OutcomeComparison[] }): JSX.Element {
  return (
    <table className="jp-matih-runs jp-matih-outcomes" aria-label="Outcome comparison">
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col" className="jp-matih-col-metric">
            n
          </th>
          <th scope="col" className="jp-matih-col-metric">
            Mean outcome (95% CI)
          </th>
          <th scope="col" className="jp-matih-col-metric">
            Baseline
          </th>
          <th scope="col" className="jp-matih-col-metric">
            Difference
          </th>
          <th
            scope="col"
            className="jp-matih-col-metric"
            title="Always valid: may be read after every observation"
          >
            p-value
          </th>
          <th scope="col">Verdict</th>
        </tr>
      </thead>
      <tbody>
        {props.comparisons.map(c => (
          <tr key={c.version} data-version={c.version}>
            <th scope="row">
              v{c.version} vs v{c.baseline}
            </th>
            <td className="jp-matih-number">{formatCount(c.n)}</td>
            <td className="jp-matih-number">
              {formatMetric(c.mean, c.mean !== null)}
              {c.ci95 ? ` (${formatMetric(Number(c.ci95[0]))} – ${formatMetric(Number(c.ci95[1]))})` : ''}
            </td>
            <td className="jp-matih-number">{formatMetric(c.baseline_mean, c.baseline_mean !== null)}</td>
            <td className="jp-matih-number">{formatMetric(c.difference, c.difference !== null)}</td>
            <td className="jp-matih-number">{formatMetric(c.p_value, c.p_value !== null)}</td>
            <td className={c.significant ? 'jp-matih-check-pass' : 'jp-matih-muted'}>
              {c.significant ? 'significant' : 'not yet'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Versions in the endpoint's order, then any the stats still know (a removed version's last numbers). */
function versionOrder(endpoint: Endpoint, stats: EndpointStats | null): string[] {
  const known = endpoint.versions.map(v => v.version);
  const extra = Object.keys(stats?.versions ?? {}).filter(v => !known.includes(v));
  return [...known, ...extra];
}

function latestLabel(stats: EndpointStats): string {
  const requests = Object.values(stats.versions).reduce((sum, s) => sum + s.requests, 0);
  return requests > 0
    ? "every 2 s · latencies and predictions over each version's latest requests"
    : 'every 2 s · no requests yet';
}

/** Re-render the caller when `name`'s stats change (not for other endpoints'). */
function useEndpointStats(model: ServingStatsModel, name: string): void {
  const [, rerender] = React.useReducer((count: number) => count + 1, 0);
  React.useLayoutEffect(() => {
    const slot = (_: ServingStatsModel, changed: string) => {
      if (changed === name) {
        rerender();
      }
    };
    model.statsChanged.connect(slot);
    return () => {
      model.statsChanged.disconnect(slot);
    };
  }, [model, name]);
}
