/**
 * The data map's vocabulary: what the inventory holds (systems and data assets, processors, processing
 * activities, security measures, the organization profile) and the one read-only snapshot, `DataMap`,
 * from which the RoPA, the findings, the privacy-notice draft, the Fides manifests and the data-map picture
 * are all computed. Everything the snapshot says about collections, purposes and retention comes from
 * those modules' services when it is taken, so it is never retyped and never stale.
 */
import type { Classification } from '../vault/collection-schema.js';

export const systemKinds = ['internal_application', 'database', 'saas', 'processor_hosted', 'paper'] as const;
export type SystemKind = (typeof systemKinds)[number];

/** Art. 28 roles of an outside party that receives personal data. */
export const processorRoles = [
  'processor',
  'sub_processor',
  'joint_controller',
  'independent_controller',
] as const;
export type ProcessorRole = (typeof processorRoles)[number];

/** Whose register an activity belongs to: the controller's (Art. 30(1)) or the processor's (Art. 30(2)). */
export const activityRoles = ['controller', 'processor'] as const;
export type ActivityRole = (typeof activityRoles)[number];

export const measureKinds = ['technical', 'organisational'] as const;
export type MeasureKind = (typeof measureKinds)[number];

/** Where a system entry comes from: Custos itself, one of its vault collections, or typed in by a person. */
export const systemOrigins = ['custos', 'collection', 'registered'] as const;
export type SystemOrigin = (typeof systemOrigins)[number];

/** A party named by name and contact (a joint controller, a representative, a controller served). */
export type Party = { name: string; contact: string };

export type OrganizationProfile = {
  controllerName: string;
  address: string;
  /** ISO 3166-1 alpha-2 code of the controller's establishment. */
  country: string | null;
  /** The Art. 27 representative, for a controller outside the EU. */
  representative: Party | null;
  dpoContact: string;
  supervisoryAuthority: string;
  updatedAt: Date | null;
};

export type SystemFulfilment = {
  /** The webhook endpoint that erasure, rectification and restriction tasks go to. */
  endpointId: string;
  endpointUrl: string;
  /** Whether the system is sent new tasks. */
  enabled: boolean;
};

/** A field of a collection asset, as its collection defines it. */
export type AssetField = {
  name: string;
  dataCategory: string;
  classification: Classification;
  /** Whether Custos stores the field's values sealed (encrypted); public fields are stored in clear. */
  encrypted: boolean;
};

export type SystemEntry = {
  /** A uuid for registered systems; `custos` for Custos itself; `collection:<name>` for a collection. */
  id: string;
  origin: SystemOrigin;
  name: string;
  description: string;
  /** The operator or team answerable for it. */
  owner: string;
  kind: SystemKind;
  /** ISO 3166-1 alpha-2 codes of where the data is stored and accessed from. */
  locations: string[];
  /** Fideslang data category keys. */
  dataCategories: string[];
  /** Fideslang data subject keys. */
  dataSubjects: string[];
  classification: Classification;
  /** A retention policy of the retention module, or an ISO 8601 period; null when none is set. */
  retention: { policyId: string | null; period: string | null } | null;
  encryptionRequired: boolean;
  accessControls: { roles: string[]; permissions: string[]; notes: string };
  /** ISO 3166-1 alpha-2 codes or region codes (`EEA`) the data must not leave. */
  geographicRestrictions: string[];
  /** The processor operating the system, when an outside party runs it. */
  processorId: string | null;
  /** Set for systems that requests fan out to (the former downstream systems). */
  fulfilment: SystemFulfilment | null;
  /** Collection assets only: the collection's fields. */
  fields: AssetField[] | null;
  createdAt: Date;
  updatedAt: Date;
};

export type DpaRecord = {
  /** ISO date (YYYY-MM-DD) the data processing agreement was signed. */
  signedAt: string;
  version: string;
  /** ISO date by which it must be reviewed; past it, the DPA is no longer valid. */
  reviewAt: string | null;
  /** Where the signed document is kept (a reference, not the document). */
  reference: string;
};

