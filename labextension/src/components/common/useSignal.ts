import type { ISignal } from '@lumino/signaling';
import * as React from 'react';

/**
 * Re-render the calling component whenever one of `signals` is emitted, and only then: each view listens to
 * the signal of the state it shows (`runsChanged`, `jobsChanged`, ...), so other capabilities' changes
 * leave it alone.
 */
export function useSignal(...signals: ISignal<unknown, unknown>[]): void {
  const [, rerender] = React.useReducer((count: number) => count + 1, 0);
  // A layout effect: connected in the same task as the render, so no emission falls in between.
  React.useLayoutEffect(() => {
    const slot = () => rerender();
    for (const signal of signals) {
      signal.connect(slot);
    }
    return () => {
      for (const signal of signals) {
        signal.disconnect(slot);
      }
    };
  }, signals);
}
