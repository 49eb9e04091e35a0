/**
 * The shape of a fideslang manifest as Custos reads it: the fields of fideslang's System, PrivacyDeclaration,
 * Dataset, DatasetCollection and DatasetField (those Custos maps typed, the others accepted as they come and
 * ignored), the `meta.custos` and `custos` extensions, and bounds on every list and string. Taxonomy keys
 * and country codes are checked here too, field by field, so one pass names every bad path.
 */
import { z } from 'zod';
import { isAlpha3, isCountryCode, regionCodes } from '../../lib/countries.js';
import { defaultTaxonomy } from '../taxonomy/taxonomy.js';
import { classifications } from '../vault/collection-schema.js';
import { custosExtensionVersion } from './fides-manifest-types.js';
import { activityRoles, processorRoles, systemKinds, systemOrigins } from './inventory-model.js';

export const manifestLimits = {
  /** Bytes of YAML or JSON text. */
  bytes: 1024 * 1024,
  systems: 1000,
  datasets: 500,
  processors: 500,
  activities: 2000,
  /** Declarations of one system, collections of one dataset, fields of one collection. */
  perResource: 500,
  /** Keys or codes in one list (categories, subjects, references). */
  perList: 200,
  /** Nesting of dataset fields within fields. */
  fieldDepth: 8,
} as const;

const ZText = z.string().max(4000);
const ZName = z.string().min(1).max(200);
const ZFidesKey = z
  .string()
  .max(200)
  .regex(/^[a-zA-Z0-9_.<>-]+$/, "must only contain letters, digits, '.', '_', '<', '>' or '-'");
const list = <T extends z.ZodType>(item: T) => z.array(item).max(manifestLimits.perList);
/** fideslang's many optional fields take null for "not set". */
const nullish = <T extends z.ZodType>(schema: T) => schema.nullish();
const ZIgnored = z.unknown().optional();
/** Fields fideslang defines and Custos keeps nothing of: accepted, so a Fides manifest imports as it is. */
function ignoredFields<const K extends readonly string[]>(names: K) {
  return Object.fromEntries(names.map((name) => [name, ZIgnored])) as { [P in K[number]]: typeof ZIgnored };
}

const taxonomyKey = (kind: keyof typeof defaultTaxonomy, noun: string) =>
  z
    .string()
    .max(200)
    .refine((key) => defaultTaxonomy[kind].has(key), `is not a ${noun} of the taxonomy`);
const ZDataCategory = taxonomyKey('data_category', 'data category');
const ZDataUse = taxonomyKey('data_use', 'data use');
const ZDataSubject = taxonomyKey('data_subject', 'data subject');

const ZAlpha2 = z.string().refine(isCountryCode, 'is not an ISO 3166-1 alpha-2 country code');
const ZAlpha3 = z.string().refine(isAlpha3, 'is not an ISO 3166-1 alpha-3 country code');
const ZPlace = z
  .string()
  .refine(
    (code) => isCountryCode(code) || (regionCodes as readonly string[]).includes(code),
    `is not an ISO 3166-1 alpha-2 country code or a region (${regionCodes.join(', ')})`,
  );
const ZIsoDate = z.iso.date();

const ZResponsibility = z.enum(['Controller', 'Processor', 'Sub-Processor']);
const ZContactDetails = z
  .object({ name: nullish(ZText), address: nullish(ZText), email: nullish(ZText), phone: nullish(ZText) })
  .strict();
const ZDataFlow = z
  .object({
    fides_key: ZFidesKey,
    type: z.enum(['system', 'dataset', 'user']),
    data_categories: nullish(list(ZDataCategory)),
  })
  .strict();

