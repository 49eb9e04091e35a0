import { z } from 'zod';
import { classifications } from '../vault/collection-schema.js';
import {
  type ActivityEntry,
  activityRoles,
  type DataMap,
  type MeasureEntry,
  measureKinds,
  type OrganizationProfile,
  type ProcessorEntry,
  processorRoles,
  type SystemEntry,
  systemKinds,
  systemOrigins,
} from './inventory-model.js';
import { dpaStatus } from './inventory-processors.js';

const text = (max: number) => z.string().trim().max(max);
const name = (max: number) => z.string().trim().min(1).max(max);
const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max);
const ZCategory = z.string().max(200).describe('A fideslang data category key (or one beneath it)');
const ZSubject = z.string().max(200).describe('A fideslang data subject key');
const ZCountry = z.string().max(8).describe('ISO 3166-1 alpha-2 country code (`DE`)');
const ZPlace = z.string().max(8).describe('ISO 3166-1 alpha-2 country code, or a region (`EEA`, `EU`)');
const ZPeriod = z
  .string()
  .regex(
    /^P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/,
    'an ISO 8601 period of years, months, weeks and days (`P2Y`)',
  );
const ZParty = z.object({ name: name(300), contact: text(500) });
const ZDate = z.iso.date().describe('YYYY-MM-DD');

export const ZInventoryId = z.object({ id: z.uuid().toLowerCase() });
export const ZSystemId = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .describe('A registered system’s uuid, `custos`, or `collection:<name>` for a collection asset'),
});

const systemFields = {
  name: name(100),
  owner: name(200).describe('The team or role answering for the system'),
  description: text(2000),
  kind: z.enum(systemKinds),
  locations: list(ZCountry, 250).describe('Where the data is stored and accessed from'),
  dataCategories: list(ZCategory, 100),
  dataSubjects: list(ZSubject, 50),
  classification: z.enum(classifications),
  retention: z
    .object({
      policyId: z.uuid().toLowerCase().nullable().default(null),
      period: ZPeriod.nullable().default(null),
    })
    .refine((value) => value.policyId !== null || value.period !== null, 'name a policy or a period')
    .nullable()
    .describe('A retention policy of the retention module, or an ISO 8601 period'),
  encryptionRequired: z.boolean(),
  accessControls: z.object({
    roles: list(text(100), 50).default([]),
    permissions: list(text(100), 100).default([]),
    notes: text(2000).default('').describe('Who may access it, for systems outside Custos'),
  }),
  geographicRestrictions: list(ZPlace, 250).describe('Countries or regions the data must not leave'),
  processorId: z.uuid().toLowerCase().nullable().describe('The processor operating the system'),
  endpointUrl: z
    .url()
    .max(2000)
    .describe(
      'Where its erasure, rectification and restriction tasks are sent, signed per Standard Webhooks',
    ),
  enabled: z.boolean().describe('Whether it is sent new tasks'),
};

export const ZSystemInput = z.object({
  ...systemFields,
  description: systemFields.description.default(''),
  kind: systemFields.kind.default('internal_application'),
  locations: systemFields.locations.default([]),
  dataCategories: systemFields.dataCategories.default([]),
  dataSubjects: systemFields.dataSubjects.default([]),
  classification: systemFields.classification.default('confidential'),
  retention: systemFields.retention.default(null),
  encryptionRequired: systemFields.encryptionRequired.default(false),
  accessControls: systemFields.accessControls.default({ roles: [], permissions: [], notes: '' }),
  geographicRestrictions: systemFields.geographicRestrictions.default([]),
  processorId: systemFields.processorId.default(null),
  endpointUrl: systemFields.endpointUrl.optional(),
  enabled: systemFields.enabled.optional(),
});

export const ZSystemChanges = z.object(systemFields).partial();

const ZTimestamps = { createdAt: z.iso.datetime(), updatedAt: z.iso.datetime() };

/** What a system says of itself, whether registered, derived or planned by an import. */
export const ZSystemFacts = z.object({
  name: z.string(),
  description: z.string(),
  owner: z.string(),
  kind: z.enum(systemKinds),
  locations: z.array(z.string()),
  dataCategories: z.array(z.string()),
  dataSubjects: z.array(z.string()),
  classification: z.enum(classifications),
  retention: z.object({ policyId: z.string().nullable(), period: z.string().nullable() }).nullable(),
  encryptionRequired: z.boolean(),
  accessControls: z.object({
    roles: z.array(z.string()),
    permissions: z.array(z.string()),
    notes: z.string(),
  }),
  geographicRestrictions: z.array(z.string()),
});

