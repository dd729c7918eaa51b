/* eslint-disable */
/**
 * Generated from the Pydantic models in matih_workbench/models by `jlpm gen:types`.
 * Do not edit: change the models, then run `jlpm gen:types` (`jlpm check:types` fails on drift).
 */

export type AlertKind = 'drift' | 'prediction_drift' | 'error_rate' | 'latency' | 'volume';
export type FeatureKind = 'numeric' | 'categorical';
/**
 * Evidently's default per-column methods (same names), and what we report for an all-missing window.
 */
export type DriftMethod = 'ks' | 'wasserstein' | 'chisquare' | 'z' | 'jensenshannon' | 'no_values';
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
  | 'MODEL_CARD_EDITED'
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
  | 'MODEL_HEALTH_DEGRADED'
  | 'MODEL_RETRAINING_STARTED'
  | 'MODEL_RETRAINING_COMPLETED'
  | 'MODEL_RETRAINING_FAILED'
  | 'FEATURES_MATERIALIZED'
  | 'RUNS_CHANGED';

export interface Alert {
  endpoint: string;
  event_id?: number | null;
  evidence?: {
    [k: string]: unknown;
  };
  id: number;
  kind: AlertKind;
  message: string;
  model: string;
  time: number;
  version: number;
  /**
   * The webhook's answer: 'HTTP 200', or the error.
   */
  webhook?: string | null;
}
export interface AlertList {
  alerts: Alert[];
}
export interface AlertRule {
  /**
   * Quiet time after an alert.
   */
  cooldown_s?: number;
  /**
   * Dataset drift at this drifted share.
   */
  drift_share?: number;
  enabled?: boolean;
  /**
   * Decide on the Benjamini-Hochberg corrected decisions.
   */
  fdr?: boolean;
  fdr_level?: number;
  /**
   * Features that matter: any of them drifting alerts. Empty: the dataset rule only.
   *
   * @maxItems 1000
   */
  features?: string[];
  max_error_rate?: number;
  /**
   * Smaller windows are not judged.
   */
  min_rows?: number;
  /**
   * Alert when requests fall below this share of the window before.
   */
  min_volume_ratio?: number;
  model: string;
  p95_slo_ms?: number;
  /**
   * Alert when the predictions drift.
   */
  prediction_drift?: boolean;
  /**
   * Retrain on these alerts (none: never).
   */
  retrain?: RetrainSpec | null;
  updated_at?: number | null;
  updated_by?: string | null;
  /**
   * POSTed each alert as JSON.
   */
  webhook?: string | null;
  /**
   * Window of each check: 30m, 1h, 1d...
   */
  window?: string;
}
/**
 * What an alert retrains: the source of a ``%%matih train`` cell (it defines ``train_fn(config)``, and
 * ``load_data()`` returning fresh training data when the job needs data) and the job's options. The best
 * trial's logged model becomes a new version, moved to Staging through the registry's governance.
 */
