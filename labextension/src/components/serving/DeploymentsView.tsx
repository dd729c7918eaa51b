import * as React from 'react';

import type { ServingModel } from '../../models/serving';
import { useSignal } from '../common/useSignal';
import { DeployForm } from './DeployForm';
import { EndpointCard } from './EndpointCard';

export interface IDeploymentsViewProps {
  model: ServingModel;
}

/**
 * The Deployments tab: a form to deploy a registered version, then one card per endpoint (its versions and
 * traffic split, shadow, canary, live stats). The live stats are polled only while this view is on screen.
 */
export function DeploymentsView(props: IDeploymentsViewProps): JSX.Element {
  const { model } = props;
  useSignal(model.deploymentsChanged);
  const ref = React.useRef<HTMLElement>(null);
  const endpoints = model.endpoints;

  React.useEffect(() => {
    // Hidden when the sidebar collapses (no layout box) or the page is in the background.
    const watch = model.stats.watch(() => (ref.current?.offsetParent ?? null) !== null);
    return () => watch.dispose();
  }, [model]);

  const versions = endpoints.reduce((count, e) => count + e.versions.length, 0);
  return (
    <section className="jp-matih-deployments-view" aria-label="Deployments" ref={ref}>
      <DeployForm model={model} />
      <p className="jp-matih-note" role="status" aria-live="polite">
        {!model.loaded
          ? 'Loading endpoints…'
          : `${plural(endpoints.length, 'endpoint')} · ${plural(versions, 'version')} deployed`}
      </p>
      {model.error && (
        <div className="jp-matih-error" role="alert">
          {model.error}
        </div>
      )}
      {model.loaded && endpoints.length === 0 && !model.error && (
        <p className="jp-matih-empty">
          No endpoints yet: deploy a registered version above, or from a notebook with{' '}
          <code>%matih deploy MODEL@production</code>; it shows here live.
        </p>
      )}
      {endpoints.map(endpoint => (
        <EndpointCard key={endpoint.name} model={model} endpoint={endpoint} />
      ))}
    </section>
  );
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
