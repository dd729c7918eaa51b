import * as React from 'react';

import type { DeployRequest } from '../../api';
import type { ServingModel } from '../../models/serving';
import { ServingMessage } from './ServingMessage';

const SUGGESTIONS_ID = 'jp-matih-deploy-suggestions';

/**
 * Deploy a registered version: a model reference (`NAME@production`, `NAME@staging`, `NAME@3`), an optional
 * version and endpoint name, and whether it joins as a shadow. Busy while the Ray Serve application starts;
 * the server's refusal is shown under the form, the values kept.
 */
export function DeployForm(props: { model: ServingModel }): JSX.Element {
  const { model } = props;
  const [ref, setRef] = React.useState('');
  const [version, setVersion] = React.useState('');
  const [endpoint, setEndpoint] = React.useState('');
  const [shadow, setShadow] = React.useState(false);
  const busy = model.deploying;
  const versionNumber = version.trim() === '' ? null : Number(version);
  const versionProblem =
    versionNumber !== null && (!Number.isInteger(versionNumber) || versionNumber < 1)
      ? 'The version is a whole number from 1'
      : null;

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!ref.trim() || versionProblem) {
      return;
    }
    const request: DeployRequest = {
      model: ref.trim(),
      version: versionNumber,
      endpoint: endpoint.trim() || null,
      shadow
    };
    if (await model.deploy(request)) {
      setVersion('');
      setShadow(false);
    }
  };

  return (
    <form
      className="jp-matih-deploy-form"
      aria-label="Deploy a model version"
      aria-busy={busy}
      onSubmit={event => void onSubmit(event)}
    >
      <div className="jp-matih-deploy-fields">
        <label className="jp-matih-field jp-matih-deploy-model">
          Model
          <input
            className="jp-mod-styled jp-matih-input"
            list={SUGGESTIONS_ID}
            value={ref}
            placeholder="NAME@production, NAME@staging, NAME@3"
            required
            disabled={busy}
            onChange={event => setRef(event.target.value)}
          />
        </label>
        <datalist id={SUGGESTIONS_ID}>
          {model.suggestions.map(s => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <label className="jp-matih-field jp-matih-deploy-version">
          Version
          <input
            className="jp-mod-styled jp-matih-input"
            type="number"
            min={1}
            step={1}
            value={version}
            placeholder="optional"
            aria-invalid={versionProblem !== null}
            disabled={busy}
            onChange={event => setVersion(event.target.value)}
          />
        </label>
        <label className="jp-matih-field jp-matih-deploy-endpoint">
          Endpoint
          <input
            className="jp-mod-styled jp-matih-input"
            value={endpoint}
            placeholder="the model's name"
            pattern="[a-z0-9][a-z0-9_\-]{0,62}"
            title="Lower-case letters, digits, '-' and '_'"
            disabled={busy}
            onChange={event => setEndpoint(event.target.value)}
          />
        </label>
      </div>
      <div className="jp-matih-toolbar">
        <label
          className="jp-matih-inline-label"
          title="A copy of the live traffic; its answers are compared, never returned"
        >
          <input
            type="checkbox"
            checked={shadow}
            disabled={busy}
            onChange={e => setShadow(e.target.checked)}
          />
          Shadow
        </label>
        <span className="jp-matih-spacer" />
        {busy && (
          <span className="jp-matih-note jp-matih-busy-note" role="status">
            Starting the endpoint: the first one takes about a minute…
          </span>
        )}
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept jp-matih-button"
          disabled={busy || !ref.trim() || versionProblem !== null}
        >
          {busy ? 'Deploying…' : 'Deploy'}
        </button>
      </div>
      {versionProblem && (
        <div className="jp-matih-error" role="alert">
          {versionProblem}
        </div>
      )}
      <ServingMessage message={model.deployMessage} />
    </form>
  );
}
