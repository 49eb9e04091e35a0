import { z } from 'zod';
import { defaultTaxonomy, type TaxonomyKind } from '../taxonomy/taxonomy.js';
import type { CheckResult, StandingView } from './check-service.js';
import {
  checkReasons,
  consentMethods,
  consentSources,
  isSpecialCategory,
  legalBases,
  recordableActions,
  specialCategoryConditions,
} from './consent-rules.js';
import type { TcfRow } from './consent-store.js';
import { automatedDecisionsOf, textHashOf } from './purpose-service.js';
import type { PurposeRow, PurposeVersionRow } from './purpose-store.js';
import { maxTcStringLength } from './tcf.js';

/** A taxonomy key that exists, or a custom key an organization placed beneath one that does. */
export function isTaxonomyTerm(kind: TaxonomyKind, key: string): boolean {
  const parts = key.split('.');
  for (let length = parts.length; length > 0; length -= 1) {
    if (defaultTaxonomy[kind].has(parts.slice(0, length).join('.'))) return true;
  }
  return false;
}

export const ZPurposeKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'lower-case letters, digits and _ (max 64), starting with a letter');

const ZLegalBasis = z.enum(legalBases);

const ZDisclosureText = z.string().trim().min(1).max(4000);

/** GDPR Art. 13(2)(f), 14(2)(g), 15(1)(h): automated decision-making, including profiling, for a purpose. */
export const ZAutomatedDecisionMaking = z
  .discriminatedUnion('applies', [
    z.object({ applies: z.literal(false) }),
    z.object({
      applies: z.literal(true),
      logic: ZDisclosureText.describe('meaningful information about the logic involved'),
      significance: ZDisclosureText.describe('the significance of the processing for the subject'),
      consequences: ZDisclosureText.describe('the envisaged consequences for the subject'),
    }),
  ])
  .describe(
    'Whether decisions based solely on automated processing, including profiling (GDPR Art. 22), are made for this purpose; shown to subjects in their access package',
  )
  .meta({ id: 'AutomatedDecisionMaking' });

const purposeFields = {
  name: z.string().min(1).max(200),
  description: z.string().max(2000).default(''),
  legalBasis: ZLegalBasis.describe('GDPR Art. 6(1) basis; only `consent` needs a grant'),
  specialCategoryCondition: z
    .enum(specialCategoryConditions)
    .nullable()
    .default(null)
    .describe('GDPR Art. 9(2) condition; required when special categories are covered'),
  dataUses: z
    .array(
      z
        .string()
        .max(200)
        .refine(
          (key) => isTaxonomyTerm('data_use', key),
          'must be a data use of the taxonomy (or beneath one)',
        ),
    )
    .min(1)
    .max(50),
  dataCategories: z
    .array(
      z
        .string()
        .max(200)
        .refine(
          (key) => isTaxonomyTerm('data_category', key),
          'must be a data category of the taxonomy (or beneath one)',
        ),
    )
    .max(100)
    .default([]),
  ccpa: z
    .object({
      sale: z.boolean().default(false),
      sharing: z.boolean().default(false).describe('cross-context behavioural advertising'),
      sensitive: z.boolean().default(false).describe('uses sensitive personal information'),
    })
    .default({ sale: false, sharing: false, sensitive: false }),
  text: z.string().min(1).max(20_000).describe('what subjects are shown; a change makes a new version'),
  reconsentOnChange: z
    .boolean()
    .default(true)
    .describe('when the terms change, consents given for earlier versions stop counting'),
  automatedDecisionMaking: ZAutomatedDecisionMaking.default({ applies: false }),
  website: z
    .boolean()
    .default(false)
    .describe('shown to visitors by the consent banner (`/consent.js`); not part of the terms'),
};

type PurposeFieldsOutput = z.output<z.ZodObject<typeof purposeFields>>;

/** Rules across fields: special categories need an Art. 9(2) condition; explicit consent needs consent. */
function checkSpecialCategories(purpose: PurposeFieldsOutput, context: z.RefinementCtx) {
  const special = purpose.dataCategories.some(isSpecialCategory);
  if (special && !purpose.specialCategoryCondition) {
    context.addIssue({
      code: 'custom',
      path: ['specialCategoryCondition'],
      message: 'special categories of data (GDPR Art. 9) are covered: name the Art. 9(2) condition',
    });
  }
  if (!special && purpose.specialCategoryCondition) {
    context.addIssue({
      code: 'custom',
      path: ['specialCategoryCondition'],
      message: 'applies only when the data categories include special categories (GDPR Art. 9(1))',
    });
  }
  if (purpose.specialCategoryCondition === 'explicit_consent' && purpose.legalBasis !== 'consent') {
    context.addIssue({
      code: 'custom',
      path: ['legalBasis'],
      message: 'explicit consent (Art. 9(2)(a)) needs consent as the legal basis',
    });
  }
}

export const ZPurposeDefinition = z
  .object({ key: ZPurposeKey, ...purposeFields })
  .superRefine(checkSpecialCategories)
  .meta({ id: 'PurposeDefinition' });

