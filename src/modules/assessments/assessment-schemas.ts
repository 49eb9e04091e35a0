import { z } from 'zod';
import { roles } from '../access/permissions.js';
import { riskKinds, sectionKeys } from './dpia.js';
import { criteria, triggers } from './screening.js';

const text = (max: number) => z.string().trim().max(max);
const day = z.iso.date().describe('YYYY-MM-DD');
const key = z.string().regex(/^[a-z][a-z0-9_.-]{0,99}$/);
const id = z.string().min(1).max(200);
const score = z.number().int().min(1).max(4);

export const ZIdParams = z.object({ id: z.uuid().toLowerCase() });
export const ZActivityParams = z.object({ activityId: z.uuid().toLowerCase() });
export const ZVersionParams = z.object({
  id: z.uuid().toLowerCase(),
  version: z.coerce.number().int().min(1).max(100_000),
});
export const ZDiffQuery = z.object({
  from: z.coerce.number().int().min(1).max(100_000),
  to: z.coerce.number().int().min(1).max(100_000),
});
export const ZListQuery = z.object({ activityId: z.uuid().toLowerCase().optional() });
export const ZExportQuery = z.object({
  format: z.enum(['html', 'pdf', 'json']).default('html'),
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .optional()
    .describe('An approved version; the current state when absent'),
});

export const ZAnswers = z.strictObject({
  criteria: z
    .partialRecord(z.enum(criteria), z.strictObject({ met: z.boolean(), note: text(2000) }))
    .default({})
    .describe('Answers to the criteria the data map cannot tell; a criterion the map shows met stays met'),
  estimatedSubjects: z.number().int().min(0).max(10_000_000_000).nullable().default(null),
});

export const ZProposed = z.strictObject({
  name: text(200).min(1),
  description: text(5000).default(''),
  purposeKeys: z.array(key).max(100).default([]),
  collectionNames: z.array(key).max(100).default([]),
  systemIds: z.array(id).max(100).default([]),
  processorIds: z.array(id).max(100).default([]),
  dataCategories: z.array(key).max(200).default([]),
  dataSubjects: z.array(key).max(100).default([]),
});
export const ZProposedScreening = z.strictObject({
  activity: ZProposed,
  answers: ZAnswers.default({ criteria: {}, estimatedSubjects: null }),
});

const ZCriterionResult = z.object({
  key: z.enum(criteria),
  label: z.string(),
  met: z.boolean().nullable(),
  source: z.enum(['derived', 'answered', 'unanswered']),
  reasons: z.array(z.string()),
});
export const ZScreening = z.object({
  id: z.string(),
  activityId: z.string().nullable(),
  proposed: ZProposed.nullable(),
  name: z.string(),
  answers: ZAnswers,
  result: z.object({
    outcome: z.enum(['required', 'not_required', 'incomplete']),
    metCount: z.number().int(),
    criteria: z.array(ZCriterionResult),
    triggers: z.array(z.object({ key: z.enum(triggers), met: z.boolean(), reasons: z.array(z.string()) })),
    facts: z.object({
      specialCategories: z.array(z.string()),
      automatedPurposes: z.array(z.string()),
      subjects: z.number().int().nullable(),
      transfers: z.array(z.object({ country: z.string(), safeguard: z.string().nullable() })),
    }),
  }),
  fingerprint: z.string(),
  screenedAt: z.date(),
  screenedBy: z.string().nullable(),
});
export const ZScreeningList = z.object({ items: z.array(ZScreening) });

export const ZLink = z.strictObject({ activityId: z.uuid().toLowerCase() });
export const ZLinked = z.object({
  screeningId: z.string(),
  activityId: z.string(),
  assessmentId: z.string().nullable(),
});

export const ZCreate = z.strictObject({
  screeningId: z.uuid().toLowerCase(),
  title: text(200).min(1).optional(),
});

const ZConsultation = z.strictObject({
  consulted: z.boolean(),
  who: text(2000).default(''),
  how: text(2000).default(''),
  results: text(8000).default(''),
  whyNot: text(4000).default(''),
});
const ZPrior = z.strictObject({
  authority: text(300),
  submittedOn: day.nullable(),
  reference: text(200).default(''),
  answer: text(8000).default(''),
  answeredOn: day.nullable().default(null),
  extended: z.boolean().default(false),
});
export const ZUpdate = z.strictObject({
  title: text(200).min(1).optional(),
  sections: z
    .partialRecord(
      z.enum(sectionKeys),
      z.strictObject({ text: text(20_000).optional(), complete: z.boolean().optional() }),
    )
    .optional(),
  consultation: ZConsultation.nullable().optional(),
  priorConsultation: ZPrior.nullable().optional(),
});

