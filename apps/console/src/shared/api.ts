/** The console's HTTP client: same-origin JSON, session cookie, problem+json errors as ApiError. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly details?: unknown,
    readonly requestId?: string,
    /** Seconds to wait before trying again (`Retry-After` of a 429 or 503), when the server said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ApiError';
  }
}

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];

/** Builds `?a=1&b=x&b=y`: arrays become repeated keys; empty values are left out. */
export function toQueryString(q: Record<string, QueryValue> | undefined): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const item of v) p.append(k, String(item));
    else p.append(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

type UnauthenticatedHandler = () => void;
let onUnauthenticated: UnauthenticatedHandler = () => undefined;

/** The shell sets this: an expired session sends the user to log in, keeping the page to return to. */
export function setUnauthenticatedHandler(h: UnauthenticatedHandler) {
  onUnauthenticated = h;
}

export async function toApiError(res: Response): Promise<ApiError> {
  const requestId = res.headers.get('x-request-id') ?? undefined;
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: a proxy or a crash page
  }
  const p = (body ?? {}) as { code?: string; detail?: string; details?: unknown };
  const retryAfter = Number(res.headers.get('retry-after') ?? Number.NaN);
  return new ApiError(
    res.status,
    p.code ?? `HTTP_${res.status}`,
    p.detail ?? res.statusText ?? 'request failed',
    p.details,
    requestId,
    Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.ceil(retryAfter) : undefined,
  );
}

export interface RequestOptions {
  method?: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Do not redirect to the log-in page on 401 (the log-in request itself, probing calls). */
  quiet401?: boolean;
  signal?: AbortSignal;
}

export async function apiFetch(path: string, opts: RequestOptions = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path + toQueryString(opts.query), {
      method: opts.method ?? 'GET',
      credentials: 'same-origin',
      headers: {
        accept: 'application/json, application/problem+json',
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK_ERROR', 'the server could not be reached');
  }
  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401 && !opts.quiet401) onUnauthenticated();
    throw err;
  }
  return res;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await apiFetch(path, opts);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
