import { z } from 'zod';
import { roles } from '../access/permissions.js';
import type { ReviewView } from './access-reviews.js';
import type {
  AccessReviewRow,
  CompletionRow,
  ExternalAuditRow,
  FindingRow,
  ReviewItemRow,
} from './accountability-store.js';
import { findingSeverities, findingStatuses, reviewDecisions } from './accountability-tables.js';
import type { PolicyView } from './policy-register.js';
import type { CourseView } from './training-register.js';

const iso = (at: Date | null) => (at ? at.toISOString() : null);
/** A calendar date (YYYY-MM-DD), stored as its UTC midnight. */
const ZDay = z.iso.date();
export const dayToDate = (day: string) => new Date(`${day}T00:00:00.000Z`);
export const optionalDay = (day: string | null | undefined) =>
  day === undefined ? undefined : day === null ? null : dayToDate(day);

export const ZIdParams = z.object({ id: z.uuid().toLowerCase() });
export const ZItemParams = z.object({ id: z.uuid().toLowerCase(), itemId: z.uuid().toLowerCase() });
const ZRole = z.enum(Object.keys(roles) as [keyof typeof roles, ...(keyof typeof roles)[]]);
const ZText = (max: number) => z.string().trim().min(1).max(max);

export const ZPolicyInput = z.object({
  title: ZText(200),
  owner: ZText(200),
  version: ZText(50),
  documentUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .nullable()
    .optional(),
  documentText: z.string().max(100_000).nullable().optional(),
  approvedOn: ZDay.nullable().optional().describe('The date the current version was approved'),
  reviewIntervalDays: z.number().int().min(1).max(3660).describe('Days from approval to the next review'),
});
export const ZPolicyUpdate = ZPolicyInput.partial().extend({
  retired: z.boolean().optional().describe('A retired policy is no longer reviewed or acknowledged'),
});

