import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { WorkbenchClient } from '../api';
import { ComparisonView } from '../components/tracking/ComparisonView';
import { matihIcon } from '../icons';
import { ComparisonModel } from '../models/tracking';

/** Main-area shell of one comparison: owns its model; the view re-renders on `comparisonChanged`. */
export class ComparisonContent extends ReactWidget {
  constructor(options: ComparisonContent.IOptions) {
    super();
    this.addClass('jp-matih-comparison-panel');
    this.model = new ComparisonModel({ client: options.client, runIds: options.runIds });
  }

  readonly model: ComparisonModel;

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  protected render(): JSX.Element {
    return <ComparisonView model={this.model} />;
  }
}

export namespace ComparisonContent {
  export interface IOptions {
    client: WorkbenchClient;
    runIds: readonly string[];
  }
}

/** A main-area tab comparing runs, titled with their names. */
export function createComparisonPanel(
  options: ComparisonContent.IOptions & { runNames: readonly string[] }
): MainAreaWidget<ComparisonContent> {
  const content = new ComparisonContent(options);
  const panel = new MainAreaWidget({ content });
  panel.id = `matih-comparison-${options.runIds.join('-').slice(0, 64)}-${Date.now()}`;
  panel.title.label = `Compare ${options.runIds.length} runs`;
  panel.title.caption = `Compare ${options.runNames.join(', ')}`;
  panel.title.icon = matihIcon;
  panel.title.closable = true;
  void content.model.load();
  return panel;
}
