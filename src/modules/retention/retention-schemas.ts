import { z } from 'zod';
import { ZCollectionName, ZFieldName } from '../vault/collection-schema.js';
import { ZMasking } from '../vault/masking.js';
import type { LegalHoldView } from './legal-holds.js';
import type { PolicyRow, RetentionRow } from './retention-store.js';
import type { KeptGroup } from './retention-tables.js';
import { legalHoldReasons, retentionGrounds } from './retention-types.js';

export const ZIdParams = z.object({ id: z.uuid().toLowerCase() });

export const ZRetentionPolicyInput = z.object({
  name: z.string().trim().min(1).max(100),
  collection: ZCollectionName.optional().describe('The collection the policy covers (or dataCategory)'),
  dataCategory: z
    .string()
    .max(200)
    .optional()
    .describe('A data category the policy covers in every collection (or collection)'),
  fields: z
    .array(ZFieldName)
    .min(1)
    .max(200)
    .optional()
    .describe('Collection policies: the fields the obligation needs (default: all of them)'),
  anonymization: z
    .record(ZFieldName, ZMasking)
    .optional()
    .describe(
      'Collection policies: how other fields of a kept record are anonymized (the vault’s masking operators); fields named nowhere are deleted',
    ),
  legalBasis: z.enum(retentionGrounds).describe('The GDPR Art. 17(3) exception the data is kept under'),
  description: z
    .string()
    .trim()
    .max(1000)
    .default('')
    .describe('The obligation in words, e.g. "Invoices: § 147 AO, 10 years"; told to subjects'),
  duration: z
    .string()
    .max(20)
    .describe('How long from the day a record was stored, as an ISO 8601 duration: P10Y, P6M, P90D'),
});

export const ZRetentionPolicy = z
  .object({
    id: z.uuid().toLowerCase(),
    name: z.string(),
    collection: z.string().nullable(),
    dataCategory: z.string().nullable(),
    fields: z.array(z.string()).nullable(),
    anonymization: z.record(z.string(), z.unknown()),
    legalBasis: z.enum(retentionGrounds),
    description: z.string(),
    duration: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'RetentionPolicy' });

export const ZLegalHoldInput = z.object({
  reason: z.enum(legalHoldReasons),
  note: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    .optional()
    .describe('A case reference or explanation; stored sealed, shown to readers, never in the audit log'),
  until: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('When the hold ends by itself; without it, it lasts until lifted'),
});

const ZActor = z.object({ type: z.string(), id: z.string().nullable() });

export const ZLegalHold = z
  .object({
    id: z.uuid().toLowerCase(),
    subjectId: z.uuid().toLowerCase(),
    reason: z.enum(legalHoldReasons),
    note: z.string().nullable(),
    until: z.iso.datetime().nullable(),
    active: z.boolean(),
    placedAt: z.iso.datetime(),
    placedBy: ZActor,
    liftedAt: z.iso.datetime().nullable(),
    liftedBy: ZActor.nullable(),
  })
  .meta({ id: 'LegalHold' });

export const ZKeptGroup = z.object({
  collection: z.string(),
  records: z.number().int(),
  fields: z.array(z.string()).describe('Kept as they are'),
  anonymized: z.array(z.string()).describe('Kept in anonymized form'),
  policies: z.array(
    z.object({
      id: z.uuid().toLowerCase(),
      name: z.string(),
      legalBasis: z.enum(retentionGrounds),
      description: z.string(),
      duration: z.string(),
    }),
  ),
  until: z.iso.datetime(),
});

export const ZSubjectRetention = z.object({
  subjectId: z.uuid().toLowerCase(),
  legalHolds: z.array(ZLegalHold),
  erasure: z
    .object({
      requestId: z.uuid().toLowerCase().nullable(),
      retainedUntil: z.iso.datetime(),
      nextExpiryAt: z.iso.datetime(),
      kept: z.array(ZKeptGroup),
      shreddedAt: z.iso.datetime().nullable(),
    })
    .nullable()
    .describe('Set when the subject was erased but for records kept under retention'),
});

export function presentPolicy(row: PolicyRow): z.infer<typeof ZRetentionPolicy> {
  return {
    id: row.id,
    name: row.name,
    collection: row.collection,
    dataCategory: row.data_category,
    fields: row.fields,
    anonymization: row.anonymization,
    legalBasis: row.legal_basis,
    description: row.description,
    duration: row.duration,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function presentHold(view: LegalHoldView): z.infer<typeof ZLegalHold> {
  return {
    id: view.id,
    subjectId: view.subject_id,
    reason: view.reason,
    note: view.note,
    until: view.until?.toISOString() ?? null,
    active: view.active,
    placedAt: view.placed_at.toISOString(),
    placedBy: { type: view.placed_by_type, id: view.placed_by_id },
    liftedAt: view.lifted_at?.toISOString() ?? null,
    liftedBy: view.lifted_by_type ? { type: view.lifted_by_type, id: view.lifted_by_id } : null,
  };
}

export function presentRetention(
  row: RetentionRow | undefined,
): z.infer<typeof ZSubjectRetention>['erasure'] {
  if (!row) return null;
  return {
    requestId: row.request_id,
    retainedUntil: row.retained_until.toISOString(),
    nextExpiryAt: row.next_expiry_at.toISOString(),
    kept: row.summary as KeptGroup[],
    shreddedAt: row.shredded_at?.toISOString() ?? null,
  };
}
