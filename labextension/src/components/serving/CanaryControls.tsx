import * as React from 'react';

import type { CanaryPolicy, CanaryState, Endpoint } from '../../api';
import { liveVersions, type ServingModel } from '../../models/serving';
import { classes } from '../common/format';

const RUNNING = new Set(['running', 'waiting_approval']);

const STATUS_TEXT: Record<string, string> = {
  running: 'rolling out',
  waiting_approval: 'waiting for approval',
  promoted: 'promoted',
  rolled_back: 'rolled back',
  stopped: 'stopped'
};

/**
 * The endpoint's canary: while it rolls out, its steps, where it stands and why, and Stop; otherwise how the
 * last one ended and a form to start one (candidate, steps, thresholds). The server decides every step.
 */
export function CanaryControls(props: { model: ServingModel; endpoint: Endpoint }): JSX.Element {
  const { model, endpoint } = props;
  const canary = endpoint.canary ?? null;
  const running = canary !== null && RUNNING.has(canary.status);
  const locked = !endpoint.can_change_traffic || model.pending(endpoint.name) !== null;
  return (
    <section className="jp-matih-canary" aria-label={`Canary of ${endpoint.name}`}>
      {canary && <CanaryStatus canary={canary} />}
      {running ? (
        <div className="jp-matih-toolbar">
          <span className="jp-matih-spacer" />
          <button
            type="button"
            className="jp-mod-styled jp-matih-button jp-matih-danger"
            disabled={locked}
            title="Stop the rollout: the candidate goes back to 0%"
            onClick={() => void model.stopCanary(endpoint.name)}
          >
            Stop canary
          </button>
        </div>
      ) : (
        endpoint.versions.length > 1 && <CanaryForm model={model} endpoint={endpoint} locked={locked} />
      )}
    </section>
  );
}

function CanaryStatus(props: { canary: CanaryState }): JSX.Element {
  const { canary } = props;
  const steps = canary.policy.steps ?? [];
  const status = STATUS_TEXT[canary.status] ?? canary.status;
  return (
    <div className={classes('jp-matih-canary-status', `jp-matih-canary-${canary.status.replace(/_/g, '-')}`)}>
      <p className="jp-matih-canary-title" role="status">
        <strong>Canary v{canary.policy.version}</strong> against v{canary.baseline}: {status}
        {RUNNING.has(canary.status) && steps.length > 0
          ? ` · step ${canary.step + 1} of ${steps.length} (${steps[canary.step]}%)`
          : ''}
      </p>
      <ol className="jp-matih-canary-steps" aria-label="Canary steps">
        {steps.map((share, index) => (
          <li
            key={index}
            className={classes(
              index < canary.step && 'jp-mod-done',
              index === canary.step && RUNNING.has(canary.status) && 'jp-mod-current'
            )}
            aria-current={index === canary.step && RUNNING.has(canary.status) ? 'step' : undefined}
          >
            {share}%
          </li>
        ))}
      </ol>
      {canary.reason && <p className="jp-matih-note jp-matih-canary-reason">{canary.reason}</p>}
      {RUNNING.has(canary.status) && (
        <p className="jp-matih-note">
          Each step needs {canary.policy.min_requests ?? 50} requests and {canary.policy.min_seconds ?? 30} s;
          rolled back above {percent(canary.policy.max_error_rate ?? 0.01)} errors or p95{' '}
          {canary.policy.p95_slo_ms ?? 50} ms.
        </p>
      )}
    </div>
  );
}

/** Start a canary: the candidate, the steps and the thresholds; the server checks them all. */
function CanaryForm(props: { model: ServingModel; endpoint: Endpoint; locked: boolean }): JSX.Element {
  const { model, endpoint, locked } = props;
  const baseline = [...liveVersions(endpoint)].sort((a, b) => b.weight - a.weight)[0]?.version;
  const candidates = endpoint.versions.filter(v => v.version !== baseline).map(v => v.version);
  const [candidate, setCandidate] = React.useState('');
  const [steps, setSteps] = React.useState('5, 25, 50, 100');
  const [minRequests, setMinRequests] = React.useState('50');
  const [minSeconds, setMinSeconds] = React.useState('30');
  const [errorRate, setErrorRate] = React.useState('1');
  const [slo, setSlo] = React.useState('50');
  const chosen = candidates.includes(candidate) ? candidate : (candidates[0] ?? '');
  const parsedSteps = steps
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  const problem = !parsedSteps.every(s => Number.isInteger(s) && s > 0 && s <= 100)
    ? 'Steps are whole percents from 1 to 100, e.g. 5, 25, 50, 100'
    : [minRequests, minSeconds, errorRate, slo].some(x => x.trim() === '' || !(Number(x) >= 0))
      ? 'Thresholds are numbers of at least 0'
      : null;

  const start = () => {
    const policy: CanaryPolicy = {
      version: chosen,
      steps: parsedSteps as CanaryPolicy['steps'],
      min_requests: Number(minRequests),
      min_seconds: Number(minSeconds),
      max_error_rate: Number(errorRate) / 100,
      p95_slo_ms: Number(slo)
    };
    void model.startCanary(endpoint.name, policy);
  };

  const field = (label: string, value: string, set: (v: string) => void, unit: string) => (
    <label className="jp-matih-field">
      {label}
      <span className="jp-matih-unit-input">
        <input
          className="jp-mod-styled jp-matih-input"
          inputMode="decimal"
          value={value}
          disabled={locked}
          onChange={event => set(event.target.value)}
        />
        {unit}
      </span>
    </label>
  );

  return (
    <details className="jp-matih-canary-form">
      <summary>Start a canary…</summary>
      <div className="jp-matih-canary-fields">
        <label className="jp-matih-field">
          Candidate
          <select
            className="jp-mod-styled jp-matih-select"
            value={chosen}
            disabled={locked}
            onChange={event => setCandidate(event.target.value)}
          >
            {candidates.map(v => (
              <option key={v} value={v}>
                v{v}
              </option>
            ))}
          </select>
        </label>
        <label className="jp-matih-field">
          Steps
          <input
            className="jp-mod-styled jp-matih-input"
            value={steps}
            disabled={locked}
            onChange={event => setSteps(event.target.value)}
          />
        </label>
        {field('Min requests', minRequests, setMinRequests, '/step')}
        {field('Min time', minSeconds, setMinSeconds, 's')}
        {field('Max errors', errorRate, setErrorRate, '%')}
        {field('p95 SLO', slo, setSlo, 'ms')}
      </div>
      {problem && (
        <div className="jp-matih-error" role="alert">
          {problem}
        </div>
      )}
      <div className="jp-matih-toolbar">
        <span className="jp-matih-note">
          v{chosen || '?'} starts at {parsedSteps[0] ?? '?'}% against v{baseline ?? '?'}
        </span>
        <span className="jp-matih-spacer" />
        <button
          type="button"
          className="jp-mod-styled jp-matih-button"
          disabled={locked || !chosen || problem !== null}
          onClick={start}
        >
          Start canary
        </button>
      </div>
    </details>
  );
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}
