import * as React from 'react';

import type { IRunColumn } from '../../models/tracking';

export interface IColumnPickerProps {
  columns: readonly IRunColumn[];
  isVisible: (columnId: string) => boolean;
  onChange: (columnId: string, visible: boolean) => void;
}

/** A disclosure with one checkbox per param and metric of the experiment; closes on outside click or Escape. */
export function ColumnPicker(props: IColumnPickerProps): JSX.Element {
  const { columns, isVisible, onChange } = props;
  const ref = React.useRef<HTMLDetailsElement>(null);
  const groups: [string, IRunColumn[]][] = [
    ['Params', columns.filter(c => c.kind === 'param')],
    ['Metrics', columns.filter(c => c.kind === 'metric')]
  ];
  const shown = columns.filter(c => c.kind !== 'attribute' && isVisible(c.id)).length;
  const total = columns.filter(c => c.kind !== 'attribute').length;

  React.useEffect(() => {
    const close = (event: MouseEvent) => {
      const details = ref.current;
      if (details?.open && !details.contains(event.target as Node)) {
        details.open = false;
      }
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, []);

  return (
    <details
      className="jp-matih-columns"
      ref={ref}
      onKeyDown={event => {
        if (event.key === 'Escape' && ref.current?.open) {
          event.stopPropagation();
          ref.current.open = false;
          ref.current.querySelector('summary')?.focus();
        }
      }}
    >
      <summary className="jp-mod-styled jp-matih-button" aria-label="Columns">
        Columns ({shown}/{total})
      </summary>
      <div className="jp-matih-columns-menu" role="group" aria-label="Visible columns">
        {groups.map(([title, group]) =>
          group.length === 0 ? null : (
            <fieldset key={title}>
              <legend>{title}</legend>
              {group.map(column => (
                <label key={column.id}>
                  <input
                    type="checkbox"
                    checked={isVisible(column.id)}
                    onChange={e => onChange(column.id, e.currentTarget.checked)}
                  />
                  {column.label}
                </label>
              ))}
            </fieldset>
          )
        )}
        {total === 0 && <p className="jp-matih-empty">No params or metrics logged yet.</p>}
      </div>
    </details>
  );
}
