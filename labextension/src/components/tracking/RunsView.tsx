import * as React from 'react';

import { PAGE_SIZE, RunsModel } from '../../models/tracking';
import { Pager } from '../common/Pager';
import { useSignal } from '../common/useSignal';
import { ColumnPicker } from './ColumnPicker';
import { FilterBox } from './FilterBox';
import { RunsTable } from './RunsTable';

export interface IRunsViewProps {
  model: RunsModel;
  /** The open experiment's name, when the experiments are listed. */
  experimentName: string | null;
  onCompare: () => void;
}

/**
 * The open experiment: filter, columns, compare, pager and the runs table. Renders on `runsChanged` (or
 * when its props change: memoized, so reloading the experiments list leaves the table alone).
 */
function RunsViewContent(props: IRunsViewProps): JSX.Element {
  const { model, experimentName, onCompare } = props;
  useSignal(model.runsChanged);
  const selected = model.selection.size;
  const page = model.page;

  return (
    <section className="jp-matih-runs-view" aria-label={`Runs of ${experimentName ?? 'experiment'}`}>
      <FilterBox
        applied={model.filter}
        error={model.filterError}
        onApply={filter => void model.setFilter(filter)}
      />
      <div className="jp-matih-toolbar">
        <ColumnPicker
          columns={model.allColumns}
          isVisible={id => model.isVisible(id)}
          onChange={(id, visible) => model.setColumnVisible(id, visible)}
        />
        <span className="jp-matih-spacer" />
        {selected > 0 && (
          <button
            type="button"
            className="jp-mod-styled jp-matih-link-button"
            onClick={() => model.clearSelection()}
            title="Clear the selection"
          >
            Clear
          </button>
        )}
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept jp-matih-button"
          disabled={selected < 2}
          title={selected < 2 ? 'Select at least two runs to compare' : `Compare ${selected} runs`}
          onClick={onCompare}
        >
          Compare ({selected})
        </button>
      </div>
      {model.error && (
        <div className="jp-matih-error" role="alert">
          {model.error}
        </div>
      )}
      <Pager
        pageIndex={model.pageIndex}
        pageSize={PAGE_SIZE}
        count={model.runs.length}
        total={page?.total}
        hasPrevious={model.hasPrevious}
        hasNext={model.hasNext}
        onPrevious={() => void model.previousPage()}
        onNext={() => void model.nextPage()}
      />
      {page === null && model.loading ? (
        <p className="jp-matih-empty">Loading runs…</p>
      ) : (
        <RunsTable
          runs={model.runs}
          columns={model.columns}
          sort={model.sort}
          selection={model.selection}
          loading={model.loading}
          onSort={column => void model.sortBy(column)}
          onToggle={(run, on) => model.toggleSelected(run, on)}
          onTogglePage={on => model.selectPage(on)}
        />
      )}
    </section>
  );
}

export const RunsView = React.memo(RunsViewContent);