const ZDeclaration = z
  .object({
    name: nullish(ZName),
    data_categories: list(ZDataCategory),
    data_use: ZDataUse,
    data_subjects: nullish(list(ZDataSubject)),
    dataset_references: nullish(list(ZFidesKey)),
    egress: nullish(list(ZFidesKey)),
    ingress: nullish(list(ZFidesKey)),
    legal_basis_for_processing: nullish(
      z.enum([
        'Consent',
        'Contract',
        'Legal obligations',
        'Vital interests',
        'Public interest',
        'Legitimate interests',
      ]),
    ),
    retention_period: nullish(ZText),
    data_shared_with_third_parties: nullish(z.boolean()),
    third_parties: nullish(ZText),
    shared_categories: nullish(list(ZDataCategory)),
    ...ignoredFields([
      'id',
      'data_qualifier',
      'features',
      'flexible_legal_basis_for_processing',
      'impact_assessment_location',
      'processes_special_category_data',
      'special_category_legal_basis',
      'cookies',
    ]),
  })
  .strict();

const ZCustosSystemMeta = z
  .object({
    origin: z.enum(systemOrigins),
    kind: z.enum(systemKinds),
    owner: ZText,
    locations: list(ZAlpha2),
    data_categories: list(ZDataCategory),
    data_subjects: list(ZDataSubject),
    classification: z.enum(classifications),
    retention: z
      .object({ policy_id: z.string().max(200).nullable(), period: z.iso.duration().nullable() })
      .strict()
      .nullable(),
    encryption_required: z.boolean(),
    access_controls: z.object({ roles: list(ZName), permissions: list(ZName), notes: ZText }).strict(),
    geographic_restrictions: list(ZPlace),
    processor: ZFidesKey.nullable(),
  })
  .strict();

const ZSystem = z
  .object({
    fides_key: ZFidesKey,
    name: nullish(ZName),
    description: nullish(ZText),
    system_type: z.string().max(200),
    administrating_department: nullish(ZText),
    responsibility: nullish(z.array(ZResponsibility).max(3)),
    data_responsibility_title: nullish(ZResponsibility),
    egress: nullish(list(ZDataFlow)),
    ingress: nullish(list(ZDataFlow)),
    privacy_declarations: z.array(ZDeclaration).max(manifestLimits.perResource),
    dataset_references: nullish(list(ZFidesKey)),
    third_country_transfers: nullish(list(ZAlpha3)),
    does_international_transfers: nullish(z.boolean()),
    legal_basis_for_transfers: nullish(list(ZText)),
    joint_controller: nullish(ZContactDetails),
    joint_controller_info: nullish(ZText),
    meta: nullish(z.object({ custos: ZCustosSystemMeta.optional() }).catchall(ZIgnored)),
    ...ignoredFields([
      'organization_fides_key',
      'tags',
      'registry_id',
      'fidesctl_meta',
      'data_protection_impact_assessment',
      'vendor_id',
      'previous_vendor_id',
      'vendor_deleted_date',
      'processes_personal_data',
      'exempt_from_privacy_regulations',
      'reason_for_exemption',
      'uses_profiling',
      'legal_basis_for_profiling',
      'requires_data_protection_assessments',
      'dpa_location',
      'dpa_progress',
      'privacy_policy',
      'legal_name',
      'legal_address',
      'dpo',
      'data_security_practices',
      'cookie_max_age_seconds',
      'uses_cookies',
      'cookie_refresh',
      'uses_non_cookie_access',
      'legitimate_interest_disclosure_url',
      'cookies',
    ]),
  })
  .strict();

type Field = {
  name: string;
  data_categories?: string[] | null | undefined;
  fields?: Field[] | null | undefined;
};
const fieldCommon = {
  name: ZName,
  description: nullish(ZText),
  data_categories: nullish(list(ZDataCategory)),
  data_qualifier: ZIgnored,
  retention: nullish(ZText),
  fides_meta: ZIgnored,
  fidesops_meta: ZIgnored,
};
const ZField: z.ZodType<Field> = z.lazy(() =>
  z.object({ ...fieldCommon, fields: nullish(z.array(ZField).max(manifestLimits.perResource)) }).strict(),
);

/** Which vault collection a dataset of a Custos export describes, and how its fields are kept. */
const ZCustosDatasetMeta = z
  .object({
    collection: ZName,
    fields: z
      .array(
        z.object({ name: ZName, classification: z.enum(classifications), encrypted: z.boolean() }).strict(),
      )
      .max(manifestLimits.perResource),
  })
  .strict();

