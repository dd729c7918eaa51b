/* eslint-disable */
/**
 * Generated from the Pydantic models in matih_workbench/models by `jlpm gen:types`.
 * Do not edit: change the models, then run `jlpm gen:types` (`jlpm check:types` fails on drift).
 */

export type EventType =
  | 'MODEL_TRAINING_STARTED'
  | 'MODEL_TRAINING_COMPLETED'
  | 'MODEL_TRAINING_FAILED'
  | 'MODEL_REGISTERED'
  | 'MODEL_PROMOTION_REQUESTED'
  | 'MODEL_PROMOTED'
  | 'MODEL_PROMOTION_REJECTED'
  | 'MODEL_ARCHIVED'
  | 'MODEL_DEPLOYED'
  | 'TRAFFIC_CHANGED'
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
 * What every 4xx/5xx answer carries.
 */
export interface ErrorBody {
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
 * Everything a training job needs, validated before anything starts.
 */
export interface TrainingSpec {
  /**
   * Ray cluster address (ray://host:10001); local Ray if empty.
   */
  address?: string | null;
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
