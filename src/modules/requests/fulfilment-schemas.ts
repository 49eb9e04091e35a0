import { z } from 'zod';
import { ZKeptGroup } from '../retention/retention-schemas.js';
import { ZRequest } from './request-schemas.js';
import {
  closureReasons,
  liftReasons,
  nothingToStopReasons,
  restrictionGrounds,
  taskActions,
  taskStatuses,
} from './request-types.js';
import type { TaskView } from './system-tasks.js';

const ZNote = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .describe('Stored sealed on the timeline; never in the audit log');
const ZPurposeKey = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/);

export const ZRectificationInput = z.object({
  corrections: z
    .array(
      z.object({
        recordId: z.uuid().toLowerCase(),
        fields: z
          .record(z.string().max(63), z.unknown())
          .refine((fields) => Object.keys(fields).length > 0, 'name at least one field')
          .describe('Fields to set, validated against the record’s collection; null clears an optional one'),
      }),
    )
    .min(1)
    .max(100)
    .refine(
      (corrections) =>
        new Set(corrections.map((correction) => correction.recordId)).size === corrections.length,
      'correct each record once',
    ),
  note: ZNote.optional(),
});

export const ZRequestedCorrection = z
  .object({
    recordId: z.uuid().toLowerCase(),
    collection: z.string(),
    fields: z.record(z.string(), z.unknown()).describe('The corrected values the subject gave, by field'),
  })
  .meta({ id: 'RequestedCorrection' });

export const ZCorrectedRecord = z.object({
  recordId: z.uuid().toLowerCase(),
  collection: z.string(),
  fields: z.array(z.string()),
});

export const ZRectificationResult = z.object({ request: ZRequest, corrected: z.array(ZCorrectedRecord) });

export const ZErasureInput = z.object({ note: ZNote.optional() }).optional();

export const ZErasureResult = z.object({
  request: ZRequest,
  method: z
    .enum(['shredded', 'minimised'])
    .describe(
      '`shredded`: the data key is deleted, nothing is kept; `minimised`: records kept under retention',
    ),
  removed: z.object({ records: z.number().int(), indexes: z.number().int(), tokens: z.number().int() }),
  kept: z.array(ZKeptGroup).describe('What was kept and why (GDPR Art. 17(3)); told to the subject'),
  retainedUntil: z.iso.datetime().nullable(),
});

export const ZRestrictionInput = z.object({
  ground: z.enum(restrictionGrounds).describe('GDPR Art. 18(1)(a)–(d)'),
  note: ZNote.optional(),
});

export const ZLiftInput = z.object({ reason: z.enum(liftReasons), note: ZNote.optional() });

export const ZLiftResult = z.object({
  subjectId: z.uuid().toLowerCase(),
  lifted: z.number().int().describe('Restrictions lifted'),
  systems: z.number().int().describe('Downstream systems told'),
});

export const ZObjectionInput = z.object({
  purposes: z
    .array(ZPurposeKey)
    .min(1)
    .max(50)
    .optional()
    .describe(
      'Objection: default every purpose on legitimate interests or public task, and direct marketing on consent; opt-out: every sale or sharing purpose',
    ),
  note: ZNote.optional(),
});

export const ZObjectionResult = z.object({
  request: ZRequest,
  recorded: z.object({
    object: z.array(z.string()).describe('Purposes objected to'),
    withdraw: z.array(z.string()).describe('Consents withdrawn'),
    deny: z.array(z.string()).describe('Purposes denied (opt-out where nothing was given)'),
  }),
  nothingToStop: z
    .enum(nothingToStopReasons)
    .nullable()
    .describe(
      'Set when nothing was recorded, and why: no purpose is one the right applies to, or all were stopped already. The request is completed all the same and the subject told the reason.',
    ),
});

export const ZClosureInput = z.object({
  reason: z.enum(closureReasons),
  note: ZNote.optional(),
});

export const ZCallbackQuery = z.object({ token: z.string().min(32).max(64) });

export const ZCallbackInput = z.object({
  status: z.enum(['done', 'failed']),
  detail: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    .optional()
    .describe('What the system did or why it failed; stored sealed'),
});

export const ZTask = z
  .object({
    id: z.uuid().toLowerCase(),
    requestId: z.uuid().toLowerCase(),
    system: z.object({ id: z.uuid().toLowerCase(), name: z.string() }),
    action: z.enum(taskActions),
    status: z.enum(taskStatuses),
    attempts: z.number().int().describe('Messages sent: the first and every retry'),
    failure: z
      .enum(['reported', 'undeliverable', 'residency_refused'])
      .nullable()
      .describe('`residency_refused`: not sent, the data residency policy refuses the system’s location'),
    detail: z.string().nullable(),
    scope: z.object({
      dataCategories: z.array(z.string()),
      records: z.array(ZCorrectedRecord).optional(),
    }),
    deliveryId: z
      .uuid()
      .toLowerCase()
      .describe('The webhook delivery of the latest message (see /v1/webhooks/deliveries)'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    doneAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'RequestSystemTask' });

export function presentTask(task: TaskView): z.infer<typeof ZTask> {
  return {
    id: task.id,
    requestId: task.request_id,
    system: { id: task.system_id, name: task.system_name },
    action: task.action,
    status: task.status,
    attempts: task.attempts,
    failure: task.failure,
    detail: task.detail,
    scope: task.scope,
    deliveryId: task.delivery_id,
    createdAt: task.created_at.toISOString(),
    updatedAt: task.updated_at.toISOString(),
    doneAt: task.done_at?.toISOString() ?? null,
  };
}
