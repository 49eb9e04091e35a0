import { z } from 'zod';
import { countryCodes, regionCodes } from '../../lib/countries.js';
import { classifications, isKnownCategory, ZCollectionName } from '../vault/collection-schema.js';
import { internationalOrganisations } from './adequacy.js';
import { sccModuleFor } from './transfer-decision.js';
import {
  decisionOutcomes,
  derogationGrounds,
  mechanismKinds,
  partyRoles,
  recipientTypes,
  storageAtStartupModes,
  tiaConclusions,
} from './transfer-model.js';
import { flowStatuses } from './transfer-service.js';

const text = (max: number) => z.string().trim().max(max);

/** A calendar date (YYYY-MM-DD) that exists. */
export const ZIsoDate = z.iso.date();

const codeList = (codes: readonly string[]) => codes as [string, ...string[]];
const organisations = Object.keys(internationalOrganisations);
export const ZCountry = z
  .enum(codeList(countryCodes), { error: 'an ISO 3166-1 alpha-2 country code (upper case)' })
  .meta({ id: 'CountryCode' });
/** A country, `EU`/`EEA`, or an international organisation Custos knows (`EPO`). */
export const ZPlace = z
  .enum(codeList([...countryCodes, ...regionCodes, ...organisations]), {
    error: 'an ISO 3166-1 alpha-2 code, EU, EEA or a known international organisation (EPO)',
  })
  .meta({ id: 'TransferPlace' });
/** A destination: a country or an international organisation. */
export const ZDestination = z
  .enum(codeList([...countryCodes, ...organisations]), {
    error: 'an ISO 3166-1 alpha-2 code or a known international organisation (EPO)',
  })
  .meta({ id: 'TransferDestination' });
const ZClassification = z.enum(classifications);
const ZPartyRole = z.enum(partyRoles);
const ZCategory = z.string().max(200).refine(isKnownCategory, 'must be a data category of the taxonomy');

export const ZIdParams = z.object({ id: z.uuid().toLowerCase() });
export const ZDecisionIdParams = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/) });

const ZScope = z.strictObject({
  code: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  text: text(1000).min(1),
  mustBeConfirmed: z.boolean(),
});

const ZDecisionFields = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  destination: ZDestination,
  name: text(200).min(1),
  kind: z.enum(['country', 'territory', 'sector', 'international_organisation']),
  instrument: text(500).min(1),
  inForce: ZIsoDate,
  endsOn: ZIsoDate.nullable(),
  scope: ZScope.nullable(),
  source: text(500).min(1),
});

export const ZAdequacyDecision = ZDecisionFields.extend({
  regime: z.enum(['EU', 'UK', 'CH']),
  origin: z.enum(['shipped', 'override']),
}).meta({ id: 'AdequacyDecision' });

export const ZOverrideCreate = z
  .strictObject({
    decision: ZDecisionFields,
    revoked: z.boolean().default(false).describe('Revoke a shipped decision (annulled, repealed)'),
    note: text(2000).min(1).describe('Why: the new decision, the ruling, the source'),
  })
  .refine((body) => body.decision.endsOn === null || body.decision.inForce <= body.decision.endsOn, {
    message: 'endsOn must not be before inForce',
    path: ['decision', 'endsOn'],
  });

export const ZOverride = ZAdequacyDecision.extend({ revoked: z.boolean() }).meta({ id: 'AdequacyOverride' });

export const ZReference = z
  .object({
    info: z.object({
      regime: z.string(),
      title: z.string(),
      lastReviewed: z.string(),
      license: z.string(),
      sources: z.array(z.string()),
      dateConvention: z.string(),
    }),
    decisions: z.array(ZAdequacyDecision),
    overrides: z.array(ZOverride),
    regions: z.record(z.string(), z.array(z.string())),
    internationalOrganisations: z.record(z.string(), z.string()),
    asOf: z.string().nullable(),
    inForceOnDate: z.array(z.string()).nullable(),
  })
  .meta({ id: 'TransferReference' });

export const ZReferenceQuery = z.object({
  asOf: ZIsoDate.optional().describe('Mark the decisions in force on this date'),
});

const ZDestinations = z.array(ZPlace).max(300);

