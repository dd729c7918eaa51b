import * as React from 'react';

import type { Endpoint, EndpointVersion, ModelStage } from '../../api';
import {
  checkSplit,
  draftOf,
  liveVersions,
  parseShare,
  sameSplit,
  ServingModel,
  setShare,
  SplitDraft
} from '../../models/serving';
import { formatFullTime, formatShortTime } from '../common/format';
import { StageBadge } from '../registry/StageBadge';
import { ConfirmButton } from './ServingMessage';

const STAGES = new Set<string>(['Development', 'Staging', 'Production', 'Archived']);

export interface ITrafficEditorProps {
  model: ServingModel;
  endpoint: Endpoint;
}

/**
 * The versions behind an endpoint, each with its share of the live traffic as a slider and a percent field
 * (two live versions stay complementary), its shadow switch and its removal. Nothing is sent while editing:
 * Apply sends the whole split as one change, once it differs from the live one and sums to 100.
 */
export function TrafficEditor(props: ITrafficEditorProps): JSX.Element {
  const { model, endpoint } = props;
  const live = liveVersions(endpoint);
  const [edited, setEdited] = React.useState<SplitDraft | null>(null);
  // A version joined or left meanwhile: the edit no longer fits, start from the live split again.
  const fits = edited !== null && sameKeys(edited, live);
  const draft = fits ? edited : draftOf(endpoint);
  const check = checkSplit(draft);
  const changed = fits && !sameSplit(draft, endpoint);
  const pending = model.pending(endpoint.name) !== null;
  const canary = endpoint.canary && ['running', 'waiting_approval'].includes(endpoint.canary.status);
  const locked = !endpoint.can_change_traffic || pending || !!canary;

  const apply = async () => {
    if (check.weights && (await model.setTraffic(endpoint.name, check.weights))) {
      setEdited(null);
    }
  };

  return (
    <div className="jp-matih-traffic-editor" role="group" aria-label={`Traffic of ${endpoint.name}`}>
      <div className="jp-matih-versions-scroll">
        <table
          className="jp-matih-runs jp-matih-endpoint-versions"
          aria-label={`Versions of ${endpoint.name}`}
        >
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col" className="jp-matih-traffic-col">
                Traffic
              </th>
              <th scope="col">Shadow</th>
              <th scope="col">
                <span className="jp-matih-sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {endpoint.versions.map(version => (
              <VersionRow
                key={version.version}
                model={model}
                endpoint={endpoint}
                version={version}
                text={draft[version.version] ?? null}
                locked={locked}
                onShare={text => setEdited(setShare(draft, version.version, text))}
                onlyLive={live.length === 1}
                alone={endpoint.versions.length === 1}
              />
            ))}
          </tbody>
        </table>
      </div>
      {canary && (
        <p className="jp-matih-note">A canary is rolling out: the split follows its steps until it ends.</p>
      )}
      {live.length > 1 && !canary && (
        <div className="jp-matih-toolbar">
          <span
            className={`jp-matih-split-total${check.total === 100 ? '' : ' jp-mod-invalid'}`}
            aria-label="Sum of the shares"
          >
            Sum {check.total}%
          </span>
          <span className="jp-matih-spacer" />
          <button
            type="button"
            className="jp-mod-styled jp-matih-link-button"
            disabled={!fits || locked}
            onClick={() => setEdited(null)}
          >
            Reset
          </button>
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-matih-button"
            disabled={!changed || check.weights === null || locked}
            title="Send the whole split as one change"
            onClick={() => void apply()}
          >
            Apply split
          </button>
        </div>
      )}
      {fits && check.problem && (
        <div className="jp-matih-error" role="alert">
          {check.problem}
        </div>
      )}
    </div>
  );
}

interface IVersionRowProps {
  model: ServingModel;
  endpoint: Endpoint;
  version: EndpointVersion;
  /** The percent field's text; null for a shadow. */
  text: string | null;
  locked: boolean;
  onShare: (text: string) => void;
  /** This is the only live version (it cannot become a shadow). */
  onlyLive: boolean;
  /** This is the only version (removing it is undeploying the endpoint). */
  alone: boolean;
}

function VersionRow(props: IVersionRowProps): JSX.Element {
  const { model, endpoint, version, text, locked, onShare, onlyLive, alone } = props;
  const v = version.version;
  const share = text === null ? null : parseShare(text);
  // The only live version takes all the traffic: there is nothing to split.
  const shareLocked = locked || onlyLive;
  const deployedAt = version.deployed_at * 1000;
  const stage = version.stage && STAGES.has(version.stage) ? (version.stage as ModelStage) : null;
  const shadowProblem = version.shadow
    ? null
    : onlyLive
      ? 'The only live version cannot become a shadow'
      : version.weight > 0
        ? 'Move its traffic to 0% (and apply) before making it a shadow'
        : null;
  return (
    <tr data-version={v} className={version.shadow ? 'jp-matih-shadow-row' : undefined}>
      <th scope="row" title={`Deployed by ${version.deployed_by}, ${formatFullTime(deployedAt)}`}>
        <span className="jp-matih-version-label">v{v}</span>
        {stage ? (
          <StageBadge stage={stage} />
        ) : (
          version.stage && <span className="jp-matih-stage">{version.stage}</span>
        )}
        <span className="jp-matih-deployed">
          {version.deployed_by} · <time>{formatShortTime(deployedAt)}</time>
          {version.served_by && version.served_by !== 'ray-serve' && ` · via ${version.served_by}`}
        </span>
      </th>
      <td className="jp-matih-traffic-col">
        {text === null ? (
          <span
            className="jp-matih-muted"
            title="Gets a copy of the live traffic; its answers are never returned"
          >
            shadow copy
          </span>
        ) : (
          <div className="jp-matih-share">
            <input
              type="range"
              className="jp-matih-slider"
              min={0}
              max={100}
              step={1}
              value={share ?? 0}
              aria-label={`Traffic of version ${v}`}
              aria-valuetext={`${share ?? 0}%`}
              disabled={shareLocked}
              onChange={event => onShare(event.target.value)}
            />
            <input
              type="number"
              className="jp-mod-styled jp-matih-input jp-matih-share-input"
              min={0}
              max={100}
              step={1}
              value={text}
              aria-label={`Traffic percent of version ${v}`}
              aria-invalid={share === null}
              disabled={shareLocked}
              onChange={event => onShare(event.target.value)}
            />
            <span aria-hidden="true">%</span>
          </div>
        )}
      </td>
      <td>
        <input
          type="checkbox"
          checked={version.shadow}
          aria-label={`Shadow version ${v}`}
          title={shadowProblem ?? 'A copy of the live traffic: answers compared, never returned'}
          disabled={locked || shadowProblem !== null}
          onChange={event => void model.setShadow(endpoint.name, v, event.target.checked)}
        />
      </td>
      <td className="jp-matih-version-actions">
        {!alone && (
          <ConfirmButton
            label="Remove"
            confirmLabel="Confirm?"
            ariaLabel={`Remove version ${v}`}
            title={
              !version.shadow && version.weight > 0
                ? 'Move its traffic away (and apply) before removing it'
                : `Remove v${v} from ${endpoint.name}`
            }
            disabled={locked || (!version.shadow && version.weight > 0)}
            onConfirm={() => void model.undeploy(endpoint.name, v)}
          />
        )}
      </td>
    </tr>
  );
}

function sameKeys(draft: SplitDraft, live: readonly EndpointVersion[]): boolean {
  const keys = Object.keys(draft);
  return keys.length === live.length && live.every(v => keys.includes(v.version));
}
