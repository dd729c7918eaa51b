import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_NAMESPACE, ApiError, Query, queryString, requestAPI, SERVER_EXTENSION_MISSING } from './request';
import type {
  Alert,
  AlertList,
  BestRun,
  CheckHistory,
  CheckOutcome,
  ConsistencyReport,
  DatasetLineage,
  DriftReport,
  FeatureSample,
  FeatureStoreOverview,
  MaterializationJob,
  HealthReport,
  MonitoredEndpoint,
  MonitoredEndpointList,
  CanaryPolicy,
  DecisionResult,
  Deployment,
  DeploymentList,
  DeployRequest,
  Endpoint,
  EndpointList,
  EndpointStats,
  GovernanceReport,
  ModelCard,
  ModelDetail,
  ModelHistory,
  ModelList,
  ModelStage,
  PromotionRequestList,
  RegisteredModelSummary,
  TransitionResult,
  EventList,
  Experiment,
  ExperimentKeys,
  ExperimentList,
  MetricHistory,
  RunComparison,
  RunDetail,
  RunPage,
  ServerInfo,
  TrainingJobSummary,
  TrainingJobSummaryList
} from './types.gen';

/** Which runs of an experiment to list: one server-side page. */
export interface IRunQuery {
  /** MLflow filter syntax, e.g. `metrics.acc > 0.9 and params.model = 'rf'`. */
  filter?: string;
  /** e.g. `metrics.loss ASC`, `attributes.start_time DESC`; first wins. */
  orderBy?: readonly string[];
  pageSize?: number;
  pageToken?: string | null;
}

export type MetricMode = 'max' | 'min';

/** Typed client owning every REST endpoint of the server extension; widgets never fetch. */
export class WorkbenchClient {
  readonly serverSettings: ServerConnection.ISettings;

  constructor(options: WorkbenchClient.IOptions = {}) {
    this.serverSettings = options.serverSettings ?? ServerConnection.makeSettings();
  }

