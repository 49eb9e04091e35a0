import { z } from 'zod';
import { isKnownCategory, ZCollectionName } from '../vault/collection-schema.js';
import { breachNatures, consequenceLevels, identifiabilities, sensitivities } from './breach-assessment.js';
import { breachStatuses, discoveries, noticePhases, severities } from './breach-tables.js';

const text = (max: number) => z.string().trim().max(max);
const instant = z.iso.datetime({ offset: true });
const countryCode = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code');
const id = z.string().min(1).max(200);

export const ZBreachIdParams = z.object({ id: z.uuid().toLowerCase() });
export const ZSeverity = z.enum(severities);
export const ZBreachStatus = z.enum(breachStatuses);

/** The register's descriptive facts (Art. 33(3), 33(5)); every member optional, so a partial update merges. */
export const ZBreachFacts = z
  .strictObject({
    description: text(5000).describe('What happened, in the team’s words: no personal data'),
    nature: z.array(z.enum(breachNatures)).max(3).describe('Confidentiality, integrity and/or availability'),
    dataCategories: z
      .array(z.string().max(200).refine(isKnownCategory, 'must be a data category of the taxonomy'))
      .max(100),
    subjectTypes: z.array(z.string().regex(/^[a-z][a-z0-9_.]{0,99}$/)).max(50),
    subjectsCount: z.number().int().min(0).max(10_000_000_000).nullable(),
    subjectsApproximate: z.boolean(),
    recordsCount: z.number().int().min(0).max(10_000_000_000_000).nullable(),
    recordsApproximate: z.boolean(),
    systemIds: z.array(id).max(100).describe('Systems of the data map involved'),
    processorIds: z.array(id).max(100).describe('Processors of the data map involved'),
    collections: z
      .array(ZCollectionName)
      .max(100)
      .describe('Vault collections whose stored data was involved (a copy of the database, a backup)'),
    keysCompromised: z
      .boolean()
      .describe('Whether Custos’s master key or data keys were part of the incident'),
    crossBorder: z
      .strictObject({
        countries: z.array(countryCode).max(50),
        leadAuthority: text(300).nullable(),
      })
      .nullable()
      .describe('Member states whose residents are affected, and the lead authority (Art. 56)'),
    processorNotice: z
      .strictObject({ processorId: id.nullable(), receivedAt: instant, reference: text(200) })
      .nullable()
      .describe('A processor’s notice to the controller (Art. 33(2)), with its own date'),
    consequences: text(5000).describe('Likely consequences for the individuals'),
    measures: text(5000).describe(
      'Measures taken or proposed to address the breach and mitigate its effects',
    ),
  })
  .partial()
  .meta({ id: 'BreachFacts' });
export type BreachFacts = z.output<typeof ZBreachFacts>;

export const ZBreachCreate = z
  .strictObject({
    title: text(200).min(1),
    awareAt: instant.describe('When the organization became aware: the 72-hour clock starts here'),
    occurredFrom: instant.nullable().optional().describe('When it started; null when unknown'),
    occurredUntil: instant.nullable().optional(),
    discovery: z.enum(discoveries),
    alertId: z.uuid().toLowerCase().optional(),
    facts: ZBreachFacts.optional(),
  })
  .meta({ id: 'BreachCreate' });

export const ZBreachUpdate = z
  .strictObject({
    title: text(200).min(1).optional(),
    awareAt: instant
      .optional()
      .describe('Corrects awareness; the deadline follows (it is never set by hand)'),
    occurredFrom: instant.nullable().optional(),
    occurredUntil: instant.nullable().optional(),
    facts: ZBreachFacts.optional(),
    lateReasons: text(4000).min(1).optional().describe('Why the authority is notified after 72 hours'),
    lessonsLearned: text(8000).min(1).optional(),
    note: text(4000).optional().describe('Kept on the timeline with the change'),
  })
  .meta({ id: 'BreachUpdate' });