export const ZSystem = z
  .object({
    id: z.string(),
    origin: z
      .enum(systemOrigins)
      .describe('`custos` and `collection` entries are derived from Custos’s definitions and read-only'),
    ...ZSystemFacts.shape,
    processorId: z.string().nullable(),
    fulfilment: z
      .object({ endpointId: z.string(), endpointUrl: z.string(), enabled: z.boolean() })
      .nullable()
      .describe('For systems sent erasure, rectification and restriction tasks: their webhook endpoint'),
    fields: z
      .array(
        z.object({
          name: z.string(),
          dataCategory: z.string(),
          classification: z.enum(classifications),
          encrypted: z.boolean(),
        }),
      )
      .nullable()
      .describe('Collection assets only: the collection’s fields'),
    ...ZTimestamps,
  })
  .meta({ id: 'InventorySystem' });

export const ZSystemWithSecret = z.object({
  system: ZSystem,
  secret: z
    .string()
    .nullable()
    .describe('The signing secret (`whsec_…`) of the endpoint made by this call, shown only here; else null'),
});

const processorFields = {
  name: name(200),
  contact: text(500).describe('How to reach the vendor’s privacy contact (a role address, not a person)'),
  country: ZCountry,
  role: z.enum(processorRoles),
  parentId: z.uuid().toLowerCase().nullable().describe('For a sub-processor: the processor that engaged it'),
  dpa: z
    .object({
      signedAt: ZDate,
      version: name(100),
      reviewAt: ZDate.nullable().default(null),
      reference: name(500),
    })
    .nullable()
    .describe('The data processing agreement; past its review date it is no longer valid'),
};

export const ZProcessorInput = z.object({
  ...processorFields,
  contact: processorFields.contact.default(''),
  role: processorFields.role.default('processor'),
  parentId: processorFields.parentId.default(null),
  dpa: processorFields.dpa.default(null),
});
export const ZProcessorChanges = z.object(processorFields).partial();

export const ZProcessor = z
  .object({
    id: z.string(),
    name: z.string(),
    contact: z.string(),
    country: z.string(),
    role: z.enum(processorRoles),
    parentId: z.string().nullable(),
    systemIds: z.array(z.string()).describe('Registered systems it operates'),
    dpa: z
      .object({
        signedAt: z.string(),
        version: z.string(),
        reviewAt: z.string().nullable(),
        reference: z.string(),
      })
      .nullable(),
    dpaStatus: z.enum(['valid', 'expired', 'missing']).describe('`expired`: past its review date'),
    ...ZTimestamps,
  })
  .meta({ id: 'InventoryProcessor' });

const activityFields = {
  name: name(200),
  description: text(2000),
  role: z.enum(activityRoles).describe('`processor`: carried out on behalf of `controller` (Art. 30(2))'),
  controller: ZParty.nullable(),
  jointControllers: list(ZParty, 20),
  purposeKeys: list(z.string().max(64), 100).describe('Consent purposes: their legal bases come from them'),
  collectionNames: list(z.string().max(63), 100).describe('Vault collections whose data it processes'),
  systemIds: list(z.uuid().toLowerCase(), 200).describe('Registered systems it uses'),
  processorIds: list(z.uuid().toLowerCase(), 200).describe('Processors receiving data for it directly'),
  measureIds: list(z.uuid().toLowerCase(), 100).describe(
    'Its technical and organisational security measures',
  ),
  extraDataCategories: list(ZCategory, 100).describe(
    'Categories beyond those of its collections and systems',
  ),
  extraDataSubjects: list(ZSubject, 50),
  recipientCategories: list(text(200), 50).describe(
    'Recipients not otherwise in the map (“tax authorities”)',
  ),
  transferSafeguards: list(z.object({ country: ZCountry, safeguard: name(1000) }), 50),
  retentionNote: text(2000).describe('A retention period in words, for data no retention policy covers'),
};

export const ZActivityInput = z.object({
  ...activityFields,
  description: activityFields.description.default(''),
  role: activityFields.role.default('controller'),
  controller: activityFields.controller.default(null),
  jointControllers: activityFields.jointControllers.default([]),
  purposeKeys: activityFields.purposeKeys.default([]),
  collectionNames: activityFields.collectionNames.default([]),
  systemIds: activityFields.systemIds.default([]),
  processorIds: activityFields.processorIds.default([]),
  measureIds: activityFields.measureIds.default([]),
  extraDataCategories: activityFields.extraDataCategories.default([]),
  extraDataSubjects: activityFields.extraDataSubjects.default([]),
  recipientCategories: activityFields.recipientCategories.default([]),
  transferSafeguards: activityFields.transferSafeguards.default([]),
  retentionNote: activityFields.retentionNote.default(''),
});
export const ZActivityChanges = z.object(activityFields).partial();

