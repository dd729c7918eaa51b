import * as React from 'react';

import type { PanelView } from '../../models/workbench';
import { classes } from './format';

export interface IPanelTab {
  id: PanelView;
  label: string;
  /** A count shown next to the label (running jobs, pending approvals), when above zero. */
  count?: number;
  countLabel?: string;
}

export interface IPanelTabsProps {
  tabs: readonly IPanelTab[];
  view: PanelView;
  onChange: (view: PanelView) => void;
}

export function tabId(view: PanelView): string {
  return `jp-matih-tab-${view}`;
}

export function tabPanelId(view: PanelView): string {
  return `jp-matih-tabpanel-${view}`;
}

/** The panel's views as an ARIA tab list (arrow keys move between tabs). */
export function PanelTabs(props: IPanelTabsProps): JSX.Element {
  const { tabs, view, onChange } = props;

  const onKeyDown = (event: React.KeyboardEvent<HTMLDivElement>) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) {
      return;
    }
    event.preventDefault();
    const index = tabs.findIndex(tab => tab.id === view);
    const next = tabs[(index + step + tabs.length) % tabs.length];
    onChange(next.id);
    document.getElementById(tabId(next.id))?.focus();
  };

  return (
    <div className="jp-matih-tabs" role="tablist" aria-label="MATIH views" onKeyDown={onKeyDown}>
      {tabs.map(tab => {
        const selected = tab.id === view;
        return (
          <button
            key={tab.id}
            id={tabId(tab.id)}
            type="button"
            role="tab"
            aria-selected={selected}
            aria-controls={tabPanelId(tab.id)}
            tabIndex={selected ? 0 : -1}
            className={classes('jp-matih-tab', selected && 'jp-mod-selected')}
            onClick={() => onChange(tab.id)}
          >
            {tab.label}
            {!!tab.count && (
              <>
                <span className="jp-matih-badge jp-matih-tab-count" aria-hidden="true" title={tab.countLabel}>
                  {tab.count}
                </span>
                <span className="jp-matih-sr-only">, {tab.countLabel}</span>
              </>
            )}
          </button>
        );
      })}
    </div>
  );
}
