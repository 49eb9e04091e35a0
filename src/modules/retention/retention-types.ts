/**
 * The vocabulary of retention: why data may outlive an erasure request (GDPR Art. 17(3)) and why a
 * subject may be put under a legal hold. Every list here is part of the API contract.
 */

/** The exceptions of GDPR Art. 17(3) a retention policy rests on. */
export const retentionGrounds = [
  'legal_obligation',
  'legal_claims',
  'public_interest',
  'public_health',
  'archiving_research',
  'freedom_of_expression',
] as const;
export type RetentionGround = (typeof retentionGrounds)[number];

/** How each ground reads in the answer to the subject. */
export const retentionGroundLabels: Record<RetentionGround, string> = {
  legal_obligation: 'a legal obligation to keep it (GDPR Art. 17(3)(b))',
  legal_claims: 'the establishment, exercise or defence of legal claims (GDPR Art. 17(3)(e))',
  public_interest: 'a task carried out in the public interest (GDPR Art. 17(3)(b))',
  public_health: 'reasons of public interest in the area of public health (GDPR Art. 17(3)(c))',
  archiving_research:
    'archiving in the public interest, scientific or historical research or statistics (GDPR Art. 17(3)(d))',
  freedom_of_expression: 'exercising the right of freedom of expression and information (GDPR Art. 17(3)(a))',
};

/** Why a subject's data must not be erased for now. */
export const legalHoldReasons = [
  'litigation',
  'regulatory_investigation',
  'law_enforcement',
  'tax_audit',
  'internal_investigation',
  'other',
] as const;
export type LegalHoldReason = (typeof legalHoldReasons)[number];

export const legalHoldReasonLabels: Record<LegalHoldReason, string> = {
  litigation: 'pending or expected litigation',
  regulatory_investigation: 'an investigation by a regulator',
  law_enforcement: 'a request from law enforcement',
  tax_audit: 'a tax audit',
  internal_investigation: 'an internal investigation',
  other: 'a legal reason to keep the data',
};

/** What a rule does to a record once its period has run from its trigger. */
export const retentionActions = ['delete', 'anonymize', 'shred'] as const;
export type RetentionAction = (typeof retentionActions)[number];

/** Where a rule's period starts counting. Every trigger is evaluated in SQL over the whole database. */
export const retentionTriggerTypes = [
  'record_created',
  'last_activity',
  'relationship_ended',
  'consent_withdrawn',
  'date_field',
  'age_reached',
] as const;
export type RetentionTriggerType = (typeof retentionTriggerTypes)[number];

export type RetentionTrigger =
  | { type: 'record_created' }
  /** The subject's last write or own read, or activity the application reported. */
  | { type: 'last_activity' }
  /** The application said the relationship with the subject ended. */
  | { type: 'relationship_ended' }
  /** The subject withdrew consent for the purpose, or it expired. */
  | { type: 'consent_withdrawn'; purpose: string }
  /** A date field of the record, e.g. a card's expiry. */
  | { type: 'date_field'; field: string }
  /** The subject reached an age, by a birth-date field of the record. */
  | { type: 'age_reached'; field: string; years: number };
