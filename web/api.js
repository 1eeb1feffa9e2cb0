// @ts-check
/**
 * The one way the web UI talks to the server. Every `/api` error is JSON
 * `{"code", "message"}`; `api()` turns it into an `ApiError`.
 */

/** An error answered by the API, or a network failure (`code` "network"). */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the server was not reached
   * @param {string} code stable code such as `not_found`
   * @param {string} message words for people
   * @param {string | null} requestId the server log's id for this request
   * @param {number | null} [position] `invalid_query`: where the trouble starts
   */
  constructor(status, code, message, requestId, position = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.position = position;
  }
}

/**
 * @typedef {object} ApiOptions
 * @property {string} [method]
 * @property {unknown} [body] sent as JSON
 * @property {AbortSignal} [signal]
 * @property {number[]} [accept] non-2xx statuses whose JSON body is a normal answer
 */

/**
 * Calls `/api{path}` and returns the parsed JSON body (or null when empty).
 * @param {string} path
 * @param {ApiOptions} [options]
 * @returns {Promise<any>}
 */
export async function api(path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  /** @type {RequestInit} */
  const init = { method: options.method ?? 'GET', headers, credentials: 'same-origin', signal: options.signal };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  let response;
  try {
    response = await fetch(`/api${path}`, init);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'The server cannot be reached. Check the connection and try again.', null);
  }
  const requestId = response.headers.get('x-request-id');
  const text = await response.text();
  /** @type {any} */
  let body = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (response.ok || options.accept?.includes(response.status)) return body;
  if (body && typeof body.code === 'string' && typeof body.message === 'string') {
    throw new ApiError(response.status, body.code, body.message, requestId, typeof body.position === 'number' ? body.position : null);
  }
  throw new ApiError(response.status, 'unexpected_response', `The server answered ${response.status} ${response.statusText}.`, requestId);
}

/**
 * Shows an error to the person using the app (see `<hearth-toasts>`).
 * @param {unknown} err
 */
export function showError(err) {
  window.dispatchEvent(new CustomEvent('hearth:error', { detail: err }));
}

/** @type {Set<string>} */
const reported = new Set();

/**
 * Sends an unexpected browser error to the server's log, once per message.
 * @param {{message: string, source?: string, line?: number, column?: number, stack?: string}} report
 */
export function reportClientError(report) {
  const message = String(report.message || 'Unknown error').slice(0, 2000);
  if (reported.has(message) || reported.size > 20) return;
  reported.add(message);
  const body = {
    message,
    page: location.pathname.slice(0, 500),
    source: report.source?.slice(0, 500),
    line: report.line,
    column: report.column,
    stack: report.stack?.slice(0, 8000),
  };
  api('/client-errors', { method: 'POST', body }).catch(() => {});
}
