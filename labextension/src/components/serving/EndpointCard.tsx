import { Clipboard } from '@jupyterlab/apputils';
import { copyIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { Endpoint } from '../../api';
import type { ServingModel } from '../../models/serving';
import { classes, formatFullTime, formatShortTime } from '../common/format';
import { CanaryControls } from './CanaryControls';
import { EndpointStatsView } from './EndpointStatsView';
import { ConfirmButton, ServingMessage } from './ServingMessage';
import { TrafficEditor } from './TrafficEditor';

export interface IEndpointCardProps {
  model: ServingModel;
  endpoint: Endpoint;
}

/** One endpoint: where it answers and its status, its versions and split, its rollout, its live numbers. */
export function EndpointCard(props: IEndpointCardProps): JSX.Element {
  const { model, endpoint } = props;
  const pending = model.pending(endpoint.name);
  const owners = model.owners(endpoint.model);
  return (
    <article
      className="jp-matih-endpoint"
      aria-label={`Endpoint ${endpoint.name}`}
      data-endpoint={endpoint.name}
      aria-busy={pending !== null}
    >
      <header className="jp-matih-endpoint-head">
        <h3 className="jp-matih-endpoint-name">{endpoint.name}</h3>
        <StatusPill status={endpoint.status} message={endpoint.message ?? ''} />
        <span className="jp-matih-endpoint-model" title="Registered model">
          {endpoint.model}
        </span>
        {endpoint.api_key && (
          <span className="jp-matih-flag" title="Requests need 'Authorization: Bearer KEY'">
            API key
          </span>
        )}
        {endpoint.sticky_key && (
          <span className="jp-matih-flag" title="Callers are pinned to a version by this record field">
            sticky: {endpoint.sticky_key}
          </span>
        )}
        <span className="jp-matih-spacer" />
        <ConfirmButton
          label="Undeploy"
          confirmLabel="Confirm undeploy?"
          ariaLabel={`Undeploy endpoint ${endpoint.name}`}
          title="Remove the endpoint and every version behind it"
          disabled={pending !== null || !endpoint.can_change_traffic}
          onConfirm={() => void model.undeploy(endpoint.name)}
        />
      </header>
      <EndpointUrl url={endpoint.url} />
      <p className="jp-matih-note jp-matih-endpoint-created">
        Created by {endpoint.created_by},{' '}
        <time title={formatFullTime(endpoint.created_at * 1000)}>
          {formatShortTime(endpoint.created_at * 1000)}
        </time>
      </p>
      {endpoint.status !== 'RUNNING' && !!endpoint.message && (
        <pre className="jp-matih-endpoint-message">{endpoint.message}</pre>
      )}
      {!endpoint.can_change_traffic && (
        <p className="jp-matih-note jp-matih-forbidden" role="note">
          Only the owners of {endpoint.model}
          {owners && owners.length > 0 ? ` (${owners.join(', ')})` : ''} and leads may change this endpoint.
        </p>
      )}
      {pending && (
        <p className="jp-matih-note jp-matih-busy-note" role="status">
          {pending}
        </p>
      )}
      <ServingMessage message={model.message(endpoint.name)} />
      <TrafficEditor model={model} endpoint={endpoint} />
      <CanaryControls model={model} endpoint={endpoint} />
      <EndpointStatsView stats={model.stats} endpoint={endpoint} />
    </article>
  );
}

/** Ray Serve's application status as a colored pill; its message as the tooltip. */
function StatusPill(props: { status: string; message: string }): JSX.Element {
  const { status, message } = props;
  const kind =
    status === 'RUNNING'
      ? 'ok'
      : status === 'DEPLOYING' || status === 'NOT_STARTED'
        ? 'busy'
        : status === 'DEPLOY_FAILED' || status === 'UNHEALTHY'
          ? 'failed'
          : 'unknown';
  return (
    <span
      className={classes('jp-matih-serve-status', `jp-matih-serve-status-${kind}`)}
      title={message || `Ray Serve application status: ${status}`}
    >
      {status.replace(/_/g, ' ').toLowerCase()}
    </span>
  );
}

/** The endpoint's URL, with a button copying it. */
function EndpointUrl(props: { url: string }): JSX.Element {
  const { url } = props;
  const [copied, setCopied] = React.useState(false);
  React.useEffect(() => {
    if (!copied) {
      return;
    }
    const timer = window.setTimeout(() => setCopied(false), 1500);
    return () => window.clearTimeout(timer);
  }, [copied]);
  return (
    <div className="jp-matih-endpoint-url-row">
      <code className="jp-matih-endpoint-url" title={url} aria-label="Endpoint URL">
        {url}
      </code>
      <button
        type="button"
        className="jp-mod-styled jp-matih-icon-button"
        aria-label={`Copy the URL ${url}`}
        title="Copy the URL"
        onClick={() => {
          Clipboard.copyToSystem(url);
          setCopied(true);
        }}
      >
        <copyIcon.react tag="span" />
      </button>
      {copied && (
        <span className="jp-matih-note" role="status">
          Copied
        </span>
      )}
    </div>
  );
}
