/** One field a request got wrong, as the API's problem documents list them. */
export type FieldProblem = { in: string; path: string; message: string };

/**
 * A failed API call, carrying the problem document (RFC 9457) the server answered with. `detail` is
 * written for people and is what the pages show; `code` and `reason` are for deciding what to do.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: FieldProblem[];
  readonly extensions: Record<string, unknown>;

  constructor(status: number, problem: Record<string, unknown>) {
    const detail =
      typeof problem.detail === 'string' && problem.detail
        ? problem.detail
        : 'Something went wrong. Please try again.';
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = typeof problem.code === 'string' ? problem.code : 'unknown';
    this.detail = detail;
    this.errors = Array.isArray(problem.errors) ? (problem.errors as FieldProblem[]) : [];
    this.extensions = problem;
  }

  /** Why a 401 happened: `session_expired`, `session_invalid`, `invalid_credentials`, … */
  get reason(): string | undefined {
    const reason = this.extensions.reason;
    return typeof reason === 'string' ? reason : undefined;
  }

  /** The message for one field of a form, when the server named it. */
  fieldError(path: string): string | undefined {
    return this.errors.find((error) => error.path === path || error.path.startsWith(`${path}.`))?.message;
  }
}

/** A mistake in what the person entered, found before calling the API; its message is for them. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** A link the API gave as an absolute URL (built from CUSTOS_PUBLIC_URL), as a path on this origin. */
export function relativeLink(url: string): string {
  const parsed = new URL(url, window.location.origin);
  return `${parsed.pathname}${parsed.search}`;
}

/** A message for anything thrown while calling the API: the problem's detail, or a plain explanation. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.errors.length > 0 && error.code === 'validation_failed') {
      const fields = error.errors.map((field) => `${field.path}: ${field.message}`).join('; ');
      return `${error.detail} (${fields})`;
    }
    return error.detail;
  }
  if (error instanceof InputError) return error.message;
  if (error instanceof TypeError)
    return 'The server could not be reached. Check your connection and try again.';
  return 'Something went wrong. Please try again.';
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export type ApiClientOptions = {
  /** The CSRF token of the current session, sent on every state-changing request. */
  csrfToken: () => string | undefined;
  /** Called when the server says the caller is not (or no longer) signed in. */
  onUnauthenticated?: (error: ApiError) => void;
  /** Paths whose 401 is an answer for the page (a failed login), not a lost session. */
  quietPaths?: readonly string[];
  /**
   * Told, on every answer to a signed-in call (and to a sign-in), when the session ends — unless another
   * call comes first, and however active — as instants of this browser's clock.
   */
  onSessionExpiry?: (deadline: { idleExpiresAt: number; expiresAt: number }) => void;
};

/**
 * The headers the server answers every signed-in call with: seconds the session has left if left idle,
 * and however active. Counted on the server's clock, so a browser clock that is off does not matter.
 */
export const sessionExpiryHeaders = {
  idle: 'x-session-idle-expires-in',
  absolute: 'x-session-expires-in',
} as const;

/** The session's deadlines from an answer's headers, on this browser's clock; none without the headers. */
function deadlineFrom(response: Response, receivedAt: number) {
  const idle = Number(response.headers.get(sessionExpiryHeaders.idle) ?? Number.NaN);
  const absolute = Number(response.headers.get(sessionExpiryHeaders.absolute) ?? Number.NaN);
  if (!Number.isFinite(idle) || !Number.isFinite(absolute)) return undefined;
  return { idleExpiresAt: receivedAt + idle * 1000, expiresAt: receivedAt + absolute * 1000 };
}

function urlOf(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** JSON over fetch with the session cookie, the CSRF header, and problem documents turned into ApiError. */
export function createApiClient(options: ApiClientOptions) {
  async function request<T>(
    method: string,
    path: string,
    body?: unknown,
    query?: Query,
    text?: { body: string; contentType: string },
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (text) headers['content-type'] = text.contentType;
    if (method !== 'GET') {
      const token = options.csrfToken();
      if (token) headers['x-csrf-token'] = token;
    }
    const response = await fetch(urlOf(path, query), {
      method,
      headers,
      credentials: 'same-origin',
      body: text ? text.body : body === undefined ? undefined : JSON.stringify(body),
    });
    const deadline = options.onSessionExpiry ? deadlineFrom(response, Date.now()) : undefined;
    if (deadline) options.onSessionExpiry?.(deadline);
    if (response.status === 204) return undefined as T;
    const type = response.headers.get('content-type') ?? '';
    const payload: unknown = type.includes('json')
      ? await response.json().catch(() => ({}))
      : // A text document (a draft to read) is answered as its text.
        response.ok && type.startsWith('text/')
        ? await response.text()
        : undefined;
    if (!response.ok) {
      const error = new ApiError(response.status, (payload ?? {}) as Record<string, unknown>);
      if (response.status === 401 && !options.quietPaths?.includes(path)) options.onUnauthenticated?.(error);
      throw error;
    }
    return payload as T;
  }

  return {
    get: <T>(path: string, query?: Query) => request<T>('GET', path, undefined, query),
    post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
    put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
    patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
    delete: <T = void>(path: string) => request<T>('DELETE', path),
    /** A document sent as it is (a manifest in YAML or JSON), not as JSON built from an object. */
    postText: <T>(path: string, body: string, contentType: string, query?: Query) =>
      request<T>('POST', path, undefined, query, { body, contentType }),
    /** A download URL for a GET the browser follows itself (exports): same cookie, no CSRF needed. */
    href: (path: string, query?: Query) => urlOf(path, query),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
