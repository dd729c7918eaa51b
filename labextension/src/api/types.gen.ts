/* eslint-disable */
/**
 * Generated from the Pydantic models in matih_workbench/models by `jlpm gen:types`.
 * Do not edit: change the models, then run `jlpm gen:types` (`jlpm check:types` fails on drift).
 */

/**
 * Lifecycle stage of a model version, kept as the version tag ``matih.stage`` plus aliases.
 */
export type ModelStage = 'Development' | 'Staging' | 'Production' | 'Archived';
export type EventType =
  | 'MODEL_TRAINING_STARTED'
  | 'MODEL_TRAINING_COMPLETED'
  | 'MODEL_TRAINING_FAILED'
  | 'MODEL_TRAINING_CANCEL_REQUESTED'
  | 'MODEL_REGISTERED'
  | 'MODEL_PROMOTION_REQUESTED'
  | 'MODEL_PROMOTED'
  | 'MODEL_PROMOTION_REJECTED'
  | 'MODEL_ARCHIVED'
  | 'MODEL_DEPLOYED'
  | 'MODEL_UNDEPLOYED'
  | 'MODEL_EXPORTED'
  | 'TRAFFIC_CHANGED'
  | 'SHADOW_STARTED'
  | 'SHADOW_STOPPED'
  | 'CANARY_STARTED'
  | 'CANARY_STEP'
  | 'CANARY_WAITING_APPROVAL'
  | 'CANARY_PROMOTED'
  | 'CANARY_ROLLED_BACK'
  | 'MODEL_DRIFT_DETECTED'
  | 'RUNS_CHANGED';

/**
 * One metric over several runs, aligned on a shared step axis (null where a run has no point).
 */
export interface AlignedMetric {
  key: string;
  series: {
    [k: string]: (number | null)[];
  };
  steps: number[];
}
export interface ArtifactEntry {
  file_size?: number | null;
  is_dir: boolean;
  path: string;
}
export interface BestRun {
  metric: string;
  mode: 'max' | 'min';
  run: RunSummary;
  value: number;
}
export interface RunSummary {
  artifact_uri?: string | null;
  end_time?: number | null;
  experiment_id: string;
  lifecycle_stage?: string;
  /**
   * Latest value per metric; null stands for NaN.
   */
  metrics?: {
    [k: string]: number | null;
  };
  /**
   * Page of the run in the MLflow UI, when one is configured.
   */
  mlflow_url?: string | null;
  params?: {
    [k: string]: string;
  };
  run_id: string;
  run_name: string;
  start_time?: number | null;
  status: string;
  tags?: {
    [k: string]: string;
  };
  user?: string | null;
}
/**
 * A staged rollout of a candidate version; rolled back on errors or latency, promoted at the end.
 */
export interface CanaryPolicy {
  max_error_rate?: number;
  min_requests?: number;
  min_seconds?: number;
  p95_slo_ms?: number;
  rollback_min_requests?: number;
  /**
   * @minItems 1
   * @maxItems 20
   */
  steps?:
    | [number]
    | [number, number]
    | [number, number, number]
    | [number, number, number, number]
    | [number, number, number, number, number]
    | [number, number, number, number, number, number]
    | [number, number, number, number, number, number, number]
    | [number, number, number, number, number, number, number, number]
    | [number, number, number, number, number, number, number, number, number]
    | [number, number, number, number, number, number, number, number, number, number]
    | [number, number, number, number, number, number, number, number, number, number, number]
    | [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number
      ]
    | [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number
      ]
    | [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number
      ]
    | [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number
      ]
    | [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number
      ]
    | [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number
      ]
    | [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number
      ]
    | [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number
      ]
    | [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number
      ];
  version: string;
}
export interface CanaryState {
  /**
   * The version that keeps the rest of the traffic.
   */
  baseline: string;
  policy: CanaryPolicy;
  reason?: string | null;
  /**
   * The Production promotion request it waits for.
   */
  request_id?: string | null;
  /**
   * running, waiting_approval, promoted, rolled_back or stopped.
   */
  status: string;
  /**
   * Index into policy.steps of the current share.
   */
  step: number;
  step_started_at: number;
}
export interface CardMetric {
  ci_high?: number | null;
  ci_low?: number | null;
  /**
   * Value recomputed on the holdout predictions.
   */
  holdout_value?: number | null;
  name: string;
  /**
   * Value logged on the run.
   */
  value?: number | null;
}
export interface CheckResult {
  /**
   * The current Production value, for relative checks.
   */
  baseline?: number | null;
  /**
   * False for checks reported as evidence only (rollback).
   */
  blocking?: boolean;
  message: string;
  metric: string;
  op: '>=' | '>' | '<=' | '<' | '==' | 'not_worse_than_production_by';
  passed: boolean;
  threshold: number;
  /**
   * The candidate run's metric; null when it was not logged.
   */
  value: number | null;
}
export interface CodeRef {
  git_branch?: string | null;
  git_commit?: string | null;
  notebook_path?: string | null;
  parent_run_id?: string | null;
  source_name?: string | null;
}
/**
 * Body of ``POST /comparisons``, for run lists too long for a URL.
 */
