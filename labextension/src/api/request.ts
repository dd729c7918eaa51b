import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import type { ErrorBody } from './types.gen';

/** Base of every MATIH Workbench REST route, relative to the Jupyter server base URL. */
export const API_NAMESPACE = 'matih/api/v1';

/** What to run when the server extension is missing. */
export const SERVER_EXTENSION_MISSING =
  'The MATIH Workbench server extension is not enabled: run ' +
  '`jupyter server extension enable matih_workbench_server` and restart JupyterLab';

/**
 * A failed call: the HTTP status (0 for a network failure) and the server's
 * `{message, reason, hint, details}`.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly hint: string | null;
  /** Structured context of a refusal (for example the governance checks that blocked a promotion). */
  readonly details: Record<string, unknown> | null;

  constructor(options: ApiError.IOptions) {
    super(options.message);
    this.name = 'ApiError';
    this.status = options.status;
    this.reason = options.reason;
    this.hint = options.hint ?? null;
    this.details = options.details ?? null;
  }

  /** True for answers that mean "the request was wrong" (a bad filter, an unknown id). */
  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500;
  }
}

export namespace ApiError {
  export interface IOptions {
    status: number;
    message: string;
    reason: string;
    hint?: string | null;
    details?: Record<string, unknown> | null;
  }
}

/** What to tell the user about a failure: the server's message, then its hint when there is one. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError && error.hint) {
    return `${error.message} (${error.hint})`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Query parameters; arrays repeat the key (`order_by=a&order_by=b`), empty values are left out. */
export type Query = Record<string, string | number | readonly string[] | null | undefined>;

export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (item !== null && item !== undefined && item !== '') {
        params.append(key, String(item));
      }
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The one place that talks HTTP to the server extension.
 *
 * @param endPoint path under `matih/api/v1/`, with its query string
 * @throws ApiError carrying the server's message, or a network failure as status 0
 */
export async function requestAPI<T>(
  endPoint: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ApiError({
      status: 0,
      message: `Cannot reach the Jupyter server: ${(error as Error).message}`,
      reason: 'network_error'
    });
  }
  const text = await response.text();
  const body = parseJSON(text);
  if (!response.ok) {
    throw errorFrom(response, body);
  }
  return body as T;
}

function parseJSON(text: string): unknown {
  if (!text) {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  return (
    typeof body === 'object' && body !== null && typeof (body as Partial<ErrorBody>).message === 'string'
  );
}

function detailsOf(body: object): Record<string, unknown> | null {
  const details = (body as { details?: unknown }).details;
  return typeof details === 'object' && details !== null && !Array.isArray(details)
    ? (details as Record<string, unknown>)
    : null;
}

function errorFrom(response: Response, body: unknown): ApiError {
  if (isErrorBody(body)) {
    return new ApiError({
      status: response.status,
      message: body.message,
      reason: body.reason ?? response.statusText,
      hint: body.hint,
      details: detailsOf(body)
    });
  }
  return new ApiError({
    status: response.status,
    message: `${response.status} ${response.statusText || 'error'} from ${response.url}`,
    reason: response.statusText.toLowerCase().replace(/ /g, '_') || 'http_error'
  });
}