export interface RetrainSpec {
  /**
   * The trials' logged model.
   */
  artifact_path?: string;
  /**
   * The alert kinds that start it.
   *
   * @maxItems 5
   */
  on?:
    | []
    | [AlertKind]
    | [AlertKind, AlertKind]
    | [AlertKind, AlertKind, AlertKind]
    | [AlertKind, AlertKind, AlertKind, AlertKind]
    | [AlertKind, AlertKind, AlertKind, AlertKind, AlertKind];
  /**
   * Python defining train_fn(config).
   */
  source: string;
  training: TrainingSpec;
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
 * One dimension of a search space, e.g. ``loguniform(1e-4, 1e-1)`` or ``choice(4, 8, 16)``.
 */
export interface ParamSpec {
  kind: 'loguniform' | 'uniform' | 'randint' | 'choice' | 'grid';
  /**
   * Bounds (low, high) for ranges; the options for choice/grid.
   */
  values: (number | string | boolean)[];
}
/**
 * What a model's checks look at and when they alert; every field has a sane default.
 */
export interface AlertRuleSettings {
  /**
   * Quiet time after an alert.
   */
  cooldown_s?: number;
  /**
   * Dataset drift at this drifted share.
   */
  drift_share?: number;
  enabled?: boolean;
  /**
   * Decide on the Benjamini-Hochberg corrected decisions.
   */
  fdr?: boolean;
  fdr_level?: number;
  /**
   * Features that matter: any of them drifting alerts. Empty: the dataset rule only.
   *
   * @maxItems 1000
   */
  features?: string[];
  max_error_rate?: number;
  /**
   * Smaller windows are not judged.
   */
  min_rows?: number;
  /**
   * Alert when requests fall below this share of the window before.
   */
  min_volume_ratio?: number;
  p95_slo_ms?: number;
  /**
   * Alert when the predictions drift.
   */
  prediction_drift?: boolean;
  /**
   * Retrain on these alerts (none: never).
   */
  retrain?: RetrainSpec | null;
  /**
   * POSTed each alert as JSON.
   */
  webhook?: string | null;
  /**
   * Window of each check: 30m, 1h, 1d...
   */
  window?: string;
}
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
/**
 * A version's baseline as listed: what it was captured from, its size and features.
 */
export interface BaselineInfo {
  /**
   * The version's run artifacts holding it.
   */
  artifact_uri?: string | null;
  created_at: number;
  /**
   * Feature -> 'numeric' or 'categorical'.
   */
  features: {
    [k: string]: string;
  };
  model: string;
  prediction?: string | null;
  rows: number;
  sample_rows: number;
  /**
   * 'dataframe', or the MLflow dataset it was read from.
   */
  source: string;
  version: number;
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
export interface CheckHistory {
  endpoint: string;
  points: CheckPoint[];
}
/**
 * One past check, for the charts over time.
 */
export interface CheckPoint {
  dataset_drift: boolean;
  drifted_features: number;
  error_rate?: number | null;
  p95_latency_ms?: number | null;
  prediction_drifted?: boolean | null;
  rows: number;
  severity?: {
    [k: string]: number;
  };
  time: number;
  version: number;
}
/**
 * One check of one endpoint: what it found and the alerts it raised (none while cooling down).
 */
export interface CheckOutcome {
  alerts?: Alert[];
  breaches?: AlertKind[];
  checked_at: number;
  endpoint: string;
  model: string;
  /**
   * The retraining job these alerts started.
   */
  retrain_job?: string | null;
  rows: number;
  /**
   * Why nothing was judged (no rule, few rows...).
   */
  skipped?: string | null;
  version: number;
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
export interface ConsistencyMismatch {
  entity: {
    [k: string]: number | string | boolean | null;
  };
  feature: string;
  offline: number | string | boolean | null;
  online: number | string | boolean | null;
}
export interface ConsistencyReport {
  checked_at: number;
  consistent: boolean;
  views: ViewConsistency[];
}
/**
 * Online values against the offline values as of the view's last materialization, for a sample.
 */
export interface ViewConsistency {
  as_of: number | null;
  compared: number;
  consistent: boolean;
  entities: number;
  mismatches?: ConsistencyMismatch[];
  /**
   * Why the view was not checked.
   */
  skipped?: string | null;
  view: string;
}
/**
 * Drift of a window against a reference, per feature and for the dataset.
 */
export interface DataDrift {
  current_rows: number;
  dataset_drift: boolean;
  /**
   * Dataset drift when the drifted share reaches it.
   */
  drift_share: number;
  drifted_features: number;
  drifted_share: number;
  /**
   * 'matih' (our vectorised engine) or 'evidently'.
   */
  engine: string;
  /**
   * Beside the default decision, when asked.
   */
  fdr?: FdrDecision | null;
  features: FeatureDrift[];
  reference_rows: number;
  /**
   * Columns not tested (text, dates...) and why.
   */
  skipped?: {
    [k: string]: string;
  };
}
/**
 * The dataset's decision when the p-value tests are corrected by Benjamini-Hochberg across features.
 */
export interface FdrDecision {
  dataset_drift: boolean;
  drifted_features: number;
  drifted_share: number;
  /**
   * The false discovery rate controlled.
   */
  level: number;
  method?: string;
  /**
   * Features decided by a p-value, the family corrected together.
   */
  tested: number;
}
/**
 * Drift of one feature: Evidently's default decision, plus PSI, missing and out-of-range rates.
 */
export interface FeatureDrift {
  /**
   * Benjamini-Hochberg adjusted p-value (p-value methods, FDR asked).
   */
  adjusted_p_value?: number | null;
  /**
   * Non-missing window values tested.
   */
  current_values: number;
  distribution?: Distribution | null;
  /**
   * p-value below (ks: at most) or distance at least the threshold.
   */
  drifted: boolean;
  /**
   * The decision under FDR control; distance methods keep their decision (not a test).
   */
  fdr_drifted?: boolean | null;
  feature: string;
  kind: FeatureKind;
  method: DriftMethod;
  /**
   * Share of the window's rows missing (or infinite).
   */
  missing_rate?: number | null;
  /**
   * Share of the window's values outside the reference's [min, max], or unseen categories.
   */
  out_of_range_rate?: number | null;
  /**
   * Population stability index on Evidently's bins.
   */
  psi?: number | null;
  /**
   * Non-missing reference values tested.
   */
  reference_values: number;
  /**
   * The method's value: a p-value (ks, chisquare, z) or a distance.
   */
  score: number;
  threshold: number;
}
/**
 * Reference and current counts on shared bins (numeric) or categories, for a chart.
 */
export interface Distribution {
  /**
   * Category labels (few distinct values).
   */
  categories?: string[] | null;
  current: number[];
  /**
   * Bin edges (numeric): one more than counts.
   */
  edges?: number[] | null;
  reference: number[];
}
/**
 * Which versions came from a dataset (by name, optionally one digest), or from a Feast feature view
 * (``kind`` feature_view: each version's ``dataset_digest`` is the view's definition hash it trained on).
 */
export interface DatasetLineage {
  dataset: string;
  digest?: string | null;
  kind?: 'dataset' | 'feature_view';
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
  /**
   * The checks an approval passed, with the values it saw.
   */
  decision_checks?: CheckResult[];
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
  /**
   * The run's metrics as recorded at registration: what governance checks read.
   */
  evidence_metrics?: {
    [k: string]: number;
  };
  /**
   * Seconds since the epoch.
   */
  evidence_recorded_at?: number | null;
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
  /**
   * What could not be built from the stored values (e.g. a holdout without that column).
   */
  problems?: string[];
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
  /**
   * What a card edit (MODEL_CARD_EDITED) changed, field by field.
   */
  changes?: {
    [k: string]: FieldChange;
  };
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
 * One field of a model card edit: what it said, what it says now (null: empty).
 */
export interface FieldChange {
  new?: string | null;
  old?: string | null;
}
/**
 * What data and code made a version, and where it went.
 */
export interface VersionLineage {
  code?: CodeRef;
  datasets?: DatasetRef[];
  deployments?: TransitionRecord[];
  edges?: LineageEdge[];
  feature_views?: FeatureViewRef[];
  model: string;
  nodes?: LineageNode[];
  run_id: string | null;
  /**
   * The alert it was retrained for.
   */
  trigger?: RetrainTrigger | null;
  version: number;
}
export interface LineageEdge {
  relation: string;
  source: string;
  target: string;
}
/**
 * A Feast feature view a version was trained on (``%%matih train --features``), as defined then.
 */
export interface FeatureViewRef {
  definition_hash: string;
  feature_service?: string | null;
  name: string;
  /**
   * The run that recorded the training set's lineage.
   */
  run_id: string;
}
export interface LineageNode {
  id: string;
  kind: 'dataset' | 'feature_view' | 'run' | 'model_version' | 'deployment' | 'code' | 'alert';
  label: string;
}
/**
 * The monitoring alert whose retraining made a version, and the training job that did.
 */
export interface RetrainTrigger {
  alert_id: number;
  endpoint: string;
  from_version: number;
  job_id?: string | null;
  kind: string;
  message: string;
  parent_run_id?: string | null;
  time: number;
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
 * Drift of a window of an endpoint's inference log (or of a DataFrame) against a version's baseline.
 * Features come ordered by ``severity``, the most drifted first.
 */
export interface DriftReport {
  checked_at: number;
  drift: DataDrift;
  end?: number | null;
  endpoint?: string | null;
  model: string;
  /**
   * When the baseline and the window both carry predictions.
   */
  prediction?: PredictionDrift | null;
  /**
   * Requests of the window tested (0 for a DataFrame).
   */
  requests: number;
  /**
   * Per feature, its score against its threshold on one scale: 1 at the threshold, above 1 drifted (distance / threshold, or log p-value / log threshold).
   */
  severity: {
    [k: string]: number;
  };
  /**
   * Window start, seconds since the epoch.
   */
  start?: number | null;
  version: number;
}
/**
 * Drift of the model's output: the mean beyond k standard deviations of the baseline's, and the test.
 */
export interface PredictionDrift {
  /**
   * Numeric predictions only.
   */
  baseline_mean?: number | null;
  baseline_std?: number | null;
  column: string;
  current_mean?: number | null;
  /**
   * Either the mean rule or the test.
   */
  drifted: boolean;
  /**
   * The mean moved beyond the bound.
   */
  mean_drifted?: boolean | null;
  /**
   * |current mean - baseline mean| / std.
   */
  shift_in_std?: number | null;
  /**
   * The mean rule's bound, in baseline standard deviations.
   */
  std_limit?: number;
  test: FeatureDrift1;
}
/**
 * Drift of one feature: Evidently's default decision, plus PSI, missing and out-of-range rates.
 */
export interface FeatureDrift1 {
  /**
   * Benjamini-Hochberg adjusted p-value (p-value methods, FDR asked).
   */
  adjusted_p_value?: number | null;
  /**
   * Non-missing window values tested.
   */
  current_values: number;
  distribution?: Distribution | null;
  /**
   * p-value below (ks: at most) or distance at least the threshold.
   */
  drifted: boolean;
  /**
   * The decision under FDR control; distance methods keep their decision (not a test).
   */
  fdr_drifted?: boolean | null;
  feature: string;
  kind: FeatureKind;
  method: DriftMethod;
  /**
   * Share of the window's rows missing (or infinite).
   */
  missing_rate?: number | null;
  /**
   * Share of the window's values outside the reference's [min, max], or unseen categories.
   */
  out_of_range_rate?: number | null;
  /**
   * Population stability index on Evidently's bins.
   */
  psi?: number | null;
  /**
   * Non-missing reference values tested.
   */
  reference_values: number;
  /**
   * The method's value: a p-value (ks, chisquare, z) or a distance.
   */
  score: number;
  threshold: number;
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
export interface EntityInfo {
  description?: string;
  join_keys: string[];
  name: string;
  value_type: string;
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
 * The newest rows of a view's offline source.
 */
export interface FeatureSample {
  columns: string[];
  row_count: number;
  rows: {
    [k: string]: unknown;
  }[];
  view: string;
}
export interface FeatureServiceInfo {
  definition_hash: string;
  description?: string;
  name: string;
  views: ServiceView[];
}
export interface ServiceView {
  features: string[];
  view: string;
}
/**
 * One feature of a view, over every row of its offline source.
 */
export interface FeatureStats {
  description?: string;
  dtype: string;
  max?: number | string | boolean | null;
  min?: number | string | boolean | null;
  name: string;
  /**
   * Share of null values; None without rows.
   */
  null_rate?: number | null;
}
/**
 * What ``%matih features`` and the Features tab show.
 */
export interface FeatureStoreOverview {
  checked_at: number;
  entities: EntityInfo[];
  online_store: string;
  project: string;
  registry: string;
  repo_path: string;
  services: FeatureServiceInfo[];
  views: FeatureViewInfo[];
}
export interface FeatureViewInfo {
  definition_hash: string;
  description?: string;
  entities: string[];
  entity_count: number;
  features: FeatureStats[];
  /**
   * Oldest event timestamp, epoch seconds.
   */
  first_event?: number | null;
  join_keys: string[];
  /**
   * Newest event timestamp, epoch seconds.
   */
  last_event?: number | null;
  /**
   * End of the latest materialization into the online store, epoch seconds.
   */
  last_materialized?: number | null;
  name: string;
  online: boolean;
  row_count: number;
  /**
   * Feature services reading this view.
   */
  services?: string[];
  source: string;
  /**
   * Never materialized, or materialized longer ago than the TTL.
   */
  stale: boolean;
  /**
   * Seconds since that end; None if never materialized.
   */
  staleness_seconds?: number | null;
  tags?: {
    [k: string]: string;
  };
  /**
   * How far back a value stays valid; None: forever.
   */
  ttl_seconds: number | null;
}
export interface FeatureViewLineage {
  definition_hash: string;
  features: string[];
  name: string;
  /**
   * Training rows that got no value of this view within its TTL.
   */
  ttl_nulls: number;
  ttl_seconds: number | null;
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
export interface HealthPoint {
  error_rate: number;
  errors: number;
  p95_latency_ms?: number | null;
  prediction_mean?: number | null;
  requests: number;
  /**
   * Start of the bucket, seconds since the epoch.
   */
  time: number;
}
/**
 * Error rate, p95 latency and volume of an endpoint's window, from its inference log.
 */
export interface HealthReport {
  /**
   * 'error_rate', 'latency', 'volume': the checks that failed.
   */
  breaches: string[];
  end: number;
  endpoint: string;
  error_rate: number;
  errors: number;
  max_error_rate: number;
  min_volume_ratio: number;
  p95_latency_ms?: number | null;
  p95_slo_ms: number;
  /**
   * Requests of the window of the same length just before.
   */
  previous_requests: number;
  requests: number;
  start: number;
  timeline: HealthPoint[];
  version?: number | null;
}
/**
 * An incremental materialization, run in the background view by view.
 */
export interface MaterializationJob {
  /**
   * The view being materialized.
   */
  current?: string | null;
  done?: MaterializedInterval[];
  end: number;
  error?: string | null;
  finished_at?: number | null;
  id: string;
  /**
   * Share of the views done, 0..1.
   */
  progress: number;
  started_at: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  user: string;
  views: string[];
}
export interface MaterializedInterval {
  end: number;
  start: number;
  view: string;
}
export interface MaterializeRequest {
  /**
   * Materialize up to here; default: now (UTC).
   */
  end?: string | null;
  /**
   * Feature views; default: every online view.
   */
  views?: string[] | null;
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
export interface MonitoredEndpoint {
  /**
   * Alerts raised so far.
   */
  alerts?: number;
  endpoint: string;
  last_check?: CheckPoint | null;
  /**
   * The live version with the most traffic.
   */
  main_version?: number | null;
  model: string;
  versions: number[];
}
export interface MonitoredEndpointList {
  endpoints: MonitoredEndpoint[];
}
export interface ParamRow {
  differs: boolean;
  key: string;
  values: {
    [k: string]: string | null;
  };
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
   *
   * @maxItems 100
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
/**
 * What a deployment needs to fetch a model's features online, read back from its training run.
 */
export interface ServingFeatures {
  columns: string[];
  dtypes: {
    [k: string]: string;
  };
  feature_service: string;
  join_keys: string[];
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
   *
   * @maxItems 100
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
 * Where a training set's features came from; logged on the MLflow run that trains on it.
 */
export interface TrainingSetLineage {
  /**
   * SHA-256 of the entity DataFrame's keys and timestamps.
   */
  entity_digest: string;
  entity_end: number;
  entity_rows: number;
  entity_start: number;
  /**
   * Feature columns in the order the model reads them.
   */
  feature_columns: string[];
  feature_dtypes: {
    [k: string]: string;
  };
  feature_service: string;
  join_keys: string[];
  /**
   * Nulls per feature column, reported, never filled.
   */
  null_counts: {
    [k: string]: number;
  };
  project: string;
  service_hash: string;
  timestamp_column: string;
  views: FeatureViewLineage[];
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
