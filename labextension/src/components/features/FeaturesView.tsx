import * as React from 'react';

import type { FeaturesModel } from '../../models/features';
import { useSignal } from '../common/useSignal';
import { EntitiesTable, FeatureServicesTable } from './RepositoryTables';
import { FeatureViewDetail } from './FeatureViewDetail';
import { FeatureViewsTable } from './FeatureViewsTable';
import { MaterializeControls } from './MaterializeControls';

export interface IFeaturesViewProps {
  model: FeaturesModel;
}

/**
 * The Features tab: the feature views with their freshness (stale ones flagged), "Materialize" and its
 * progress, the selected view's statistics, sample rows, models and consistency check, then the entities
 * and feature services. Reloaded by the event stream, never polled.
 */
export function FeaturesView(props: IFeaturesViewProps): JSX.Element {
  const { model } = props;
  useSignal(model.featuresChanged);
  const overview = model.overview;
  const views = model.views;
  const stale = views.filter(v => v.stale).length;
  const selected = model.selectedView;

  return (
    <section className="jp-matih-features-view" aria-label="Features">
      <div className="jp-matih-features-toolbar">
        <p className="jp-matih-note" role="status" aria-live="polite">
          {!model.loaded
            ? 'Loading the feature store…'
            : overview === null
              ? ''
              : `${views.length} feature view${views.length === 1 ? '' : 's'}, ${stale} stale · project ` +
                `${overview.project} · ${overview.online_store} online store`}
        </p>
        <MaterializeControls model={model} />
      </div>
      {model.error && (
        <div className="jp-matih-error" role="alert">
          {model.error}
        </div>
      )}
      {overview !== null && views.length === 0 && (
        <p className="jp-matih-empty">
          No feature views in {overview.repo_path}: define some, then <code>%matih features apply</code>.
        </p>
      )}
      {views.length > 0 && <FeatureViewsTable model={model} />}
      {selected !== null && <FeatureViewDetail model={model} view={selected} />}
      {overview !== null && <EntitiesTable entities={overview.entities} />}
      {overview !== null && <FeatureServicesTable services={overview.services} />}
    </section>
  );
}