export interface ComparisonRequest {
  modes?: {
    [k: string]: 'max' | 'min';
  };
  /**
   * @minItems 2
   */
  run_ids: [string, string, ...string[]];
}
/**
 * Which versions came from a dataset (by name, optionally one digest).
 */
export interface DatasetLineage {
  dataset: string;
  digest?: string | null;
  versions: VersionRef[];
}
export interface VersionRef {
  dataset_digest?: string | null;
  name: string;
  run_id?: string | null;
  stage: ModelStage;
  version: number;
}
export interface DatasetRef {
  /**
   * training, validation, test...
   */
  context?: string | null;
  date_range?: string | null;
  digest?: string | null;
  name: string;
  /**
   * The run that logged this input.
   */
  run_id?: string | null;
  source?: string | null;
  source_type?: string | null;
}
/**
 * Body of ``POST /promotions/{id}/decision``.
 */
export interface Decision {
  comment?: string;
  decision: 'approve' | 'reject';
}
/**
 * The decided request and, when approved, the transition it made.
 */
export interface DecisionResult {
  request: PromotionRequest;
  transition?: TransitionResult | null;
}
export interface PromotionRequest {
  /**
   * Whether the current user may approve this request.
   */
  can_decide?: boolean;
  comment?: string | null;
  decided_at?: number | null;
  decided_by?: string | null;
  evidence: PromotionEvidence;
  from_stage: ModelStage;
  id: string;
  model: string;
  reason?: string | null;
  requested_at: number;
  requested_by: string;
  status: 'pending' | 'approved' | 'rejected';
  target_stage: ModelStage;
  version: number;
}
export interface PromotionEvidence {
  card?: ModelCard | null;
  checks?: CheckResult[];
  metric_deltas?: MetricDelta[];
  production_version?: number | null;
}
export interface ModelCard {
  bootstrap_samples?: number;
  ci_level?: number;
  ci_method?: string;
  description?: string | null;
  drift_sensitivity?: string | null;
  fairness?: FairnessReport | null;
  history?: TransitionRecord[];
  holdout_rows?: number | null;
  /**
   * Where the holdout predictions came from.
   */
  holdout_source?: string | null;
  intended_use?: string | null;
  limitations?: string | null;
  lineage?: VersionLineage | null;
  name: string;
  primary_metric?: CardMetric | null;
  run_id?: string | null;
  secondary_metrics?: CardMetric[];
  stage: ModelStage;
  training_data?: DatasetRef[];
  version: number;
}
export interface FairnessReport {
  demographic_parity_difference?: number | null;
  equalized_odds_difference?: number | null;
  groups: GroupMetrics[];
  protected_attribute: string;
}
export interface GroupMetrics {
  accuracy?: number | null;
  auc?: number | null;
  false_positive_rate?: number | null;
  group: string;
  n: number;
  positive_rate?: number | null;
  true_positive_rate?: number | null;
}
/**
 * One entry of a model's history (a lifecycle event).
 */
