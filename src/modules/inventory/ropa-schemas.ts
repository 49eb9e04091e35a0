import { z } from 'zod';
import { findingKindNames, findingKinds } from './findings.js';
import type { ResolvedActivity } from './inventory-resolve.js';

export const ropaFormats = ['json', 'csv', 'html', 'pdf'] as const;
export type RopaFormat = (typeof ropaFormats)[number];

export const noticeFormats = ['html', 'markdown'] as const;
export type NoticeFormat = (typeof noticeFormats)[number];

export const ZRopaQuery = z.object({
  format: z
    .enum(ropaFormats)
    .default('json')
    .describe(
      '`json` (default) answers the register as JSON; `csv`, `html` and `pdf` answer a file to download (Content-Disposition: attachment).',
    ),
});

export const ZNoticeQuery = z.object({
  format: z
    .enum(noticeFormats)
    .default('html')
    .describe('`html` (default) or `markdown`, both as a download'),
});

export const ZActivityIdParams = z.object({ id: z.uuid().toLowerCase() });

const ZParty = z.object({ name: z.string(), contact: z.string() });
const ZTransfer = z.object({
  country: z.string(),
  recipients: z.array(z.string()),
  safeguard: z.string().nullable().describe('Null: no safeguard recorded'),
});
const ZMeasure = z.object({ name: z.string(), kind: z.string(), description: z.string() });
const ZRecipient = z.object({ name: z.string(), country: z.string(), role: z.string() });

const ZControllerRecord = z.object({
  activityId: z.string(),
  name: z.string(),
  description: z.string(),
  controller: z
    .object({
      name: z.string(),
      address: z.string(),
      jointControllers: z.array(ZParty),
      representative: ZParty.nullable(),
      dpoContact: z.string(),
    })
    .describe('Art. 30(1)(a)'),
  purposes: z
    .array(z.object({ key: z.string(), name: z.string(), legalBasis: z.string().nullable() }))
    .describe('Art. 30(1)(b)'),
  dataSubjects: z.array(z.string()).describe('Art. 30(1)(c): fideslang data subject keys'),
  dataCategories: z.array(z.string()).describe('Art. 30(1)(c): fideslang data category keys'),
  recipients: z.array(ZRecipient).describe('Art. 30(1)(d): processors and sub-processors reached'),
  recipientCategories: z.array(z.string()).describe('Art. 30(1)(d)'),
  transfers: z.array(ZTransfer).describe('Art. 30(1)(e)'),
  retention: z
    .array(z.object({ name: z.string(), period: z.string().nullable(), scope: z.string() }))
    .describe('Art. 30(1)(f): periods from retention policies and systems'),
  retentionNote: z.string().describe('Art. 30(1)(f): the period in words, for data no policy covers'),
  securityMeasures: z.array(ZMeasure).describe('Art. 30(1)(g)'),
});

const ZProcessorRecord = z.object({
  activityId: z.string(),
  name: z.string(),
  description: z.string(),
  processor: z
    .object({
      name: z.string(),
      address: z.string(),
      representative: ZParty.nullable(),
      dpoContact: z.string(),
    })
    .describe('Art. 30(2)(a): the organization, acting as processor'),
  controller: ZParty.nullable().describe('Art. 30(2)(a): the controller served'),
  jointControllers: z.array(ZParty),
  categoriesOfProcessing: z.array(z.string()).describe('Art. 30(2)(b)'),
  dataCategories: z.array(z.string()),
  subProcessors: z.array(ZRecipient),
  transfers: z.array(ZTransfer).describe('Art. 30(2)(c)'),
  securityMeasures: z.array(ZMeasure).describe('Art. 30(2)(d)'),
});

export const ZRopa = z
  .object({
    format: z.literal('custos-ropa'),
    version: z
      .string()
      .describe('Content hash of the organization and both registers: the same content, the same version'),
    generatedAt: z.iso.datetime(),
    organization: z.object({
      controllerName: z.string(),
      address: z.string(),
      country: z.string().nullable(),
      representative: ZParty.nullable(),
      dpoContact: z.string(),
      supervisoryAuthority: z.string(),
    }),
    controllerRegister: z.array(ZControllerRecord),
    processorRegister: z.array(ZProcessorRecord),
    counts: z.object({
      activities: z.number().int(),
      controllerActivities: z.number().int(),
      processorActivities: z.number().int(),
    }),
  })
  .meta({ id: 'Ropa' });

export const ZFinding = z
  .object({
    id: z.string().describe('Stable while the finding lasts'),
    kind: z.enum(findingKindNames).describe(
      Object.entries(findingKinds)
        .map(([kind, definition]) => `\`${kind}\` (${definition.severity}): ${definition.description}`)
        .join(' '),
    ),
    severity: z.enum(['high', 'medium', 'low']),
    subject: z.object({
      type: z.enum(['collection', 'activity', 'purpose', 'system', 'processor']),
      id: z.string(),
      name: z.string(),
    }),
    message: z.string(),
    action: z.string().describe('What to do to clear it'),
    concerns: z.array(z.string()).describe('Category keys, field names, countries or purpose keys concerned'),
  })
  .meta({ id: 'InventoryFinding' });

export const ZFindingList = z.object({
  generatedAt: z.iso.datetime(),
  items: z.array(ZFinding),
  counts: z.object({ high: z.number().int(), medium: z.number().int(), low: z.number().int() }),
});

const ZSource = z.object({
  from: z.enum(['collection', 'system', 'purpose', 'processor', 'retention_policy', 'manual']),
  ref: z.string(),
});
const ZSourced = z.object({ value: z.string(), sources: z.array(ZSource) });

export const ZResolvedActivity = z
  .object({
    activityId: z.string(),
    name: z.string(),
    role: z.enum(['controller', 'processor']),
    dataCategories: z.array(ZSourced),
    dataSubjects: z.array(ZSourced),
    purposes: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        legalBasis: z.string().nullable(),
        dataUses: z.array(z.string()),
        automatedDecisions: z.boolean(),
      }),
    ),
    recipients: z.array(
      z.object({
        processorId: z.string(),
        name: z.string(),
        contact: z.string(),
        country: z.string(),
        role: z.string(),
        sources: z.array(ZSource),
      }),
    ),
    recipientCategories: z.array(z.string()),
    transfers: z.array(
      z.object({
        country: z.string(),
        via: z.array(z.object({ type: z.enum(['system', 'processor']), id: z.string(), name: z.string() })),
        safeguard: z.string().nullable(),
      }),
    ),
    retention: z.array(
      z.object({
        name: z.string(),
        period: z.string().nullable(),
        legalBasis: z.string().nullable(),
        scope: z.string(),
        source: ZSource,
      }),
    ),
    retentionNote: z.string(),
    measures: z.array(
      z.object({ id: z.string(), name: z.string(), description: z.string(), kind: z.string() }),
    ),
    unresolved: z
      .object({
        purposes: z.array(z.string()),
        collections: z.array(z.string()),
        systems: z.array(z.string()),
        processors: z.array(z.string()),
        measures: z.array(z.string()),
      })
      .describe('Links to entries no longer in the map'),
  })
  .meta({ id: 'ResolvedActivity' });

/** The derived view of an activity, as the editor shows it (the activity's own fields come from its route). */
export function presentResolved(resolved: ResolvedActivity): z.infer<typeof ZResolvedActivity> {
  const { activity, ...derived } = resolved;
  return { activityId: activity.id, name: activity.name, role: activity.role, ...derived };
}
