import { caretLeftIcon, caretRightIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { formatRange } from './format';

export interface IPagerProps {
  pageIndex: number;
  pageSize: number;
  count: number;
  total: number | null | undefined;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}

/** "1–100 of 10,000 runs" with previous/next: the server pages with tokens. */
export function Pager(props: IPagerProps): JSX.Element {
  const first = props.pageIndex * props.pageSize;
  return (
    <nav className="jp-matih-pager" aria-label="Runs pages">
      <span className="jp-matih-pager-range" role="status" aria-live="polite">
        {formatRange(first, props.count, props.total)}
      </span>
      <button
        type="button"
        className="jp-mod-styled jp-matih-button"
        aria-label="Previous page"
        disabled={!props.hasPrevious}
        onClick={props.onPrevious}
      >
        <caretLeftIcon.react tag="span" />
        Prev
      </button>
      <button
        type="button"
        className="jp-mod-styled jp-matih-button"
        aria-label="Next page"
        disabled={!props.hasNext}
        onClick={props.onNext}
      >
        Next
        <caretRightIcon.react tag="span" />
      </button>
    </nav>
  );
}