export interface TransitionRecord {
  comment?: string | null;
  event_id: number;
  from_stage?: string | null;
  model: string;
  request_id?: string | null;
  time: number;
  to_stage?: string | null;
  type: string;
  user: string;
  version?: number | null;
}
/**
 * What data and code made a version, and where it went.
 */
export interface VersionLineage {
  code?: CodeRef;
  datasets?: DatasetRef[];
  deployments?: TransitionRecord[];
  edges?: LineageEdge[];
  model: string;
  nodes?: LineageNode[];
  run_id: string | null;
  version: number;
}
export interface LineageEdge {
  relation: string;
  source: string;
  target: string;
}
export interface LineageNode {
  id: string;
  kind: 'dataset' | 'run' | 'model_version' | 'deployment' | 'code';
  label: string;
}
export interface MetricDelta {
  delta: number | null;
  metric: string;
  production_value: number | null;
  value: number | null;
}
/**
 * What a transition did: ``done`` (stage changed) or ``pending_approval`` (a request was filed).
 */
export interface TransitionResult {
  /**
   * Versions archived by this transition.
   */
  archived?: number[];
  checks?: CheckResult[];
  request?: PromotionRequest | null;
  status: 'done' | 'pending_approval';
  version: ModelVersionInfo;
}
export interface ModelVersionInfo {
  aliases?: string[];
  /**
   * Milliseconds since the epoch.
   */
  created_at?: number | null;
  description?: string | null;
  name: string;
  pending_request_id?: string | null;
  registered_by?: string | null;
  run_id?: string | null;
  source: string;
  stage: ModelStage;
  /**
   * Seconds since the epoch.
   */
  stage_changed_at?: number | null;
  stage_changed_by?: string | null;
  tags?: {
    [k: string]: string;
  };
  version: number;
}
/**
 * Deploy a registered version behind an endpoint (new, or an existing one of the same model).
 */
export interface DeployRequest {
  /**
   * Defaults to the model's name.
   */
  endpoint?: string | null;
  log_sample?: number | null;
  /**
   * NAME, NAME@production, NAME@staging or NAME@VERSION.
   */
  model: string;
  /**
   * Join as a shadow: a copy of live traffic, never answered.
   */
  shadow?: boolean;
  /**
   * A record field that pins a caller.
   */
  sticky_key?: string | null;
  /**
   * Its name there.
   */
  triton_model?: string | null;
  /**
   * Route this version to an external Triton server (host:port[/path]) via tritonclient.
   */
  triton_url?: string | null;
  version?: number | null;
}
/**
 * One registered version live behind an endpoint, with its share of the endpoint's traffic.
 */
export interface Deployment {
  /**
   * Seconds since the epoch.
   */
  deployed_at: number;
  deployed_by: string;
  /**
   * The endpoint's name; several versions may stand behind one.
   */
  endpoint: string;
  model: string;
  /**
   * The model server running it, e.g. 'ray-serve'.
   */
  server: string;
  /**
   * Percent of the endpoint's requests this version gets.
   */
  traffic: number;
  /**
   * Where the endpoint answers requests.
   */
  url: string;
  version: string;
}
/**
 * Every deployment of the workspace, most recent first.
 */
export interface DeploymentList {
  deployments: Deployment[];
}
/**
 * An endpoint of the workspace: its versions and split, where it answers, its rollout.
 */
export interface Endpoint {
  /**
   * Whether requests need an API key.
   */
  api_key: boolean;
  can_change_traffic?: boolean;
  canary?: CanaryState | null;
  created_at: number;
  created_by: string;
  message?: string;
  model: string;
  name: string;
  /**
   * Ray Serve's application status (RUNNING, DEPLOYING, ...), or UNKNOWN.
   */
  status: string;
  sticky_key?: string | null;
  url: string;
  versions: EndpointVersion[];
}
export interface EndpointVersion {
  deployed_at: number;
  deployed_by: string;
  /**
   * 'ray-serve', or the Triton server it routes to.
   */
  served_by?: string;
  shadow: boolean;
  stage?: string | null;
  version: string;
  weight: number;
}
export interface EndpointList {
  endpoints: Endpoint[];
}
export interface EndpointStats {
  comparisons?: OutcomeComparison[];
  endpoint: string;
  generation: number;
  log?: {
    [k: string]: unknown;
  } | null;
  versions: {
    [k: string]: LatencyStats;
  };
}
/**
 * Observed outcomes of a version against the baseline's: an always-valid (mSPRT) test.
 */
