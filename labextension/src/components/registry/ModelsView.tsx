import * as React from 'react';

import type { RegistryModel } from '../../models/registry';
import { useSignal } from '../common/useSignal';
import { ApprovalsList } from './ApprovalsList';
import { ChecksList } from './ChecksList';
import { ModelDetailView } from './ModelDetailView';
import { ModelList } from './ModelList';

/** The model registry tab: approvals waiting for the user, the models, the selected model. */
export function ModelsView(props: { model: RegistryModel }): JSX.Element {
  const { model } = props;
  useSignal(model.registryChanged);
  const detail = model.detail;
  const message = model.message;
  return (
    <section className="jp-matih-registry" aria-label="Model registry">
      {model.error && (
        <div className="jp-matih-error" role="alert">
          {model.error}
        </div>
      )}
      {message && (
        <div
          className={message.kind === 'error' ? 'jp-matih-error' : 'jp-matih-success'}
          role={message.kind === 'error' ? 'alert' : 'status'}
        >
          {message.text}
          {message.checks && <ChecksList checks={message.checks} label="Refused checks" />}
        </div>
      )}
      <ApprovalsList model={model} />
      <h3 className="jp-matih-section-title">Models</h3>
      <ModelList
        models={model.models}
        selected={model.selectedName}
        loaded={model.loaded}
        onSelect={name => void model.select(name)}
      />
      {detail && detail.name === model.selectedName && <ModelDetailView model={model} detail={detail} />}
    </section>
  );
}