export const ZPurposeUpdate = z
  .object({
    ...purposeFields,
    requireReconsent: z
      .boolean()
      .optional()
      .describe('for this change only: whether earlier consents stop counting (default: reconsentOnChange)'),
  })
  .superRefine(checkSpecialCategories);

export const ZPurpose = z
  .object({
    key: z.string(),
    name: z.string(),
    description: z.string(),
    legalBasis: ZLegalBasis,
    specialCategoryCondition: z.enum(specialCategoryConditions).nullable(),
    dataUses: z.array(z.string()),
    dataCategories: z.array(z.string()),
    ccpa: z.object({ sale: z.boolean(), sharing: z.boolean(), sensitive: z.boolean() }),
    text: z.string(),
    textHash: z.string().describe('sha256:<hex> of the text'),
    version: z.number().int(),
    minVersion: z.number().int().describe('consents for versions below this no longer count'),
    reconsentOnChange: z.boolean(),
    automatedDecisionMaking: ZAutomatedDecisionMaking,
    consentRequired: z.boolean().describe('true exactly when the legal basis is consent'),
    website: z.boolean().describe('shown to visitors by the consent banner'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Purpose' });

export function presentPurpose(row: PurposeRow): z.infer<typeof ZPurpose> {
  return {
    key: row.key,
    name: row.name,
    description: row.description,
    legalBasis: row.legal_basis,
    specialCategoryCondition: row.special_category_condition,
    dataUses: row.data_uses,
    dataCategories: row.data_categories,
    ccpa: { sale: row.ccpa_sale, sharing: row.ccpa_sharing, sensitive: row.ccpa_sensitive },
    text: row.text,
    textHash: `sha256:${textHashOf(row.text).toString('hex')}`,
    version: row.version,
    minVersion: row.min_version,
    reconsentOnChange: row.reconsent_on_change,
    automatedDecisionMaking: automatedDecisionsOf(row),
    consentRequired: row.legal_basis === 'consent',
    website: row.website,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const ZPurposeVersion = z
  .object({
    version: z.number().int(),
    text: z.string(),
    textHash: z.string(),
    legalBasis: ZLegalBasis,
    dataUses: z.array(z.string()),
    dataCategories: z.array(z.string()),
    requiresReconsent: z.boolean(),
    automatedDecisionMaking: ZAutomatedDecisionMaking,
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'PurposeVersion' });

export function presentVersion(row: PurposeVersionRow): z.infer<typeof ZPurposeVersion> {
  return {
    version: row.version,
    text: row.text,
    textHash: `sha256:${row.text_hash.toString('hex')}`,
    legalBasis: row.legal_basis,
    dataUses: row.data_uses,
    dataCategories: row.data_categories,
    requiresReconsent: row.requires_reconsent,
    automatedDecisionMaking: automatedDecisionsOf(row),
    createdAt: row.created_at.toISOString(),
  };
}

/** A subject by id, or by e-mail or external id through the vault's blind indexes (never in a URL). */
export const ZSubjectRef = z
  .object({
    id: z.uuid().toLowerCase().optional(),
    email: z.string().max(254).optional(),
    externalId: z.string().min(1).max(200).optional(),
  })
  .refine(
    (ref) => [ref.id, ref.email, ref.externalId].filter((value) => value !== undefined).length === 1,
    'give exactly one of id, email, externalId',
  )
  .meta({ id: 'SubjectRef' });

export const ZProof = z
  .object({
    formId: z.string().min(1).max(200).optional().describe('which form or screen the subject used'),
    ip: z
      .union([z.ipv4(), z.ipv6()])
      .optional()
      .describe('the subject’s address; stored as a keyed hash only'),
    userAgent: z.string().min(1).max(1000).optional().describe('stored as a keyed hash only'),
  })
  .meta({ id: 'ConsentProof' });

const ZPurposeChoice = z.union([
  ZPurposeKey,
  z.object({ key: ZPurposeKey, version: z.number().int().min(1).optional() }),
]);

export const ZConsentEventInput = z.object({
  subject: ZSubjectRef,
  purposes: z
    .array(ZPurposeChoice)
    .min(1)
    .max(50)
    .describe('keys, or { key, version } naming the version of the text the subject was shown'),
  action: z.enum(recordableActions),
  method: z.enum(consentMethods),
  source: z.enum(consentSources).default('api'),
  givenAt: z.iso.datetime({ offset: true }).optional().describe('when the subject acted (default: now)'),
  expiresAt: z.iso.datetime({ offset: true }).optional().describe('grants only: when the consent lapses'),
  proof: ZProof.optional(),
});

export const ZReceipt = z
  .object({
    receiptId: z.uuid().toLowerCase(),
    format: z.literal('custos-consent-receipt'),
    formatVersion: z.literal(1),
    sequence: z.number().int(),
    subjectId: z.uuid().toLowerCase(),
    purpose: z.object({
      key: z.string(),
      name: z.string(),
      version: z.number().int(),
      legalBasis: ZLegalBasis,
      text: z.string(),
      textHash: z.string(),
    }),
    action: z.string(),
    method: z.string().nullable(),
    source: z.string().nullable(),
    givenAt: z.iso.datetime(),
    recordedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    proof: z.object({
      formId: z.string().nullable(),
      ipHash: z.string().nullable(),
      userAgentHash: z.string().nullable(),
    }),
    recordedBy: z.object({ type: z.string(), id: z.string().nullable() }),
  })
  .meta({ id: 'ConsentReceipt' });

export const ZRecorded = z.object({
  subjectId: z.uuid().toLowerCase(),
  receipts: z.array(ZReceipt),
  gpcReceipts: z
    .array(ZReceipt)
    .describe('opt-outs recorded because the request carried Sec-GPC: 1 (empty otherwise)'),
});

export const ZCheckInput = z.object({
  subject: ZSubjectRef,
  purposes: z.array(ZPurposeKey).min(1).max(100),
});

export const ZCheckResult = z
  .object({
    purpose: z.string(),
    allowed: z.boolean(),
    reason: z.enum(checkReasons),
    legalBasis: ZLegalBasis,
    version: z.number().int().nullable().describe('the version the subject’s choice was made for'),
    currentVersion: z.number().int(),
    expiresAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ConsentCheckResult' });

export function presentCheck(result: CheckResult): z.infer<typeof ZCheckResult> {
  return { ...result, expiresAt: result.expiresAt?.toISOString() ?? null };
}

export const ZStanding = ZCheckResult.extend({
  choice: z
    .object({
      status: z.enum(['granted', 'withdrawn', 'denied', 'expired']).nullable(),
      method: z.enum(consentMethods).nullable(),
      source: z.enum(consentSources).nullable(),
      objectedAt: z.iso.datetime().nullable(),
      eventId: z.uuid().toLowerCase(),
      updatedAt: z.iso.datetime(),
    })
    .nullable(),
}).meta({ id: 'ConsentStanding' });

export function presentStanding(view: StandingView): z.infer<typeof ZStanding> {
  const { choice, ...result } = view;
  return {
    ...presentCheck(result),
    choice: choice
      ? {
          status: choice.status,
          method: choice.method,
          source: choice.source,
          objectedAt: choice.objectedAt?.toISOString() ?? null,
          eventId: choice.eventId,
          updatedAt: choice.updatedAt.toISOString(),
        }
      : null,
  };
}

export const ZTcfInput = z.object({
  tcString: z.string().min(1).max(maxTcStringLength),
});

export const ZTcfRecord = z
  .object({
    id: z.uuid().toLowerCase(),
    subjectId: z.uuid().toLowerCase(),
    tcString: z.string(),
    cmpId: z.number().int(),
    cmpVersion: z.number().int(),
    policyVersion: z.number().int(),
    vendorListVersion: z.number().int(),
    publisherCountryCode: z.string(),
    serviceSpecific: z.boolean(),
    purposeConsents: z.array(z.number().int()).describe('TCF purposes (1–11) consented to'),
    purposeLegitimateInterests: z.array(z.number().int()),
    specialFeatureOptins: z.array(z.number().int()),
    vendorConsents: z.array(z.number().int()),
    vendorConsentCount: z.number().int(),
    vendorLegitimateInterests: z.array(z.number().int()),
    tcCreatedAt: z.iso.datetime().nullable(),
    tcUpdatedAt: z.iso.datetime().nullable(),
    recordedAt: z.iso.datetime(),
  })
  .meta({ id: 'TcfRecord' });

export function presentTcf(row: TcfRow): z.infer<typeof ZTcfRecord> {
  return {
    id: row.id,
    subjectId: row.subject_id,
    tcString: row.tc_string,
    cmpId: row.cmp_id,
    cmpVersion: row.cmp_version,
    policyVersion: row.policy_version,
    vendorListVersion: row.vendor_list_version,
    publisherCountryCode: row.publisher_cc,
    serviceSpecific: row.service_specific,
    purposeConsents: row.purpose_consents,
    purposeLegitimateInterests: row.purpose_legitimate_interests,
    specialFeatureOptins: row.special_feature_optins,
    vendorConsents: row.vendor_consents,
    vendorConsentCount: row.vendor_consents.length,
    vendorLegitimateInterests: row.vendor_legitimate_interests,
    tcCreatedAt: row.tc_created_at?.toISOString() ?? null,
    tcUpdatedAt: row.tc_updated_at?.toISOString() ?? null,
    recordedAt: row.recorded_at.toISOString(),
  };
}

export const ZGpcInput = z.object({ subject: ZSubjectRef, proof: ZProof.optional() });

export const ZObjectionInput = z.object({
  purposes: z
    .array(ZPurposeKey)
    .min(1)
    .max(50)
    .optional()
    .describe('default: every purpose based on public task or legitimate interests'),
  source: z.enum(consentSources).default('api'),
  proof: ZProof.optional(),
});