export interface OutcomeComparison {
  baseline: string;
  baseline_mean: number | null;
  ci95: [unknown, unknown] | null;
  difference: number | null;
  mean: number | null;
  n: number;
  /**
   * Always valid: may be read after every observation.
   */
  p_value: number | null;
  significant: boolean;
  version: string;
}
export interface LatencyStats {
  errors: number;
  outcomes: {
    [k: string]: number;
  };
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  prediction_histogram: {
    [k: string]: number[];
  };
  prediction_mean: number | null;
  rejected: number;
  requests: number;
  shadow_agreed: number;
  shadow_compared: number;
  window_errors: number;
  window_requests: number;
}
/**
 * What every 4xx/5xx answer carries.
 */
export interface ErrorBody {
  details?: {
    [k: string]: unknown;
  } | null;
  hint?: string | null;
  message: string;
  reason: string;
}
export interface EventList {
  events: WorkbenchEvent[];
}
export interface WorkbenchEvent {
  /**
   * Position in the events store; increasing.
   */
  id: number;
  payload?: {
    [k: string]: unknown;
  };
  /**
   * What the event is about: an experiment id, run id, model name...
   */
  subject: string;
  /**
   * Seconds since the epoch.
   */
  time: number;
  type: EventType;
  user: string;
}
export interface Experiment {
  artifact_location?: string | null;
  creation_time?: number | null;
  experiment_id: string;
  last_update_time?: number | null;
  lifecycle_stage: string;
  name: string;
  /**
   * Active runs in the experiment, when known.
   */
  run_count?: number | null;
  tags?: {
    [k: string]: string;
  };
}
/**
 * The param, metric and tag names used by the runs of an experiment (table columns).
 */
export interface ExperimentKeys {
  experiment_id: string;
  metric_keys: string[];
  param_keys: string[];
  tag_keys: string[];
}
export interface ExperimentList {
  experiments: Experiment[];
}
/**
 * The checks a version would face for a target stage, shown before a promotion is asked.
 */
export interface GovernanceReport {
  /**
   * The transition exists from the current stage and every blocking check passes.
   */
  allowed: boolean;
  approval_required: boolean;
  checks?: CheckResult[];
  metric_deltas?: MetricDelta[];
  model: string;
  /**
   * Why the transition is not allowed, when it is not.
   */
  problem?: string | null;
  production_version?: number | null;
  stage: ModelStage;
  version: number;
}
export interface MetricHistory {
  key: string;
  points: MetricPoint[];
  run_id: string;
}
export interface MetricPoint {
  step: number;
  timestamp: number;
  value: number | null;
}
export interface MetricSummary {
  best_run_id?: string | null;
  key: string;
  mode: 'max' | 'min';
  values: {
    [k: string]: number | null;
  };
}
/**
 * Body of ``PATCH .../versions/{version}/card``: editable fields; null leaves one unchanged.
 */
export interface ModelCardUpdate {
  description?: string | null;
  drift_sensitivity?: string | null;
  intended_use?: string | null;
  limitations?: string | null;
  primary_metric?: string | null;
  protected_attribute?: string | null;
}
export interface ModelDetail {
  /**
   * Whether the current user is an owner or a lead.
   */
  can_approve?: boolean;
  created_at?: number | null;
  description?: string | null;
  latest_version?: number | null;
  name: string;
  owners?: string[];
  production_version?: number | null;
  staging_version?: number | null;
  tags?: {
    [k: string]: string;
  };
  thresholds?: Threshold[];
  updated_at?: number | null;
  versions?: ModelVersionInfo[];
}
/**
 * One baseline check, e.g. ``auc >= 0.85`` or ``auc not_worse_than_production_by 0.02``.
 */