export const ZPolicyInput = z
  .strictObject({
    name: text(200).min(1),
    region: ZPlace.describe('The exporter region the policy governs: a country, EU or EEA'),
    allowedDestinations: ZDestinations.nullable().describe(
      'Where data may go beyond the region; null: anywhere the law allows',
    ),
    classificationDestinations: z
      .partialRecord(ZClassification, ZDestinations)
      .default({})
      .describe('Per classification, the only places beyond the region it may go; [] keeps it inside'),
    specialCategoryDestinations: ZDestinations.nullable()
      .default(null)
      .describe('Where special categories (Art. 9) may go beyond the region; null: no extra restriction'),
    requireMechanismInPlace: z.boolean().default(false),
    storageLocations: ZDestinations.nullable()
      .default(null)
      .describe(
        'Where subjects of the region may be stored: the instance location (CUSTOS_INSTANCE_LOCATION) must lie in one of these; null: no requirement',
      ),
    storageAtStartup: z
      .enum(storageAtStartupModes)
      .default('warn')
      .describe(
        'At start-up, when subjects of the region are stored on an instance not allowed: warn (and alert), or refuse to start',
      ),
  })
  .meta({ id: 'ResidencyPolicyWrite' });

export const ZPolicy = z
  .object({
    id: z.uuid(),
    name: z.string(),
    region: z.string(),
    allowedDestinations: z.array(z.string()).nullable(),
    classificationDestinations: z.record(z.string(), z.array(z.string())),
    specialCategoryDestinations: z.array(z.string()).nullable(),
    requireMechanismInPlace: z.boolean(),
    storageLocations: z.array(z.string()).nullable(),
    storageAtStartup: z.enum(storageAtStartupModes),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'ResidencyPolicy' });

const ZMechanismDetails = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('adequacy_scope'),
    scopeCode: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
    reference: text(500).min(1).describe('e.g. the DPF List entry of the recipient'),
  }),
  z
    .strictObject({
      kind: z.literal('scc'),
      module: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
      exporterRole: ZPartyRole,
      importerRole: ZPartyRole,
      signedOn: ZIsoDate,
    })
    .refine((scc) => sccModuleFor(scc.exporterRole, scc.importerRole) === scc.module, {
      message: 'the SCC module does not match the roles (1: C→C, 2: C→P, 3: P→P, 4: P→C)',
      path: ['module'],
    }),
  z.strictObject({ kind: z.literal('bcr'), approvalReference: text(500).min(1) }),
  z.strictObject({ kind: z.literal('code_of_conduct'), reference: text(500).min(1) }),
  z.strictObject({ kind: z.literal('certification'), reference: text(500).min(1) }),
  z.strictObject({
    kind: z.literal('derogation'),
    ground: z.enum(derogationGrounds),
    justification: text(4000).min(1).describe('Why the derogation applies to this transfer (required)'),
    regular: z.boolean().describe('A regular flow: derogations suit occasional transfers only'),
  }),
]);

export const ZMechanismInput = z
  .strictObject({
    recipientType: z.enum(recipientTypes),
    recipientId: z.string().trim().min(1).max(200).nullable(),
    recipientName: text(200).min(1),
    destination: ZDestination,
    details: ZMechanismDetails,
    validFrom: ZIsoDate.nullable().default(null),
    validUntil: ZIsoDate.nullable().default(null),
  })
  .refine((body) => !body.validFrom || !body.validUntil || body.validFrom <= body.validUntil, {
    message: 'validUntil must not be before validFrom',
    path: ['validUntil'],
  })
  .refine((body) => body.recipientType === 'other' || body.recipientId !== null, {
    message: 'a system, processor or endpoint is named by its id',
    path: ['recipientId'],
  })
  .meta({ id: 'TransferMechanismWrite' });

export const ZTiaInput = z
  .strictObject({
    destinationLawAssessment: text(8000).min(1),
    measures: z.strictObject({
      technical: z.array(text(500).min(1)).max(50).default([]),
      contractual: z.array(text(500).min(1)).max(50).default([]),
      organisational: z.array(text(500).min(1)).max(50).default([]),
    }),
    conclusion: z.enum(tiaConclusions),
    assessedOn: ZIsoDate,
    reviewOn: ZIsoDate,
  })
  .refine((body) => body.assessedOn <= body.reviewOn, {
    message: 'reviewOn must not be before assessedOn',
    path: ['reviewOn'],
  })
  .meta({ id: 'TiaWrite' });