export const ZStatusChange = z
  .strictObject({
    status: ZBreachStatus,
    reason: text(2000).min(1).optional().describe('Required to dismiss; the closing note when closing'),
  })
  .meta({ id: 'BreachStatusChange' });

export const ZRiskFactors = z
  .strictObject({
    nature: z.array(z.enum(breachNatures)).min(1).max(3),
    sensitivity: z.enum(sensitivities),
    identifiability: z.enum(identifiabilities),
    consequences: z.enum(consequenceLevels),
    vulnerableIndividuals: z.boolean(),
    malicious: z.boolean(),
  })
  .meta({ id: 'BreachRiskFactors' });

export const ZDecision = z
  .strictObject({
    severity: ZSeverity,
    notifyAuthority: z.boolean(),
    notifyIndividuals: z.boolean(),
    justification: text(4000)
      .min(1)
      .optional()
      .describe('Required when the decision departs from the proposal'),
  })
  .meta({ id: 'BreachDecision' });

export const ZTaskCreate = z.strictObject({
  title: text(500).min(1),
  owner: text(200).min(1).describe('Who does it: an operator id or a team'),
  dueAt: instant.nullable().optional(),
});
export const ZTaskUpdate = z.strictObject({
  status: z.enum(['open', 'done', 'cancelled']).optional(),
  owner: text(200).min(1).optional(),
  dueAt: instant.nullable().optional(),
});
export const ZTaskParams = z.object({ id: z.uuid().toLowerCase(), taskId: z.uuid().toLowerCase() });

export const ZNoticeCreate = z.strictObject({ phase: z.enum(noticePhases) });
export const ZNoticeParams = z.object({
  id: z.uuid().toLowerCase(),
  version: z.coerce.number().int().min(1).max(1000),
});
export const ZNoticeFormat = z.object({ format: z.enum(['html', 'json']).default('json') });
export const ZSubmission = z
  .strictObject({
    submittedAt: instant,
    reference: text(200).min(1).describe('The authority’s reference or case number'),
    channel: text(200).min(1).describe('How it was sent: the authority’s portal, e-mail, post'),
    lateReasons: text(4000).min(1).optional().describe('Required when submitted after the deadline'),
  })
  .meta({ id: 'BreachNoticeSubmission' });

export const ZPublicCommunication = z
  .strictObject({
    publishedAt: instant,
    channel: text(300).min(1).describe('Where: the website, newspapers, a press release'),
    reference: text(500).min(1).describe('A link or reference to what was published'),
    reason: text(2000).min(1).describe('Why individual notice would involve disproportionate effort'),
  })
  .meta({ id: 'BreachPublicCommunication' });

export const ZBlastRadiusQuery = z
  .strictObject({
    source: z.discriminatedUnion('kind', [
      z
        .strictObject({ kind: z.literal('principal'), type: z.enum(['operator', 'api_key']), id })
        .describe('The compromised operator or API key'),
      z
        .strictObject({
          kind: z.literal('network'),
          range: z
            .string()
            .max(64)
            .describe('A client address range in CIDR notation (IPv4 /16 or narrower, IPv6 /40 or narrower)'),
        })
        .describe('The client network the compromised access came from'),
    ]),
    from: instant.describe('The window’s start'),
    until: instant.optional().describe('The window’s end (excluded); now when left out'),
  })
  .meta({ id: 'BlastRadiusQuery' });
export type BlastRadiusInput = z.output<typeof ZBlastRadiusQuery>;

export const ZFromAlert = z.strictObject({
  alertId: z.uuid().toLowerCase(),
  title: text(200).min(1).optional(),
});

