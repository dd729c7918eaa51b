import * as React from 'react';

import type { ModelVersionInfo } from '../../api';
import { classes, formatFullTime, formatShortTime } from '../common/format';
import { StageBadge } from './StageBadge';

export interface IVersionsTableProps {
  versions: readonly ModelVersionInfo[];
  selected: number | null;
  onSelect: (version: number) => void;
}

/** A model's versions, newest first: stage badge, pending request, run, who moved it last and when. */
export function VersionsTable(props: IVersionsTableProps): JSX.Element {
  const { versions, selected, onSelect } = props;
  const rows = [...versions].sort((a, b) => b.version - a.version);
  return (
    <div className="jp-matih-table-scroll">
      <table className="jp-matih-runs jp-matih-versions" aria-label="Versions">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Stage</th>
            <th scope="col">Run</th>
            <th scope="col">Changed</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(v => (
            <tr
              key={v.version}
              data-version={v.version}
              aria-selected={v.version === selected}
              className={classes(v.version === selected && 'jp-mod-selected')}
              onClick={() => onSelect(v.version)}
            >
              <th scope="row">
                <button
                  type="button"
                  className="jp-matih-link-button jp-matih-version-button"
                  aria-label={`Version ${v.version}`}
                  aria-pressed={v.version === selected}
                  onClick={() => onSelect(v.version)}
                >
                  v{v.version}
                </button>
              </th>
              <td>
                <StageBadge stage={v.stage} />
                {v.pending_request_id && (
                  <span className="jp-matih-pending" title={`request ${v.pending_request_id}`}>
                    approval pending
                  </span>
                )}
              </td>
              <td className="jp-matih-mono" title={v.source}>
                {v.run_id?.slice(0, 8) ?? ''}
              </td>
              <td title={formatFullTime((v.stage_changed_at ?? 0) * 1000)}>
                {v.stage_changed_by ?? v.registered_by ?? ''}
                {v.stage_changed_at ? ` · ${formatShortTime(v.stage_changed_at * 1000)}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