export const ZTia = z
  .object({
    id: z.uuid(),
    mechanismId: z.uuid(),
    destinationLawAssessment: z.string(),
    measures: z.object({
      technical: z.array(z.string()),
      contractual: z.array(z.string()),
      organisational: z.array(z.string()),
    }),
    conclusion: z.enum(tiaConclusions),
    assessedOn: z.string(),
    reviewOn: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Tia' });

export const ZMechanism = z
  .object({
    id: z.uuid(),
    recipientType: z.enum(recipientTypes),
    recipientId: z.string().nullable(),
    recipientName: z.string(),
    destination: z.string(),
    kind: z.enum(mechanismKinds),
    details: z.record(z.string(), z.unknown()),
    validFrom: z.string().nullable(),
    validUntil: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    tias: z.array(ZTia),
  })
  .meta({ id: 'TransferMechanism' });

export const ZValidateInput = z
  .strictObject({
    data: z
      .strictObject({
        classification: ZClassification.optional(),
        dataCategories: z.array(ZCategory).max(100).optional(),
        collection: ZCollectionName.optional(),
        systemId: z.string().trim().min(1).max(200).optional(),
      })
      .default({})
      .describe(
        'What is sent: a classification and data categories, or a collection or system whose they are',
      ),
    source: ZPlace,
    target: ZDestination,
    exporterRole: ZPartyRole.default('controller'),
    recipientRole: ZPartyRole,
    recipient: z
      .strictObject({ type: z.enum(recipientTypes), id: z.string().trim().min(1).max(200) })
      .optional()
      .describe('The recipient whose mechanisms in place are weighed'),
    recipientScopes: z
      .array(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/))
      .max(10)
      .default([])
      .describe('Adequacy scopes the recipient is confirmed within, e.g. eu_us_dpf'),
    date: ZIsoDate.optional().describe('The transfer’s date; today when absent'),
    regular: z.boolean().default(false).describe('A regular, repeated flow rather than an occasional one'),
  })
  .meta({ id: 'TransferValidation' });

const ZReason = z.object({ code: z.string(), text: z.string(), ref: z.string().nullable() });

export const ZDecision = z
  .object({
    outcome: z.enum(decisionOutcomes),
    date: z.string(),
    source: z.string(),
    target: z.string(),
    reasons: z.array(ZReason),
    warnings: z.array(ZReason),
    adequacy: z
      .object({
        status: z.enum(['in_force', 'not_yet_in_force', 'ended', 'none']),
        decisionId: z.string().nullable(),
        instrument: z.string().nullable(),
        inForce: z.string().nullable(),
        endsOn: z.string().nullable(),
        scope: z.string().nullable(),
      })
      .nullable(),
    applicableMechanisms: z.array(
      z.object({
        kind: z.enum(mechanismKinds),
        module: z.number().int().nullable(),
        ref: z.string(),
        note: z.string(),
      }),
    ),
    mechanismsInPlace: z.array(
      z.object({
        id: z.string(),
        kind: z.enum(mechanismKinds),
        valid: z.boolean(),
        problems: z.array(z.string()),
      }),
    ),
    policy: z.object({ id: z.string(), name: z.string() }).nullable(),
  })
  .meta({ id: 'TransferDecision' });

export const ZRegister = z
  .object({
    generatedAt: z.iso.datetime(),
    exporter: z.string(),
    flows: z.array(
      z.object({
        recipientType: z.enum(['system', 'processor']),
        recipientId: z.string(),
        recipientName: z.string(),
        destination: z.string(),
        recipientRole: ZPartyRole,
        classification: ZClassification,
        dataCategories: z.array(z.string()),
        status: z.enum(flowStatuses),
        decision: ZDecision,
        mechanismIds: z.array(z.string()),
      }),
    ),
    approvals: z.object({ approved: z.number().int(), total: z.number().int() }),
  })
  .meta({ id: 'TransferRegister' });