export type ProcessorEntry = {
  id: string;
  name: string;
  contact: string;
  /** ISO 3166-1 alpha-2 code. */
  country: string;
  role: ProcessorRole;
  /** For a sub-processor: the processor that engaged it. Chains never form a cycle. */
  parentId: string | null;
  /** Registered systems this processor operates (those whose `processorId` is this one). */
  systemIds: string[];
  dpa: DpaRecord | null;
  createdAt: Date;
  updatedAt: Date;
};

export type MeasureEntry = {
  id: string;
  name: string;
  description: string;
  kind: MeasureKind;
};

/** A transfer to a third country and what makes it lawful (free text until the transfers module lands). */
export type TransferSafeguard = { country: string; safeguard: string };

export type ActivityEntry = {
  id: string;
  name: string;
  description: string;
  role: ActivityRole;
  /** For `processor` activities: the controller on whose behalf Custos's operator processes (Art. 30(2)(a)). */
  controller: Party | null;
  jointControllers: Party[];
  /** Consent purposes by key: their legal bases, data uses and categories come from the consent module. */
  purposeKeys: string[];
  /** Vault collections by name: their data categories and retention come from the vault and retention. */
  collectionNames: string[];
  /** Registered systems by id: their categories, locations and processors come from the inventory. */
  systemIds: string[];
  /** Processors receiving data directly for this activity (besides those operating its systems). */
  processorIds: string[];
  measureIds: string[];
  /** What a person adds to what is derived. */
  extraDataCategories: string[];
  extraDataSubjects: string[];
  /** Categories of recipients not otherwise in the map (e.g. "tax authorities"). */
  recipientCategories: string[];
  transferSafeguards: TransferSafeguard[];
  /** A retention period in words, for data no retention policy covers (e.g. "until the contract ends"). */
  retentionNote: string;
  createdAt: Date;
  updatedAt: Date;
};

/** A consent purpose as the map needs it (from the consent module). */
export type PurposeSummary = {
  key: string;
  name: string;
  description: string;
  legalBasis: string;
  dataCategories: string[];
  dataUses: string[];
  automatedDecisions: boolean;
};

/** A retention policy as the map needs it (from the retention module). */
export type RetentionSummary = {
  id: string;
  name: string;
  collection: string | null;
  dataCategory: string | null;
  /** ISO 8601 duration; null for rules that act when their trigger fires (consent withdrawn, …). */
  duration: string | null;
  /** What the rule acts upon: the period runs from it (record created, last activity, consent withdrawn, …). */
  trigger: string;
  /** The Art. 17(3) ground that lets the data outlive an erasure request; null for a plain limit. */
  legalBasis: string | null;
};

/** The whole map at one moment: the input of the RoPA, findings, notice, Fides export and picture. */
export type DataMap = {
  generatedAt: Date;
  organization: OrganizationProfile;
  /** Custos itself, its collections (derived) and the registered systems. */
  systems: SystemEntry[];
  processors: ProcessorEntry[];
  activities: ActivityEntry[];
  measures: MeasureEntry[];
  purposes: PurposeSummary[];
  retention: RetentionSummary[];
};

/**
 * What an import writes (Fides manifests, or any bulk load): entries matched by name; those named
 * are created or replaced, all in one transaction, or nothing is written.
 */
export type InventoryImport = {
  systems: (Omit<
    SystemEntry,
    'id' | 'origin' | 'fulfilment' | 'fields' | 'processorId' | 'createdAt' | 'updatedAt'
  > & { processorName: string | null })[];
  processors: (Omit<ProcessorEntry, 'id' | 'parentId' | 'systemIds' | 'createdAt' | 'updatedAt'> & {
    parentName: string | null;
  })[];
  activities: (Omit<
    ActivityEntry,
    'id' | 'systemIds' | 'processorIds' | 'measureIds' | 'createdAt' | 'updatedAt'
  > & { systemNames: string[]; processorNames: string[]; measureNames: string[] })[];
  /** The organization profile, saved over the current one; absent when the import does not carry it. */
  organization?: Omit<OrganizationProfile, 'updatedAt'>;
};