  /** Server info; also the probe telling whether the server extension is enabled at all. */
  async info(): Promise<ServerInfo> {
    try {
      return await this._get<ServerInfo>('info');
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 0)) {
        throw new ApiError({
          status: error.status,
          message: SERVER_EXTENSION_MISSING,
          reason: 'server_extension_missing'
        });
      }
      throw error;
    }
  }

  async experiments(view: 'active' | 'deleted' | 'all' = 'active'): Promise<Experiment[]> {
    const list = await this._get<ExperimentList>('experiments', { view });
    return list.experiments;
  }

  experiment(experimentId: string): Promise<Experiment> {
    return this._get(`experiments/${enc(experimentId)}`);
  }

  experimentKeys(experimentId: string): Promise<ExperimentKeys> {
    return this._get(`experiments/${enc(experimentId)}/keys`);
  }

  runs(experimentId: string, query: IRunQuery = {}): Promise<RunPage> {
    return this._get(`experiments/${enc(experimentId)}/runs`, {
      filter: query.filter?.trim(),
      order_by: query.orderBy ?? [],
      page_size: query.pageSize ?? 100,
      page_token: query.pageToken
    });
  }

  bestRun(experimentId: string, metric: string, mode: MetricMode = 'max'): Promise<BestRun> {
    return this._get(`experiments/${enc(experimentId)}/best-run`, { metric, mode });
  }

  run(runId: string): Promise<RunDetail> {
    return this._get(`runs/${enc(runId)}`);
  }

  metricHistory(runId: string, key: string): Promise<MetricHistory> {
    return this._get(`runs/${enc(runId)}/metrics/${enc(key)}`);
  }

  /** Params side by side, metric summaries with the best run, histories aligned by step. */
  compare(runIds: readonly string[], modes: Record<string, MetricMode> = {}): Promise<RunComparison> {
    const mode = Object.entries(modes).map(([key, value]) => `${key}:${value}`);
    if (runIds.length > 40) {
      // Long lists would overflow a URL: the same resource takes a JSON body.
      return requestAPI<RunComparison>(
        'comparisons',
        { method: 'POST', body: JSON.stringify({ run_ids: runIds, modes }) },
        this.serverSettings
      );
    }
    return this._get('comparisons', { run_id: runIds, mode });
  }

  /** Training jobs of the workspace, most recently started first, with their progress. */
  async jobs(limit = 50): Promise<TrainingJobSummary[]> {
    const list = await this._get<TrainingJobSummaryList>('jobs', { limit });
    return list.jobs;
  }

  job(jobId: string): Promise<TrainingJobSummary> {
    return this._get(`jobs/${enc(jobId)}`);
  }

  /**
   * Ask the kernel running a job to cancel it (202 with the job, `cancel_requested` set). The job ends KILLED
   * when that kernel has stopped it: the MODEL_TRAINING_FAILED event says so. 409 once the job has ended.
   */
  cancelJob(jobId: string): Promise<TrainingJobSummary> {
    return this._post(`jobs/${enc(jobId)}/cancel`, {});
  }

  // -- model registry -------------------------------------------------------------------------------

  async models(): Promise<RegisteredModelSummary[]> {
    const list = await this._get<ModelList>('models');
    return list.models;
  }

  /** A model with its versions, thresholds and whether the current user may approve its promotions. */
  model(name: string): Promise<ModelDetail> {
    return this._get(`models/${enc(name)}`);
  }

  modelHistory(name: string): Promise<ModelHistory> {
    return this._get(`models/${enc(name)}/history`);
  }

  /** The governance checks a version would face for `stage`, without changing anything. */
  checks(name: string, version: number, stage: ModelStage): Promise<GovernanceReport> {
    return this._get(`models/${enc(name)}/versions/${version}/checks`, { stage });
  }

  /** Move a version; Production files a promotion request (status `pending_approval`). */
  transition(
    name: string,
    version: number,
    stage: ModelStage,
    reason: string | null
  ): Promise<TransitionResult> {
    return this._post(`models/${enc(name)}/versions/${version}/transitions`, { stage, reason });
  }

  /** Where the browser downloads a version's card as a Markdown or HTML file. */
  cardDownloadUrl(name: string, version: number, format: 'markdown' | 'html'): string {
    const path = `models/${enc(name)}/versions/${version}/card`;
    return (
      URLExt.join(this.serverSettings.baseUrl, API_NAMESPACE, path) + queryString({ format, download: '1' })
    );
  }

  card(name: string, version: number): Promise<ModelCard> {
    return this._get(`models/${enc(name)}/versions/${version}/card`);
  }

  /** Promotion requests; `actionable` keeps those the current user may decide. */
  promotions(
    query: { status?: 'pending' | 'approved' | 'rejected'; model?: string; actionable?: boolean } = {}
  ): Promise<PromotionRequestList> {
    return this._get('promotions', {
      status: query.status ?? 'pending',
      model: query.model,
      actionable: query.actionable ? '1' : null
    });
  }

  decide(requestId: string, decision: 'approve' | 'reject', comment: string): Promise<DecisionResult> {
    return this._post(`promotions/${enc(requestId)}/decision`, { decision, comment });
  }

  // -- serving ---------------------------------------------------------------------------------------

  /** Every deployment of the workspace (a registered version behind an endpoint), most recent first. */
  async deployments(): Promise<Deployment[]> {
    const list = await this._get<DeploymentList>('deployments');
    return list.deployments;
  }

  /** Every endpoint of the workspace with its versions, split, rollout and whether the user may change it. */
  async endpoints(): Promise<Endpoint[]> {
    const list = await this._get<EndpointList>('endpoints');
    return list.endpoints;
  }

  endpoint(name: string): Promise<Endpoint> {
    return this._get(`endpoints/${enc(name)}`);
  }

  /**
   * Deploy a registered version (`NAME@production`, `NAME@3`...): a new endpoint takes all its traffic, a
   * version joining an endpoint gets 0% (or a shadow). Slow: a Ray Serve application starts (10-60 s).
   */
  deploy(request: DeployRequest): Promise<Endpoint> {
    return this._post('endpoints', request);
  }

  /** Remove one version (it must have no live traffic left), or the whole endpoint; the endpoints left. */
  async undeploy(name: string, version?: string): Promise<Endpoint[]> {
    const path = `endpoints/${enc(name)}` + queryString({ version });
    const list = await requestAPI<EndpointList>(path, { method: 'DELETE' }, this.serverSettings);
    return list.endpoints;
  }

  /** The new split of the live versions, in percent summing to 100, as one atomic change. */
  setTraffic(name: string, weights: Record<string, number>): Promise<Endpoint> {
    return this._put(`endpoints/${enc(name)}/traffic`, { weights });
  }

  /** Make a version (with no live traffic) a shadow of the live traffic, or stop it. */
  setShadow(name: string, version: string, enabled: boolean): Promise<Endpoint> {
    return this._put(`endpoints/${enc(name)}/shadow`, { version, enabled });
  }

  startCanary(name: string, policy: CanaryPolicy): Promise<Endpoint> {
    return this._post(`endpoints/${enc(name)}/canary`, policy);
  }

  stopCanary(name: string): Promise<Endpoint> {
    return requestAPI<Endpoint>(`endpoints/${enc(name)}/canary`, { method: 'DELETE' }, this.serverSettings);
  }

  /** Live counters per version; latencies and predictions over the requests since `since` (epoch seconds). */
  endpointStats(name: string, since = 0): Promise<EndpointStats> {
    return this._get(`endpoints/${enc(name)}/stats`, { since });
  }

  // -- monitoring ------------------------------------------------------------------------------------

  /** Every endpoint with its versions, last check and alert count. */
  async monitoredEndpoints(): Promise<MonitoredEndpoint[]> {
    const list = await this._get<MonitoredEndpointList>('monitoring/endpoints');
    return list.endpoints;
  }

  /** Drift of the endpoint's last `window` (`1h`, `1d`...) against its live version's baseline. */
  drift(name: string, window = '1d'): Promise<DriftReport> {
    return this._get(`monitoring/endpoints/${enc(name)}/drift`, { window });
  }

  /** Error rate, p95 latency and volume of the endpoint's last `window`. */
  health(name: string, window = '1h'): Promise<HealthReport> {
    return this._get(`monitoring/endpoints/${enc(name)}/health`, { window });
  }

  /** The endpoint's past checks, oldest first. */
  driftHistory(name: string, limit = 500): Promise<CheckHistory> {
    return this._get(`monitoring/endpoints/${enc(name)}/history`, { limit });
  }

  /** Apply the model's alert rules to the endpoint now; the alerts it raised. */
  checkNow(name: string): Promise<CheckOutcome> {
    return this._post(`monitoring/endpoints/${enc(name)}/checks`, {});
  }

  /** The alerts raised so far (of one endpoint, or all), newest first. */
  async alerts(endpoint?: string, limit = 100): Promise<Alert[]> {
    const list = await this._get<AlertList>('monitoring/alerts', { endpoint, limit });
    return list.alerts;
  }

  // -- features --------------------------------------------------------------------------------------

  /** The feature repository's views with statistics and freshness, its entities and feature services. */
  featureOverview(): Promise<FeatureStoreOverview> {
    return this._get('features');
  }

  /**
   * Start an incremental materialization of `views` (default: every online view) up to now, in the
   * background (202); follow it with `materialization(id)`. FEATURES_MATERIALIZED follows its success.
   */
  materialize(views?: readonly string[]): Promise<MaterializationJob> {
    return this._post('features/materializations', { views: views?.length ? views : null });
  }

  materialization(jobId: string): Promise<MaterializationJob> {
    return this._get(`features/materializations/${enc(jobId)}`);
  }

  /** Online against offline values (as of the last materialization) for `sample` entities of each view. */
  featureCheck(sample = 10, views: readonly string[] = []): Promise<ConsistencyReport> {
    return this._get('features/check', { sample, view: views });
  }

  /** The newest `limit` rows of a view's offline source. */
  featureRows(view: string, limit = 20): Promise<FeatureSample> {
    return this._get(`features/views/${enc(view)}/rows`, { limit });
  }

  /** The registered versions trained on a feature view, with its definition hash at training. */
  featureViewLineage(view: string): Promise<DatasetLineage> {
    return this._get(`lineage/feature-views/${enc(view)}`);
  }

  events(after = 0, limit = 100): Promise<EventList> {
    return this._get('events', { after, limit });
  }

  private _get<T>(path: string, query?: Query): Promise<T> {
    return requestAPI<T>(path + queryString(query), { method: 'GET' }, this.serverSettings);
  }

  private _post<T>(path: string, body: unknown): Promise<T> {
    return requestAPI<T>(path, { method: 'POST', body: JSON.stringify(body) }, this.serverSettings);
  }

  private _put<T>(path: string, body: unknown): Promise<T> {
    return requestAPI<T>(path, { method: 'PUT', body: JSON.stringify(body) }, this.serverSettings);
  }
}

export namespace WorkbenchClient {
  export interface IOptions {
    serverSettings?: ServerConnection.ISettings;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
