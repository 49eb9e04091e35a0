import { z } from 'zod';
import { ZCollectionName, ZFieldName } from '../vault/collection-schema.js';
import { ZMasking } from '../vault/masking.js';
import type { LegalHoldView } from './legal-holds.js';
import type { RetentionPreview } from './retention-preview.js';
import type { RunRow } from './retention-run-store.js';
import type { PolicyRow, RetentionRow } from './retention-store.js';
import type { KeptGroup } from './retention-tables.js';
import { legalHoldReasons, retentionActions, retentionGrounds } from './retention-types.js';

export const ZIdParams = z.object({ id: z.uuid().toLowerCase() });

const ZPurposeKey = z.string().min(1).max(100);

export const ZRetentionTrigger = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('record_created') }).describe('The day the record was stored'),
    z
      .object({ type: z.literal('last_activity') })
      .describe('The subject’s last activity: a write to their records, their own read, or one reported'),
    z
      .object({ type: z.literal('relationship_ended') })
      .describe('The end of the relationship, as the application reported it'),
    z
      .object({ type: z.literal('consent_withdrawn'), purpose: ZPurposeKey })
      .describe('Consent for the purpose withdrawn or expired'),
    z
      .object({ type: z.literal('date_field'), field: ZFieldName })
      .describe('A date field of the record (stored in clear), e.g. a card’s expiry'),
    z
      .object({
        type: z.literal('age_reached'),
        field: ZFieldName,
        years: z.number().int().min(1).max(150),
      })
      .describe('The subject reached an age, by a birth-date field of the record (stored in clear)'),
  ])
  .meta({ id: 'RetentionTrigger' });

export const ZRetentionPolicyInput = z.object({
  name: z.string().trim().min(1).max(100),
  collection: ZCollectionName.optional().describe(
    'The collection the rule covers (or dataCategory, purpose)',
  ),
  dataCategory: z
    .string()
    .max(200)
    .optional()
    .describe('A data category the rule covers, with those beneath it, in every collection'),
  purpose: ZPurposeKey.optional().describe('A consent purpose: the rule covers collections holding its data'),
  trigger: ZRetentionTrigger.default({ type: 'record_created' }).describe('Where the period starts counting'),
  action: z
    .enum(retentionActions)
    .default('delete')
    .describe(
      'What happens when the period has run: delete the record, anonymize it (collection rules), or crypto-shred the whole subject',
    ),
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
  legalBasis: z
    .enum(retentionGrounds)
    .nullable()
    .default(null)
    .describe(
      'The GDPR Art. 17(3) exception the data is kept under; null for a rule that only limits storage (it keeps nothing against an erasure request)',
    ),
  description: z
    .string()
    .trim()
    .max(1000)
    .default('')
    .describe('The obligation in words, e.g. "Invoices: § 147 AO, 10 years"; told to subjects'),
  duration: z
    .string()
    .max(20)
    .nullable()
    .default(null)
    .describe(
      'How long from the trigger, as an ISO 8601 duration: P10Y, P6M, P90D; null: until the trigger (not for record_created)',
    ),
});

export const ZRetentionPolicy = z
  .object({
    id: z.uuid().toLowerCase(),
    name: z.string(),
    collection: z.string().nullable(),
    dataCategory: z.string().nullable(),
    purpose: z.string().nullable(),
    trigger: ZRetentionTrigger,
    action: z.enum(retentionActions),
    fields: z.array(z.string()).nullable(),
    anonymization: z.record(z.string(), z.unknown()),
    legalBasis: z.enum(retentionGrounds).nullable(),
    description: z.string(),
    duration: z.string().nullable(),
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
    purpose: row.purpose,
    trigger: row.trigger as z.infer<typeof ZRetentionTrigger>,
    action: row.action,
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

const ZCounts = z.object({ records: z.number().int(), subjects: z.number().int() });

export const ZRetentionPreview = z
  .object({
    at: z.iso.datetime(),
    until: z.iso.datetime().describe('The end of the due-soon window'),
    rules: z.array(
      z.object({
        rule: z.object({ id: z.uuid().toLowerCase(), name: z.string() }),
        action: z.enum(retentionActions),
        collections: z.array(z.string()),
        now: ZCounts.describe('Due now: the next run acts on these'),
        soon: ZCounts.describe('Due within the window (not touched yet)'),
        held: z.number().int().describe('Due by the end of the window but under a legal hold: left alone'),
      }),
    ),
    overlaps: z
      .array(
        z.object({
          collection: z.string(),
          rules: z.array(
            z.object({ name: z.string(), action: z.enum(retentionActions), grounded: z.boolean() }),
          ),
        }),
      )
      .describe(
        'Collections covered by rules with different actions: for each record, the rule with a legal ground keeping it longest decides, else the rule due first',
      ),
  })
  .meta({ id: 'RetentionPreview' });

export const ZPreviewQuery = z.object({
  days: z.coerce.number().int().min(0).max(365).optional().describe('The due-soon window (default 30)'),
});

export const ZRetentionRun = z
  .object({
    id: z.uuid().toLowerCase(),
    kind: z.enum(['review', 'anonymization', 'manual']),
    actions: z.array(z.enum(retentionActions)),
    status: z.enum(['running', 'completed', 'failed']),
    startedAt: z.iso.datetime(),
    heartbeatAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
    resumed: z.number().int().describe('Times the run was taken over after its process stopped'),
    collections: z.object({ total: z.number().int(), done: z.number().int() }),
    results: z.array(
      z.object({
        ruleId: z.uuid().toLowerCase(),
        action: z.enum(retentionActions),
        records: z.number().int(),
        subjects: z.number().int(),
        dueSoon: z.number().int(),
      }),
    ),
    error: z.string().nullable(),
  })
  .meta({ id: 'RetentionRun' });

export const ZRetentionCompliance = z
  .object({
    covered: z.number().int().describe('Records under at least one rule'),
    overdue: z.number().int().describe('Records past their time still stored (not under a legal hold)'),
    rate: z.number().describe('1 − overdue ÷ covered (1 when nothing is covered)'),
    at: z.iso.datetime(),
  })
  .meta({ id: 'RetentionCompliance' });

export function presentRun(row: RunRow, collections: number): z.infer<typeof ZRetentionRun> {
  return {
    id: row.id,
    kind: row.kind,
    actions: row.actions,
    status: row.status,
    startedAt: row.started_at.toISOString(),
    heartbeatAt: row.heartbeat_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    resumed: row.resumed,
    collections: {
      total: Math.max(collections, Object.keys(row.progress).length),
      done: Object.values(row.progress).filter((entry) => entry.done).length,
    },
    results: Object.entries(row.results).map(([ruleId, result]) => ({ ruleId, ...result })),
    error: row.error,
  };
}

export function presentPreview(
  preview: Awaited<ReturnType<RetentionPreview['preview']>>,
): z.infer<typeof ZRetentionPreview> {
  return { ...preview, at: preview.at.toISOString(), until: preview.until.toISOString() };
}