const ZMitigation = z.strictObject({
  id: z.uuid().optional(),
  measureId: id.nullable().describe('A security measure of the data map; null for a new measure'),
  title: text(300).min(1),
  owner: text(200).default(''),
  dueDate: day.nullable().default(null),
  status: z.enum(['planned', 'implemented']).default('planned'),
});
const ZRiskInput = z.strictObject({
  id: z.uuid().optional(),
  kind: z.enum(riskKinds),
  title: text(300).min(1),
  description: text(8000).default(''),
  likelihood: score.nullable().describe('1 negligible … 4 maximum'),
  severity: score.nullable(),
  residualLikelihood: score.nullable(),
  residualSeverity: score.nullable(),
  mitigations: z.array(ZMitigation).max(50).default([]),
});
export const ZRisks = z.strictObject({ risks: z.array(ZRiskInput).max(100) });

export const ZDecision = z.strictObject({
  step: key.describe('The key of the step being signed off: must be the step awaiting sign-off'),
  comment: text(4000).default(''),
});
export const ZRejection = z.strictObject({ step: key, comment: text(4000).min(1).describe('Why: required') });

const level = z.enum(['low', 'medium', 'high']).nullable();
const ZRisk = z.object({
  id: z.string(),
  kind: z.enum(riskKinds),
  title: z.string(),
  description: z.string(),
  likelihood: z.number().int().nullable(),
  severity: z.number().int().nullable(),
  residualLikelihood: z.number().int().nullable(),
  residualSeverity: z.number().int().nullable(),
  inherentLevel: level,
  residualLevel: level,
  mitigations: z.array(
    z.object({
      id: z.string(),
      measureId: z.string().nullable(),
      title: z.string(),
      owner: z.string(),
      dueDate: z.string().nullable(),
      status: z.enum(['planned', 'implemented']),
    }),
  ),
});
const ZSection = z.object({ text: z.string(), derived: z.array(z.string()), complete: z.boolean() });
const ZStep = z.object({
  key: z.string(),
  name: z.string(),
  role: z.string(),
  onlyWhenPriorConsultation: z.boolean(),
});
const ZSignOff = z.object({
  version: z.number().int(),
  round: z.number().int(),
  stepKey: z.string(),
  role: z.string(),
  decision: z.enum(['approved', 'rejected']),
  comment: z.string(),
  actor: z.object({ type: z.string(), id: z.string().nullable() }),
  at: z.date(),
});
const ZPriorView = z.object({
  required: z.boolean(),
  record: ZPrior.nullable(),
  answerDue: z.string().nullable(),
  extendedDue: z.string().nullable(),
});
export const ZAssessment = z.object({
  id: z.string(),
  activityId: z.string().nullable(),
  screeningId: z.string().nullable(),
  title: z.string(),
  status: z.enum(['draft', 'in_review', 'approved']),
  version: z.number().int(),
  sections: z.record(z.enum(sectionKeys), ZSection),
  progress: z.record(z.enum(sectionKeys), z.boolean()),
  risks: z.array(ZRisk),
  consultation: ZConsultation.nullable(),
  priorConsultation: ZPriorView,
  chain: z.array(ZStep.extend({ state: z.enum(['done', 'current', 'pending']) })),
  signOffs: z.array(ZSignOff),
  /** `activity_changed` (approved, its activity changed since) or `activity_deleted` (its activity left the data map). */
  reviewReason: z.string().nullable(),
  reviewDue: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export const ZAssessmentList = z.object({ items: z.array(ZAssessment) });

export const ZSnapshot = z.object({
  version: z.number().int(),
  title: z.string(),
  activityId: z.string().nullable(),
  sections: z.record(z.enum(sectionKeys), ZSection),
  risks: z.array(ZRisk),
  consultation: ZConsultation.nullable(),
  priorConsultation: ZPriorView,
  chain: z.array(ZStep.extend({ state: z.enum(['done', 'current', 'pending']) })),
  signOffs: z.array(ZSignOff.extend({ at: z.coerce.date() })),
  approvedAt: z.string(),
  reviewDue: z.string().nullable(),
});
export const ZVersionList = z.object({ items: z.array(ZSnapshot) });
export const ZDiff = z.object({
  from: z.number().int(),
  to: z.number().int(),
  changes: z.array(
    z.object({ path: z.string(), before: z.string().nullable(), after: z.string().nullable() }),
  ),
});

export const ZSettings = z.strictObject({
  steps: z
    .array(
      z.strictObject({
        key,
        name: text(200).min(1),
        role: z.enum(Object.keys(roles) as [keyof typeof roles, ...(keyof typeof roles)[]]),
        onlyWhenPriorConsultation: z.boolean().default(false),
      }),
    )
    .min(1)
    .max(10),
  forbidSelfApproval: z.boolean(),
  reviewMonths: z.number().int().min(1).max(60),
});

export const ZSummary = z.object({
  due: z.number().int(),
  screeningsIncomplete: z.number().int(),
  drafts: z.number().int(),
  inReview: z.number().int(),
  done: z.number().int(),
  flaggedForReview: z.number().int(),
  activityDeleted: z.number().int(),
  reviewOverdue: z.number().int(),
  reviewDueSoon: z.number().int(),
});
