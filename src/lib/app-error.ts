/**
 * The one way Custos fails on purpose. Every error a client may see is an AppError with a stable code;
 * `http/problem.ts` maps codes to HTTP status and RFC 9457 problem documents in exactly one place.
 */
export const errorCodes = {
  // Request shape
  malformed_json: 400,
  validation_failed: 400,
  invalid_path_parameter: 400,
  invalid_query_parameter: 400,
  invalid_header: 400,
  empty_body: 400,
  bad_request: 400,
  unsupported_media_type: 415,
  body_too_large: 413,
  uri_too_long: 414,
  headers_too_large: 431,
  request_timeout: 408,
  route_not_found: 404,
  method_not_allowed: 405,
  // Auth
  unauthenticated: 401,
  forbidden: 403,
  csrf_invalid: 403,
  mfa_required: 403,
  rate_limited: 429,
  // Granting access (the grant policy, src/modules/access/grant-policy.ts)
  grant_exceeds_own_permissions: 403,
  operator_exceeds_own_permissions: 403,
  own_roles_immutable: 403,
  admin_grant_needs_mfa: 403,
  // Resources
  not_found: 404,
  conflict: 409,
  gone: 410,
  subject_erased: 410,
  subject_restricted: 409,
  residency_refused: 409,
  legal_hold: 409,
  precondition_failed: 412,
  unprocessable: 422,
  invalid_transition: 409,
  verification_failed: 422,
  verification_expired: 410,
  // Consent
  invalid_consent_method: 422,
  objection_not_applicable: 422,
  invalid_tc_string: 400,
  // Server side
  service_unavailable: 503,
  pdf_unavailable: 503,
  database_unavailable: 503,
  internal_error: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorCodes;

/** One field that failed validation; never carries the submitted value. */
export type FieldError = { in: 'body' | 'params' | 'querystring' | 'headers'; path: string; message: string };

export type AppErrorOptions = {
  /** Extra members for the problem document (must not contain personal data). */
  extensions?: Record<string, unknown>;
  errors?: FieldError[];
  cause?: unknown;
  headers?: Record<string, string>;
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extensions: Record<string, unknown>;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, detail: string, options: AppErrorOptions = {}) {
    super(detail, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorCodes[code];
    this.extensions = options.extensions ?? {};
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