export const ZPolicy = z
  .object({
    id: z.uuid(),
    title: z.string(),
    owner: z.string(),
    version: z.string(),
    documentUrl: z.string().nullable(),
    documentText: z.string().nullable(),
    approvedAt: z.iso.datetime().nullable(),
    reviewIntervalDays: z.number().int(),
    nextReviewAt: z.iso.datetime(),
    overdue: z.boolean().describe('In force and past its next review: a policy update pending'),
    daysPastReview: z.number().int(),
    retiredAt: z.iso.datetime().nullable(),
    acknowledgments: z.number().int().describe('Operators who acknowledged the current version'),
    acknowledgedBy: z.array(z.uuid()),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Policy' });

export function presentPolicy(row: PolicyView): z.infer<typeof ZPolicy> {
  return {
    id: row.id,
    title: row.title,
    owner: row.owner,
    version: row.version,
    documentUrl: row.document_url,
    documentText: row.document_text,
    approvedAt: iso(row.approved_at),
    reviewIntervalDays: row.review_interval_days,
    nextReviewAt: row.next_review_at.toISOString(),
    overdue: row.overdue,
    daysPastReview: row.daysPastReview,
    retiredAt: iso(row.retired_at),
    acknowledgments: row.acknowledgments,
    acknowledgedBy: row.acknowledgedBy,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const ZCourseInput = z.object({
  title: ZText(200),
  description: z.string().trim().max(4000).nullable().optional(),
  requiredRoles: z.array(ZRole).max(20).describe('Operators holding any of these roles must take it'),
  validityDays: z
    .number()
    .int()
    .min(1)
    .max(3660)
    .nullable()
    .optional()
    .describe('A completion expires after'),
});

export const ZCourse = z
  .object({
    id: z.uuid(),
    title: z.string(),
    description: z.string().nullable(),
    requiredRoles: z.array(z.string()),
    validityDays: z.number().int().nullable(),
    required: z.number().int().describe('Active operators holding a required role'),
    current: z.number().int().describe('Of them, those with an unexpired completion'),
    completionRate: z.number().nullable().describe('current ÷ required, in %; null when nobody must take it'),
  })
  .meta({ id: 'TrainingCourse' });

export function presentCourse(row: CourseView): z.infer<typeof ZCourse> {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    requiredRoles: row.required_roles,
    validityDays: row.validity_days,
    required: row.required,
    current: row.current,
    completionRate: row.completionRate,
  };
}

export const ZCompletionInput = z.object({
  courseId: z.uuid().toLowerCase(),
  operatorId: z.uuid().toLowerCase(),
  completedOn: ZDay,
  expiresOn: ZDay.nullable().optional().describe('Defaults to completion + the course’s validity'),
});

export const ZCompletion = z
  .object({
    id: z.uuid(),
    courseId: z.uuid(),
    operatorId: z.uuid(),
    completedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    source: z.enum(['console', 'import']),
    remindedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'TrainingCompletion' });

export function presentCompletion(row: CompletionRow): z.infer<typeof ZCompletion> {
  return {
    id: row.id,
    courseId: row.course_id,
    operatorId: row.operator_id,
    completedAt: row.completed_at.toISOString(),
    expiresAt: iso(row.expires_at),
    source: row.source,
    remindedAt: iso(row.reminded_at),
  };
}

export const ZAuditInput = z.object({
  auditor: ZText(200),
  scope: ZText(2000),
  startedOn: ZDay,
  endedOn: ZDay.nullable().optional(),
  reportReference: z.string().trim().max(500).nullable().optional(),
});

export const ZFindingInput = z.object({
  title: ZText(500),
  severity: z.enum(findingSeverities),
  owner: ZText(200),
  dueOn: ZDay.nullable().optional(),
  status: z.enum(findingStatuses).optional(),
});

export const ZFinding = z
  .object({
    id: z.uuid(),
    auditId: z.uuid(),
    title: z.string(),
    severity: z.enum(findingSeverities),
    owner: z.string(),
    dueAt: z.iso.datetime().nullable(),
    status: z.enum(findingStatuses),
    closedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'AuditFinding' });

export function presentFinding(row: FindingRow): z.infer<typeof ZFinding> {
  return {
    id: row.id,
    auditId: row.audit_id,
    title: row.title,
    severity: row.severity,
    owner: row.owner,
    dueAt: iso(row.due_at),
    status: row.status,
    closedAt: iso(row.closed_at),
    createdAt: row.created_at.toISOString(),
  };
}

export const ZExternalAudit = z
  .object({
    id: z.uuid(),
    auditor: z.string(),
    scope: z.string(),
    startedAt: z.iso.datetime(),
    endedAt: z.iso.datetime().nullable(),
    reportReference: z.string().nullable(),
    findings: z.array(ZFinding),
  })
  .meta({ id: 'ExternalAudit' });

export function presentAudit(row: ExternalAuditRow, findings: FindingRow[]): z.infer<typeof ZExternalAudit> {
  return {
    id: row.id,
    auditor: row.auditor,
    scope: row.scope,
    startedAt: row.started_at.toISOString(),
    endedAt: iso(row.ended_at),
    reportReference: row.report_reference,
    findings: findings.map(presentFinding),
  };
}

export const ZReviewInput = z.object({
  title: ZText(200),
  dueOn: ZDay.nullable().optional(),
});

export const ZDecisionInput = z.object({
  decision: z.enum(reviewDecisions),
  note: z.string().trim().max(2000).nullable().optional(),
});

export const ZAccessReview = z
  .object({
    id: z.uuid(),
    title: z.string(),
    status: z.enum(['open', 'completed']),
    dueAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
    items: z.number().int(),
    undecided: z.number().int(),
  })
  .meta({ id: 'AccessReview' });

export function presentReview(row: ReviewView | (AccessReviewRow & { items: number; undecided: number })) {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    dueAt: iso(row.due_at),
    createdAt: row.created_at.toISOString(),
    completedAt: iso(row.completed_at),
    items: row.items,
    undecided: row.undecided,
  };
}

export const ZReviewItem = z
  .object({
    id: z.uuid(),
    principalType: z.enum(['operator', 'api_key']),
    principalId: z.uuid(),
    label: z.string(),
    roles: z.array(z.string()),
    permissions: z.array(z.string()),
    lastUsedAt: z.iso.datetime().nullable().describe('Last sign-in of an operator, last use of a key'),
    decision: z.enum(reviewDecisions).nullable(),
    decidedAt: z.iso.datetime().nullable(),
    note: z.string().nullable(),
  })
  .meta({ id: 'AccessReviewItem' });

export function presentItem(row: ReviewItemRow): z.infer<typeof ZReviewItem> {
  return {
    id: row.id,
    principalType: row.principal_type,
    principalId: row.principal_id,
    label: row.label,
    roles: row.roles,
    permissions: row.permissions,
    lastUsedAt: iso(row.last_used_at),
    decision: row.decision,
    decidedAt: iso(row.decided_at),
    note: row.note,
  };
}

export const ZCsvImport = z.object({
  csv: z.string().min(1).max(1_000_000).describe('The CSV text, with a header line'),
});
export const ZImportResult = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
});
