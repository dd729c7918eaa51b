import * as React from 'react';

import type { ModelStage } from '../../api';

/** A version's lifecycle stage as a colored badge, optionally with the version number. */
export function StageBadge(props: { stage: ModelStage; version?: number | null }): JSX.Element {
  const { stage, version } = props;
  return (
    <span className={`jp-matih-stage jp-matih-stage-${stage.toLowerCase()}`} data-stage={stage}>
      {version !== null && version !== undefined ? `${stage} v${version}` : stage}
    </span>
  );
}
