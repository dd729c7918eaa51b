import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { EventStream, WorkbenchClient } from '../api';
import { WorkbenchView } from '../components/WorkbenchView';
import { matihIcon } from '../icons';
import { WorkbenchModel } from '../models/workbench';
import { PANEL_ID } from '../tokens';

/** The left-sidebar shell: owns the model; the React view listens to its signals, part by part. */
export class WorkbenchPanel extends ReactWidget {
  constructor(options: WorkbenchPanel.IOptions) {
    super();
    this.id = PANEL_ID;
    this.addClass('jp-matih-panel');
    this.title.icon = matihIcon;
    this.title.caption = 'MATIH Workbench';
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'MATIH Workbench');
    this.model = new WorkbenchModel({ client: options.client, events: options.events });
    this._onCompare = options.onCompare;
  }

  readonly model: WorkbenchModel;

  /** Ask the server for its info and experiments; call once after construction. */
  start(): Promise<void> {
    return this.model.start();
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  protected render(): JSX.Element {
    return <WorkbenchView model={this.model} onCompare={this._onCompare} />;
  }

  private _onCompare: () => void;
}

export namespace WorkbenchPanel {
  export interface IOptions {
    client: WorkbenchClient;
    events: EventStream | null;
    /** Open a comparison of the selected runs. */
    onCompare: () => void;
  }
}