const ZDataset = z
  .object({
    fides_key: ZFidesKey,
    name: nullish(ZName),
    description: nullish(ZText),
    data_categories: nullish(list(ZDataCategory)),
    retention: nullish(ZText),
    third_country_transfers: nullish(list(ZAlpha3)),
    collections: z
      .array(
        z
          .object({
            name: ZName,
            description: nullish(ZText),
            data_categories: nullish(list(ZDataCategory)),
            data_qualifier: ZIgnored,
            retention: nullish(ZText),
            fields: z.array(ZField).max(manifestLimits.perResource),
            fides_meta: ZIgnored,
            fidesops_meta: ZIgnored,
          })
          .strict(),
      )
      .max(manifestLimits.perResource),
    meta: nullish(z.object({ custos: ZCustosDatasetMeta.optional() }).catchall(ZIgnored)),
    ...ignoredFields([
      'organization_fides_key',
      'tags',
      'data_qualifier',
      'fides_meta',
      'fidesops_meta',
      'joint_controller',
    ]),
  })
  .strict();

const ZParty = z.object({ name: ZName, contact: ZText }).strict();

const ZCustosProcessor = z
  .object({
    fides_key: ZFidesKey,
    name: ZName,
    contact: ZText,
    country: ZAlpha2,
    role: z.enum(processorRoles),
    parent: ZFidesKey.nullable(),
    dpa: z
      .object({
        signed_at: ZIsoDate,
        version: z.string().max(100),
        review_at: ZIsoDate.nullable(),
        reference: ZText,
      })
      .strict()
      .nullable(),
  })
  .strict();

const ZCustosActivity = z
  .object({
    name: ZName,
    description: ZText,
    role: z.enum(activityRoles),
    controller: ZParty.nullable(),
    joint_controllers: list(ZParty),
    purposes: list(z.string().max(200)),
    collections: list(z.string().max(200)),
    systems: list(ZFidesKey),
    processors: list(ZFidesKey),
    measures: list(ZName),
    extra_data_categories: list(ZDataCategory),
    extra_data_subjects: list(ZDataSubject),
    recipient_categories: list(ZName),
    transfer_safeguards: list(z.object({ country: ZAlpha2, safeguard: ZText }).strict()),
    retention_note: ZText,
  })
  .strict();

const ZCustosOrganization = z
  .object({
    // The organization profile's own bounds, so that every profile Custos saves imports back.
    controller_name: z.string().min(1).max(300),
    address: z.string().max(1000),
    country: ZAlpha2.nullable(),
    representative: z
      .object({ name: z.string().min(1).max(300), contact: z.string().max(500) })
      .strict()
      .nullable(),
    dpo_contact: z.string().max(500),
    supervisory_authority: z.string().max(500),
  })
  .strict();

/** fideslang resource kinds Custos does not import: accepted and reported as ignored. */
export const ignoredResourceKinds = [
  'organization',
  'policy',
  'registry',
  'data_category',
  'data_use',
  'data_subject',
  'data_qualifier',
  'evaluation',
] as const;

export const ZManifest = z
  .object({
    system: z.array(ZSystem).max(manifestLimits.systems).optional(),
    dataset: z.array(ZDataset).max(manifestLimits.datasets).optional(),
    custos: z
      .object({
        version: z.literal(custosExtensionVersion),
        organization: ZCustosOrganization.optional(),
        processors: z.array(ZCustosProcessor).max(manifestLimits.processors),
        activities: z.array(ZCustosActivity).max(manifestLimits.activities),
      })
      .strict()
      .optional(),
    ...ignoredFields(ignoredResourceKinds),
  })
  .strict();

export type Manifest = z.infer<typeof ZManifest>;
export type ManifestSystem = z.infer<typeof ZSystem>;
export type ManifestDeclaration = z.infer<typeof ZDeclaration>;
export type ManifestDataset = z.infer<typeof ZDataset>;
export type ManifestField = Field;
