import type { components } from './generated/openapi.js';

export type Problem = components['schemas']['Problem'];

/**
 * An error answer of the Custos API (an RFC 9457 problem document), with its stable `code`. Network
 * failures are not CustosErrors: they reach the caller as the `fetch` implementation threw them.
 */
export class CustosError extends Error {
  override readonly name = 'CustosError';
  /** Stable machine-readable code, e.g. `not_found`, `validation_failed`, `subject_erased`. */
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly requestId: string | undefined;
  /** The problem document as received. */
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.code = problem.code;
    this.status = problem.status;
    this.title = problem.title;
    this.detail = problem.detail || undefined;
    this.requestId = problem.requestId || undefined;
    this.problem = problem;
  }
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.code === 'string' && typeof candidate.status === 'number';
}

/** The CustosError for an answer that failed: its problem document, or one made up from the status. */
export function errorFromAnswer(status: number, body: unknown): CustosError {
  if (isProblem(body)) return new CustosError(body);
  return new CustosError({
    type: 'about:blank',
    title: `HTTP ${status}`,
    detail: '',
    instance: '',
    status,
    code: status >= 500 ? 'server_error' : 'http_error',
    requestId: '',
  });
}

/**
 * A purpose the subject's consent does not allow: what `custos.consent.require` throws. `denied` names
 * each purpose refused and why (`no_consent`, `withdrawn`, `expired`, …).
 */
export class ConsentRequiredError extends Error {
  override readonly name = 'ConsentRequiredError';
  readonly code = 'consent_required';
  /** HTTP status the middleware answers with: 451 Unavailable For Legal Reasons. */
  readonly status = 451;
  readonly denied: readonly { purpose: string; reason: string }[];

  constructor(denied: readonly { purpose: string; reason: string }[]) {
    super(`Not allowed for ${denied.map((entry) => `${entry.purpose} (${entry.reason})`).join(', ')}`);
    this.denied = denied;
  }
}
