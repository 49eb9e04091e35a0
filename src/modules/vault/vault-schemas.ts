import { z } from 'zod';
import { ZCollectionDefinition, ZFieldDefinition } from './collection-schema.js';
import type { RecordView } from './record-service.js';
import type { CollectionRow, SubjectRow } from './vault-store.js';

export const ZSubject = z
  .object({
    id: z.uuid().toLowerCase(),
    region: z.string().nullable(),
    status: z.enum(['active', 'restricted', 'erased']),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Subject' });

export function presentSubject(row: SubjectRow): z.infer<typeof ZSubject> {
  return {
    id: row.id,
    region: row.region,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const ZCollection = z
  .object({
    id: z.uuid().toLowerCase(),
    name: z.string(),
    description: z.string(),
    multiple: z.boolean(),
    fields: z.array(ZFieldDefinition),
    version: z.number().int(),
    source: z.enum(['api', 'config']),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Collection' });

export function presentCollection(row: CollectionRow): z.input<typeof ZCollection> {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    multiple: row.multiple,
    fields: row.fields,
    version: row.version,
    source: row.source,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const ZRecord = z
  .object({
    id: z.uuid().toLowerCase(),
    subjectId: z.uuid().toLowerCase(),
    collection: z.string(),
    fields: z.record(z.string(), z.unknown()),
    masked: z
      .array(z.string())
      .describe(
        'fields shown masked (read without reveal=true; reveal=true without vault.reveal is refused with 403)',
      ),
    unreadable: z
      .array(z.string())
      .describe('fields whose stored value failed authentication: altered or moved in storage'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Record' });

export function presentRecord(view: RecordView): z.infer<typeof ZRecord> {
  return { ...view, createdAt: view.createdAt.toISOString(), updatedAt: view.updatedAt.toISOString() };
}

export const ZRecordWritten = z.object({
  id: z.uuid().toLowerCase(),
  subjectId: z.uuid().toLowerCase(),
  collection: z.string(),
  updatedAt: z.iso.datetime(),
});

export const ZCollectionInput = ZCollectionDefinition;
export const ZCollectionUpdate = ZCollectionDefinition.omit({ name: true }).extend({
  force: z.boolean().optional(),
  migrationPlan: z.record(z.string(), z.literal('drop_values')).optional(),
});

export const ZFieldsInput = z
  .record(z.string().max(63), z.unknown())
  .refine((fields) => Object.keys(fields).length <= 200, 'at most 200 fields');
export const ZPurposeQuery = z.object({
  purpose: z.string().min(1).max(64),
  reveal: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  collection: z.string().max(63).optional(),
});