export const ZPageQuery = z.object({
  cursor: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export const ZBreachListQuery = ZPageQuery.extend({ status: ZBreachStatus.optional() });

const record = z.record(z.string(), z.unknown());
const nullableInstant = z.iso.datetime().nullable();

export const ZBreach = z
  .object({
    id: z.uuid(),
    title: z.string(),
    status: ZBreachStatus,
    statusReason: z.string().nullable(),
    awareAt: z.iso.datetime(),
    deadlineAt: z.iso.datetime().describe('Always awareAt + 72 hours (Art. 33(1))'),
    clock: z
      .object({
        msLeft: z.number().describe('Milliseconds to the deadline; negative once overdue'),
        overdue: z.boolean(),
        stopped: z
          .boolean()
          .describe('The authority was notified, notification was decided against, or the breach ended'),
      })
      .describe('The 72-hour clock as of the response'),
    occurredFrom: nullableInstant,
    occurredUntil: nullableInstant,
    discovery: z.enum(discoveries),
    alertId: z.string().nullable(),
    facts: record.describe('The register’s facts (see BreachFacts)'),
    assessment: record.nullable().describe('The factors given and the proposal with its reasons'),
    decision: record.nullable().describe('The DPO’s decision, with what it overrode and the justification'),
    severity: ZSeverity.nullable(),
    notifyAuthority: z.boolean().nullable(),
    notifyIndividuals: z.boolean().nullable(),
    lateReasons: z.string().nullable(),
    authorityNotifiedAt: nullableInstant,
    individualNotice: z.object({ subject: z.string(), startedAt: z.string() }).nullable(),
    publicCommunication: record.nullable(),
    lessonsLearned: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Breach' });

export const ZBreachPage = z.object({ items: z.array(ZBreach), nextCursor: z.string().nullable() });

export const ZTask = z
  .object({
    id: z.uuid(),
    title: z.string(),
    owner: z.string(),
    status: z.enum(['open', 'done', 'cancelled']),
    dueAt: nullableInstant,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'BreachTask' });

export const ZProgress = z
  .object({
    affected: z.number().int(),
    queued: z.number().int().describe('Notices queued in the mail outbox'),
    unreachable: z.number().int().describe('Affected subjects without an e-mail address in the vault'),
  })
  .meta({ id: 'BreachNoticeProgress' });

export const ZBreachDetail = z
  .object({
    breach: ZBreach,
    tasks: z.array(ZTask),
    affected: z.object({
      subjects: z.number().int(),
      fields: z.array(z.string()),
      kinds: z.array(z.string()),
    }),
    progress: ZProgress,
    notices: z.array(
      z.object({
        version: z.number().int(),
        phase: z.enum(noticePhases),
        createdAt: z.iso.datetime(),
        submittedAt: nullableInstant,
        submissionReference: z.string().nullable(),
        submissionChannel: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'BreachDetail' });

export const ZTimelineEvent = z.object({
  id: z.uuid(),
  at: z.iso.datetime(),
  actor: z.object({ type: z.string(), id: z.string().nullable() }),
  kind: z.string(),
  fields: z.array(z.string()),
  note: z.string().nullable(),
  details: record,
});

export const ZBlastRadius = z
  .object({
    subjects: z.number().int(),
    entries: z.number().int().describe('Audit entries that exposed them'),
    kinds: z
      .record(z.string(), z.number().int())
      .describe('Subjects per kind: read, revealed, detokenized, exported'),
    fields: z.array(z.string()).describe('`collection.field` names exposed'),
    categories: z.array(z.string()).describe('Their data categories, from the collection definitions'),
    sample: z.array(z.string()).describe('The first 100 subject ids'),
  })
  .meta({ id: 'BlastRadius' });

export const ZAffectedPage = z.object({
  items: z.array(
    z.object({
      subjectId: z.string(),
      fields: z.array(z.string()),
      kinds: z.array(z.string()),
      entries: z.number().int(),
      firstAt: nullableInstant,
      lastAt: nullableInstant,
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const ZAdvice = z.strictObject({
  advice: text(4000)
    .default('')
    .describe('What people can do themselves (change a password, watch statements)'),
});
export const ZNoticePreview = z.object({
  notice: z.object({ subject: z.string(), text: z.string() }),
  frozen: z.boolean().describe('Sending started: this is the text everyone gets'),
  progress: ZProgress,
});
