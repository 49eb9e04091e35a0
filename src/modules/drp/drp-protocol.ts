import type { RejectionReason, RequestState, RequestType } from '../requests/request-types.js';

/**
 * The vocabulary of the Data Rights Protocol 1.0 (`shared/specs/data-rights-protocol-1.0.md`) and how it
 * maps onto Custos requests. The tables here are the one place the mapping is written down in code;
 * docs/REQUESTS.md shows the same tables.
 */
export const drpVersion = '1.0';

/** Rights actions of §3.01 that Custos takes, and the request each becomes (all CCPA rights). */
export const drpExerciseTypes = {
  access: 'know',
  'access:categories': 'know',
  'access:specific': 'know',
  deletion: 'delete',
  'sale:opt-out': 'opt_out',
  'sale:opt-in': 'opt_in',
} as const satisfies Record<string, RequestType>;

export type DrpExercise = keyof typeof drpExerciseTypes;
export const drpExercises = Object.keys(drpExerciseTypes) as DrpExercise[];

export function isDrpExercise(value: string): value is DrpExercise {
  return Object.hasOwn(drpExerciseTypes, value);
}

/**
 * Exercises the CCPA does not let a business make depend on a verifiable consumer request: a signed
 * request from a trusted agent is enough to act on them, whatever the identity claims say.
 */
export const drpExercisesWithoutVerification: readonly DrpExercise[] = ['sale:opt-out'];

/**
 * Exercises the consumer confirms themselves, whatever the agent attests: an opt-in to sale or sharing
 * is a two-step process, the request and then a separate confirmation (Cal. Code Regs. tit. 11, § 7028),
 * made at the request's `user_verification_url` with an e-mailed code.
 */
export const drpExercisesConfirmedByConsumer: readonly DrpExercise[] = ['sale:opt-in'];

/** Exercises Custos carries out itself through the consent module, without an operator. */
export const drpConsentExercises: readonly DrpExercise[] = ['sale:opt-out', 'sale:opt-in'];

/**
 * The proof a consent event recorded for a DRP request carries (its `formId`): the agent and the request,
 * so a receipt names the signed message it rests on.
 */
export function drpProofFormId(agentId: string, requestId: string): string {
  return `drp:${agentId}:${requestId}`;
}

/** §3.01: rights are exercised under `ccpa`, or on a voluntary basis by leaving the regime out. */
export const drpRegimes = ['ccpa'] as const;
export type DrpRegime = (typeof drpRegimes)[number];

export function isDrpRegime(value: string): value is DrpRegime {
  return (drpRegimes as readonly string[]).includes(value);
}

/** Identity claims (§3.04) Custos can match a consumer by, through the vault's blind indexes. */
export const drpSupportedVerifications = ['email', 'phone_number'] as const;

/** §3.02 request statuses. */
export const drpStatuses = ['open', 'in_progress', 'fulfilled', 'revoked', 'denied', 'expired'] as const;
export type DrpStatus = (typeof drpStatuses)[number];

/** §3.02 reasons of a `denied` request. */
export const drpDenialReasons = [
  'suspected_fraud',
  'insuf_verification',
  'no_match',
  'claim_not_covered',
  'outside_jurisdiction',
  'too_many_requests',
  'other',
] as const;
export type DrpDenialReason = (typeof drpDenialReasons)[number];
export type DrpReason = DrpDenialReason | 'need_user_verification';

/**
 * Internal state → DRP status. `expired` is not a state: a closed request reads `expired` once the time
 * Custos keeps its status for (`expires_at`) has passed. A `rejected` request's reason comes from
 * `drpDenialReasonOf`.
 */
export const drpStatusOfState: Readonly<
  Record<RequestState, { status: DrpStatus; reason?: 'need_user_verification' }>
> = {
  received: { status: 'open' },
  verifying: { status: 'in_progress', reason: 'need_user_verification' },
  verified: { status: 'in_progress' },
  in_progress: { status: 'in_progress' },
  awaiting_systems: { status: 'in_progress' },
  completed: { status: 'fulfilled' },
  rejected: { status: 'denied' },
  withdrawn: { status: 'revoked' },
};

/** Internal rejection reason → the DRP `denied` reason an agent is told. */
export const drpDenialReasonOf: Readonly<Record<RejectionReason, DrpDenialReason>> = {
  identity_not_verified: 'insuf_verification',
  manifestly_unfounded: 'suspected_fraud',
  excessive: 'too_many_requests',
  duplicate: 'too_many_requests',
  no_data_held: 'no_match',
  legal_obligation: 'claim_not_covered',
  legal_claims: 'claim_not_covered',
  freedom_of_expression: 'claim_not_covered',
  public_interest: 'claim_not_covered',
  not_applicable: 'outside_jurisdiction',
};

/** §3.03 Exercise Status object, exactly as agents receive it. */
export type DrpStatusObject = {
  request_id: string;
  agent_request_id?: string;
  received_at: string;
  expected_by?: string;
  status: DrpStatus;
  reason?: DrpReason;
  processing_details?: string;
  /** `in_progress`/`need_user_verification`: where the consumer verifies (§3.02.1). */
  user_verification_url?: string;
  /** `fulfilled` access requests: where the agent downloads the consumer's data, with its bearer token. */
  results_url?: string;
  expires_at?: string;
};

/** §3.06 error object. */
export type DrpErrorBody = { code: string; message: string; fatal?: true };

/**
 * Why Custos refused a DRP message, as a stable code for the audit log and the tests. Each maps to the
 * HTTP status of the error object (`drpRefusalStatus`).
 */
export const drpRefusals = {
  drp_disabled: 404,
  missing_token: 401,
  unknown_token: 403,
  unknown_agent: 403,
  malformed_message: 400,
  bad_signature: 403,
  agent_mismatch: 403,
  business_mismatch: 403,
  not_yet_valid: 400,
  expired: 400,
  unsupported_version: 400,
  unsupported_exercise: 400,
  unsupported_regime: 400,
  invalid_callback: 400,
  no_identity: 400,
  duplicate_agent_request_id: 409,
  replayed_pairing: 403,
  not_found: 404,
  no_results: 404,
  not_your_request: 403,
  already_closed: 409,
} as const;
export type DrpRefusal = keyof typeof drpRefusals;

/**
 * A DRP request Custos refuses: answered with the spec's error object (§3.06), never a problem document.
 * `fatal` says the message will never be processed, so resending it is pointless.
 */
export class DrpError extends Error {
  readonly status: number;
  constructor(
    readonly refusal: DrpRefusal,
    message: string,
    readonly options: { fatal?: boolean; emptyBody?: boolean; status?: number } = {},
  ) {
    super(message);
    this.name = 'DrpError';
    this.status = options.status ?? drpRefusals[refusal];
  }

  get body(): DrpErrorBody {
    return {
      code: String(this.status),
      message: this.message,
      ...(this.options.fatal ? { fatal: true } : {}),
    };
  }
}

export function isDrpError(value: unknown): value is DrpError {
  return value instanceof DrpError;
}
