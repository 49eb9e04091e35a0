/**
 * The vocabulary of data-subject requests: which rights, under which law, through which channel, by whom,
 * and the reasons a request may be refused. Every list here is part of the API contract.
 */

/** GDPR rights (Art. 15–21) and CCPA/CPRA rights, each under the regime that grants it. */
export const requestTypesByRegime = {
  gdpr: ['access', 'rectification', 'erasure', 'restriction', 'portability', 'objection'],
  ccpa: ['know', 'delete', 'correct', 'opt_out', 'opt_in'],
} as const;

export type Regime = keyof typeof requestTypesByRegime;
export type RequestType = (typeof requestTypesByRegime)[Regime][number];

export const regimes = Object.keys(requestTypesByRegime) as Regime[];
export const requestTypes = Object.values(requestTypesByRegime).flat() as RequestType[];

/** The legal source of each right, for people reading a request. */
export const requestTypeLabels: Record<RequestType, string> = {
  access: 'access to personal data (GDPR Art. 15)',
  rectification: 'rectification (GDPR Art. 16)',
  erasure: 'erasure (GDPR Art. 17)',
  restriction: 'restriction of processing (GDPR Art. 18)',
  portability: 'data portability (GDPR Art. 20)',
  objection: 'objection to processing (GDPR Art. 21)',
  know: 'right to know (CCPA §1798.110)',
  delete: 'right to delete (CCPA §1798.105)',
  correct: 'right to correct (CCPA §1798.106)',
  opt_out: 'opt-out of sale or sharing (CCPA §1798.120)',
  opt_in: 'opt-in to sale or sharing (CCPA §1798.120(d), 11 CCR §7028)',
};

export function regimeAllows(regime: Regime, type: RequestType): boolean {
  return (requestTypesByRegime[regime] as readonly string[]).includes(type);
}

/** Where a request came in. */
export const channels = ['privacy_center', 'api', 'operator', 'drp'] as const;
export type Channel = (typeof channels)[number];

/** Who filed it: the subject, an authorized agent on their behalf, or an operator taking it in. */
export const filers = ['subject', 'agent', 'operator'] as const;
export type Filer = (typeof filers)[number];

export const requestStates = [
  'received',
  'verifying',
  'verified',
  'in_progress',
  'awaiting_systems',
  'completed',
  'rejected',
  'withdrawn',
] as const;
export type RequestState = (typeof requestStates)[number];

/** Why a request is refused; the subject is told the reason (GDPR Art. 12(4)). */
export const rejectionReasons = [
  'identity_not_verified',
  'manifestly_unfounded',
  'excessive',
  'duplicate',
  'no_data_held',
  'legal_obligation',
  'legal_claims',
  'freedom_of_expression',
  'public_interest',
  'not_applicable',
] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

/** How a request's identity check was passed. */
export const verificationMethods = [
  'authenticated_subject',
  'email_code',
  'identity_document',
  'phone_call',
  'in_person',
  'signed_authorization',
  'other',
] as const;
export type VerificationMethod = (typeof verificationMethods)[number];

/** Methods an operator may record by hand (the others are established by Custos itself). */
export const manualVerificationMethods = [
  'identity_document',
  'phone_call',
  'in_person',
  'signed_authorization',
  'other',
] as const satisfies readonly VerificationMethod[];
export type ManualVerificationMethod = (typeof manualVerificationMethods)[number];

/** What a timeline entry records. */
export const timelineKinds = [
  'received',
  'state_changed',
  'assigned',
  'extended',
  'verification_code_sent',
  'verification_failed',
  'export_created',
  'export_downloaded',
  'rectified',
  'erased',
  'restricted',
  'restriction_lifted',
  'objected',
  'opted_in',
  'systems_notified',
  'system_confirmed',
  'system_failed',
  'system_retried',
] as const;
export type TimelineKind = (typeof timelineKinds)[number];

/** Files an export can be: the access package (JSON and a readable page) and the portability archive. */
export const exportFormats = ['json', 'html', 'zip'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** Rights fulfilled by handing the subject their data. */
export const exportingTypes = ['access', 'know', 'portability'] as const satisfies readonly RequestType[];

/** The request types each fulfilment action answers (a GDPR right and its CCPA counterpart). */
export const fulfilledTypes = {
  rectification: ['rectification', 'correct'],
  erasure: ['erasure', 'delete'],
  restriction: ['restriction'],
  objection: ['objection', 'opt_out'],
  opt_in: ['opt_in'],
} as const satisfies Record<string, readonly RequestType[]>;
export type FulfilmentAction = keyof typeof fulfilledTypes;

/** What downstream systems are asked to do with their copies (GDPR Art. 19). */
export const taskActions = ['erasure', 'rectification', 'restriction'] as const;
export type TaskAction = (typeof taskActions)[number];

/** A downstream system's task: sent and waiting, confirmed, failed (reported or undeliverable), or sent again. */
export const taskStatuses = ['pending', 'done', 'failed', 'retried'] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/** Why processing is restricted (GDPR Art. 18(1)(a)–(d)). */
export const restrictionGrounds = [
  'accuracy_contested',
  'unlawful_processing',
  'legal_claims',
  'objection_pending',
  'other',
] as const;
export type RestrictionGround = (typeof restrictionGrounds)[number];

/** Why a restriction ends. */
export const liftReasons = [
  'accuracy_verified',
  'grounds_overriding',
  'subject_consent',
  'legal_claims_concluded',
  'other',
] as const;
export type LiftReason = (typeof liftReasons)[number];

/** Why an operator completes a request before every downstream system confirmed. */
export const closureReasons = [
  'confirmed_out_of_band',
  'system_unreachable',
  'system_decommissioned',
  'no_copy_held',
  'other',
] as const;
export type ClosureReason = (typeof closureReasons)[number];

/** Why an objection or opt-out stopped nothing: told to the subject, kept on the timeline and audited. */
export const nothingToStopReasons = ['no_applicable_purpose', 'already_stopped'] as const;
export type NothingToStop = (typeof nothingToStopReasons)[number];