export interface Threshold {
  /**
   * The rule as written, normalized.
   */
  expression: string;
  metric: string;
  op: '>=' | '>' | '<=' | '<' | '==' | 'not_worse_than_production_by';
  value: number;
}
export interface ModelHistory {
  history: TransitionRecord[];
  model: string;
}
export interface ModelList {
  models: RegisteredModelSummary[];
}
export interface RegisteredModelSummary {
  created_at?: number | null;
  description?: string | null;
  latest_version?: number | null;
  name: string;
  owners?: string[];
  production_version?: number | null;
  staging_version?: number | null;
  updated_at?: number | null;
}
/**
 * The baseline rules a version must meet to enter Staging.
 */
export interface ModelThresholds {
  model: string;
  thresholds: Threshold[];
}
export interface ParamRow {
  differs: boolean;
  key: string;
  values: {
    [k: string]: string | null;
  };
}
/**
 * One dimension of a search space, e.g. ``loguniform(1e-4, 1e-1)`` or ``choice(4, 8, 16)``.
 */
export interface ParamSpec {
  kind: 'loguniform' | 'uniform' | 'randint' | 'choice' | 'grid';
  /**
   * Bounds (low, high) for ranges; the options for choice/grid.
   */
  values: (number | string | boolean)[];
}
export interface PromotionRequestList {
  requests: PromotionRequest[];
}
/**
 * Body of ``POST /models``: register a run's model as a new version (stage Development).
 */
export interface RegisterRequest {
  /**
   * Name of the logged model inside the run.
   */
  artifact_path?: string;
  description?: string | null;
  name: string;
  /**
   * Model owners; default: the registrant.
   */
  owners?: string[];
  /**
   * A run id, or a runs:/RUN_ID/PATH or models:/ID URI.
   */
  run_id: string;
}
export interface RunComparison {
  histories: AlignedMetric[];
  metrics: MetricSummary[];
  params: ParamRow[];
  runs: RunSummary[];
}
export interface RunDetail {
  artifact_uri?: string | null;
  artifacts?: ArtifactEntry[];
  end_time?: number | null;
  experiment_id: string;
  lifecycle_stage?: string;
  /**
   * Latest value per metric; null stands for NaN.
   */
  metrics?: {
    [k: string]: number | null;
  };
  /**
   * Page of the run in the MLflow UI, when one is configured.
   */
  mlflow_url?: string | null;
  params?: {
    [k: string]: string;
  };
  run_id: string;
  run_name: string;
  start_time?: number | null;
  status: string;
  tags?: {
    [k: string]: string;
  };
  user?: string | null;
}
export interface RunPage {
  next_page_token?: string | null;
  runs: RunSummary[];
  /**
   * Runs matching the filter over all pages; null when the store cannot count cheaply.
   */
  total: number | null;
}
export interface ServerInfo {
  fast_listing: boolean;
  mlflow_ui_url?: string | null;
  tracking_uri: string;
  user: string;
  version: string;
}
export interface ShadowChange {
  enabled?: boolean;
  version: string;
}
/**
 * Body of ``PUT /models/{name}/thresholds``: the full list of rules, as text.
 */
export interface ThresholdsUpdate {
  /**
   * e.g. ['auc >= 0.85', 'latency_ms <= 20'].
   */
  thresholds: string[];
}
/**
 * New weights for the live versions of an endpoint (percent, summing to 100).
 */
export interface TrafficChange {
  weights: {
    [k: string]: number;
  };
}
export interface TrainingJobList {
  jobs: TrainingResult[];
}
/**
 * A training job, running or finished: one parent MLflow run, one child run per trial.
 */
