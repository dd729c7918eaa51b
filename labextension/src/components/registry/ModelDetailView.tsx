import * as React from 'react';

import type { ModelDetail } from '../../api';
import type { RegistryModel } from '../../models/registry';
import { HistoryTimeline } from './HistoryTimeline';
import { ModelCardView } from './ModelCardView';
import { TransitionControls } from './TransitionControls';
import { VersionsTable } from './VersionsTable';

/** One model: owners and thresholds, versions, the selected version (moves, card), the history. */
export function ModelDetailView(props: { model: RegistryModel; detail: ModelDetail }): JSX.Element {
  const { model, detail } = props;
  const versions = detail.versions ?? [];
  const version = versions.find(v => v.version === model.selectedVersion) ?? null;

  return (
    <section className="jp-matih-model" aria-label={`Model ${detail.name}`}>
      <p className="jp-matih-note">
        {detail.description && <>{detail.description} · </>}
        owners: {(detail.owners ?? []).join(', ') || 'none'}
        {detail.can_approve && ' · you may approve its promotions'}
      </p>
      {(detail.thresholds ?? []).length > 0 && (
        <p className="jp-matih-note">
          Thresholds:{' '}
          {(detail.thresholds ?? []).map(t => (
            <code key={t.expression} className="jp-matih-threshold">
              {t.expression}
            </code>
          ))}
        </p>
      )}
      <VersionsTable
        versions={versions}
        selected={model.selectedVersion}
        onSelect={v => void model.selectVersion(v)}
      />
      {version && (
        <>
          <h3 className="jp-matih-section-title">
            Version {version.version}
            <span className="jp-matih-section-subtitle"> · {version.stage}</span>
          </h3>
          <TransitionControls key={version.version} model={model} version={version} />
          <div className="jp-matih-section-head">
            <h3 className="jp-matih-section-title">Model card</h3>
            <span className="jp-matih-card-links">
              Download{' '}
              <a href={model.cardUrl('markdown') ?? '#'} download>
                Markdown
              </a>{' '}
              ·{' '}
              <a href={model.cardUrl('html') ?? '#'} download>
                HTML
              </a>
            </span>
          </div>
          {model.card ? (
            <ModelCardView card={model.card} />
          ) : (
            <p className="jp-matih-note">{model.cardError ?? 'Loading the model card…'}</p>
          )}
        </>
      )}
      <h3 className="jp-matih-section-title">History</h3>
      <HistoryTimeline history={model.history} />
    </section>
  );
}