export const ZPartyOut = z.object({ name: z.string(), contact: z.string() });

/** What an activity says of itself, whether registered or planned by an import (links aside). */
export const ZActivityFacts = z.object({
  name: z.string(),
  description: z.string(),
  role: z.enum(activityRoles),
  controller: ZPartyOut.nullable(),
  jointControllers: z.array(ZPartyOut),
  purposeKeys: z.array(z.string()),
  collectionNames: z.array(z.string()),
  extraDataCategories: z.array(z.string()),
  extraDataSubjects: z.array(z.string()),
  recipientCategories: z.array(z.string()),
  transferSafeguards: z.array(z.object({ country: z.string(), safeguard: z.string() })),
  retentionNote: z.string(),
});

export const ZActivity = z
  .object({
    id: z.string(),
    ...ZActivityFacts.shape,
    systemIds: z.array(z.string()),
    processorIds: z.array(z.string()),
    measureIds: z.array(z.string()),
    ...ZTimestamps,
  })
  .meta({ id: 'ProcessingActivity' });

const measureFields = { name: name(200), description: text(2000), kind: z.enum(measureKinds) };
export const ZMeasureInput = z.object({
  ...measureFields,
  description: measureFields.description.default(''),
  kind: measureFields.kind.default('technical'),
});
export const ZMeasureChanges = z.object(measureFields).partial();
export const ZMeasure = z
  .object({ id: z.string(), name: z.string(), description: z.string(), kind: z.enum(measureKinds) })
  .meta({ id: 'SecurityMeasure' });

export const ZOrganizationInput = z.object({
  controllerName: name(300),
  address: text(1000).default(''),
  country: ZCountry.nullable().default(null).describe('Where the controller is established'),
  representative: ZParty.nullable().default(null).describe('The Art. 27 representative, if any'),
  dpoContact: text(500).default('').describe('How to reach the data protection officer'),
  supervisoryAuthority: text(500).default(''),
});

export const ZOrganization = z
  .object({
    controllerName: z.string(),
    address: z.string(),
    country: z.string().nullable(),
    representative: ZPartyOut.nullable(),
    dpoContact: z.string(),
    supervisoryAuthority: z.string(),
    updatedAt: z.iso.datetime().nullable().describe('Null until the profile is first saved'),
  })
  .meta({ id: 'OrganizationProfile' });

export const ZDataMap = z
  .object({
    generatedAt: z.iso.datetime(),
    organization: ZOrganization,
    systems: z.array(ZSystem),
    processors: z.array(ZProcessor),
    activities: z.array(ZActivity),
    measures: z.array(ZMeasure),
    purposes: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        description: z.string(),
        legalBasis: z.string(),
        dataCategories: z.array(z.string()),
        dataUses: z.array(z.string()),
        automatedDecisions: z.boolean(),
      }),
    ),
    retention: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        collection: z.string().nullable(),
        dataCategory: z.string().nullable(),
        duration: z.string().nullable(),
        trigger: z.string(),
        legalBasis: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'DataMap' });

const timestamps = (entry: { createdAt: Date; updatedAt: Date }) => ({
  createdAt: entry.createdAt.toISOString(),
  updatedAt: entry.updatedAt.toISOString(),
});

export function presentSystem(entry: SystemEntry): z.infer<typeof ZSystem> {
  return { ...entry, ...timestamps(entry) };
}

export function presentProcessor(entry: ProcessorEntry, today: string): z.infer<typeof ZProcessor> {
  return { ...entry, dpaStatus: dpaStatus(entry.dpa, today), ...timestamps(entry) };
}

export function presentActivity(entry: ActivityEntry): z.infer<typeof ZActivity> {
  return { ...entry, ...timestamps(entry) };
}

export function presentMeasure(entry: MeasureEntry): z.infer<typeof ZMeasure> {
  return { id: entry.id, name: entry.name, description: entry.description, kind: entry.kind };
}

export function presentOrganization(profile: OrganizationProfile): z.infer<typeof ZOrganization> {
  return { ...profile, updatedAt: profile.updatedAt?.toISOString() ?? null };
}

export function presentDataMap(map: DataMap, today: string): z.infer<typeof ZDataMap> {
  return {
    generatedAt: map.generatedAt.toISOString(),
    organization: presentOrganization(map.organization),
    systems: map.systems.map(presentSystem),
    processors: map.processors.map((entry) => presentProcessor(entry, today)),
    activities: map.activities.map(presentActivity),
    measures: map.measures.map(presentMeasure),
    purposes: map.purposes,
    retention: map.retention,
  };
}