export interface TrainingResult {
  best_config?: {
    [k: string]: unknown;
  };
  best_metrics?: {
    [k: string]: number;
  };
  best_run_id?: string | null;
  best_trial_id?: string | null;
  ended?: number | null;
  error?: string | null;
  experiment: string;
  experiment_id: string;
  job_id: string;
  metric?: string | null;
  mode?: ('min' | 'max') | null;
  parent_run_id: string;
  started: number;
  status: 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';
  trials?: TrialResult[];
}
export interface TrialResult {
  config?: {
    [k: string]: unknown;
  };
  error?: string | null;
  iterations?: number;
  /**
   * Latest reported metrics.
   */
  metrics?: {
    [k: string]: number;
  };
  run_id?: string | null;
  status: 'PENDING' | 'RUNNING' | 'TERMINATED' | 'ERROR' | 'KILLED';
  trial_id: string;
}
/**
 * One ``%%matih train`` job, running or ended, with its progress.
 */
export interface TrainingJobSummary {
  best_run_id?: string | null;
  /**
   * Best value of `metric` over the trials so far.
   */
  best_value?: number | null;
  /**
   * Someone asked to cancel the job; the kernel running it then ends it KILLED.
   */
  cancel_requested?: boolean;
  ended?: number | null;
  error?: string | null;
  experiment: string;
  experiment_id: string;
  job_id: string;
  /**
   * The metric the job optimizes, when it has one.
   */
  metric?: string | null;
  mode?: ('min' | 'max') | null;
  parent_run_id: string;
  /**
   * Seconds since the epoch.
   */
  started: number;
  status: 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';
  /**
   * Trials ended: finished, failed or killed.
   */
  trials_done: number;
  trials_failed: number;
  trials_running: number;
  /**
   * Trials asked for (num_samples), or the trials seen if more.
   */
  trials_total: number;
  user: string;
}
/**
 * Most recently started first.
 */
export interface TrainingJobSummaryList {
  jobs: TrainingJobSummary[];
}
/**
 * Everything a training job needs, validated before anything starts.
 */
export interface TrainingSpec {
  /**
   * Ray cluster address (ray://host:10001); local Ray if empty.
   */
  address?: string | null;
  /**
   * MLflow framework autologging in trials; auto: on when the cell calls a fit it captures.
   */
  autolog?: 'auto' | 'on' | 'off';
  cpus_per_worker?: number;
  /**
   * Name of the input data in the kernel namespace.
   */
  data?: string | null;
  /**
   * Passed to train_fn as config['epochs'].
   */
  epochs?: number;
  /**
   * Experiment name; created when missing.
   */
  experiment: string;
  framework?: 'auto' | 'sklearn' | 'xgboost' | 'torch' | 'custom';
  gpus_per_worker?: number;
  max_concurrent?: number | null;
  /**
   * Restarts of a failed trial or worker group, from its last checkpoint.
   */
  max_failures?: number;
  /**
   * Metric to optimize, as reported by train_fn.
   */
  metric?: string | null;
  mode?: ('min' | 'max') | null;
  num_samples?: number;
  run_name?: string | null;
  scheduler?: 'none' | 'asha' | 'hyperband' | 'pbt';
  search_alg?: 'random' | 'grid' | 'optuna';
  search_space?: {
    [k: string]: ParamSpec;
  };
  seed?: number | null;
  tags?: {
    [k: string]: string;
  };
  workers?: number;
}
/**
 * Body of ``POST /models/{name}/versions/{version}/transitions``.
 */
export interface TransitionRequest {
  reason?: string | null;
  stage: ModelStage;
}
export interface TritonExportInfo {
  columns: string[];
  inputs: {
    [k: string]: unknown;
  }[];
  max_batch_size: number;
  model: string;
  outputs: {
    [k: string]: unknown;
  }[];
  platform: string;
  version: number;
  /**
   * The model's folder in the repository.
   */
  where: string;
}
/**
 * Export a registered version to a Triton model repository (ONNX + config.pbtxt).
 */
export interface TritonExportRequest {
  /**
   * NAME@production, NAME@staging, NAME@VERSION, or NAME with version.
   */
  model: string;
  /**
   * Local folder, file:// or s3:// (default: artifact root).
   */
  repository?: string | null;
  version?: number | null;
}
