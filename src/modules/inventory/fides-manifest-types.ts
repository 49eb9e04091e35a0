/**
 * The fideslang manifest as Custos writes it: the resources (`system`, `dataset`), the `meta.custos` and
 * `custos` extensions that carry what fideslang cannot say, and the tables translating Custos's values
 * into fideslang's (legal bases, system types, FidesKeys).
 */
import type { LegalBasis } from '../consent/consent-rules.js';
import type {
  ActivityEntry,
  ProcessorRole,
  SystemEntry,
  SystemKind,
  SystemOrigin,
} from './inventory-model.js';

/** The version of the `custos` extension; a manifest naming another is refused. */
export const custosExtensionVersion = 1;

export const custosSystemKey = 'custos';

export type FidesDataFlow = {
  fides_key: string;
  type: 'system' | 'dataset' | 'user';
  data_categories?: string[];
};

export type FidesPrivacyDeclaration = {
  name: string;
  data_categories: string[];
  data_use: string;
  data_subjects: string[];
  dataset_references: string[];
  legal_basis_for_processing?: string;
  retention_period?: string;
  data_shared_with_third_parties: boolean;
  third_parties?: string;
  shared_categories: string[];
};

/** What fideslang has no field for, kept so that an import restores the system exactly. */
export type CustosSystemMeta = {
  origin: SystemOrigin;
  kind: SystemKind;
  owner: string;
  locations: string[];
  data_categories: string[];
  data_subjects: string[];
  classification: SystemEntry['classification'];
  retention: { policy_id: string | null; period: string | null } | null;
  encryption_required: boolean;
  access_controls: { roles: string[]; permissions: string[]; notes: string };
  geographic_restrictions: string[];
  /** The `fides_key` of the processor (in the `custos` block) operating the system. */
  processor: string | null;
};

export type FidesSystem = {
  fides_key: string;
  name: string;
  description: string;
  system_type: string;
  administrating_department: string;
  processes_personal_data: true;
  responsibility: FidesResponsibility[];
  egress?: FidesDataFlow[];
  ingress?: FidesDataFlow[];
  privacy_declarations: FidesPrivacyDeclaration[];
  dataset_references?: string[];
  does_international_transfers: boolean;
  third_country_transfers?: string[];
  legal_basis_for_transfers: string[];
  joint_controller_info?: string;
  data_security_practices?: string;
  dpa_location?: string;
  legal_name?: string;
  legal_address?: string;
  dpo?: string;
  meta: { custos: CustosSystemMeta };
};

export type FidesDatasetField = { name: string; data_categories: string[] };

export type FidesDataset = {
  fides_key: string;
  name: string;
  description: string;
  collections: {
    name: string;
    data_categories: string[];
    retention?: string;
    fields: FidesDatasetField[];
  }[];
  meta: {
    custos: {
      collection: string;
      fields: { name: string; classification: string; encrypted: boolean }[];
    };
  };
};

export type CustosProcessor = {
  fides_key: string;
  name: string;
  contact: string;
  country: string;
  role: ProcessorRole;
  parent: string | null;
  dpa: { signed_at: string; version: string; review_at: string | null; reference: string } | null;
};

export type CustosActivity = {
  name: string;
  description: string;
  role: ActivityEntry['role'];
  controller: { name: string; contact: string } | null;
  joint_controllers: { name: string; contact: string }[];
  purposes: string[];
  collections: string[];
  /** `fides_key`s of systems in this manifest. */
  systems: string[];
  /** `fides_key`s of processors in the `custos` block. */
  processors: string[];
  measures: string[];
  extra_data_categories: string[];
  extra_data_subjects: string[];
  recipient_categories: string[];
  transfer_safeguards: { country: string; safeguard: string }[];
  retention_note: string;
};

/** The organization profile; `legal_name`, `legal_address` and `dpo` of Custos's system say it for Fides. */
export type CustosOrganization = {
  controller_name: string;
  address: string;
  country: string | null;
  representative: { name: string; contact: string } | null;
  dpo_contact: string;
  supervisory_authority: string;
};

export type FidesManifest = {
  system: FidesSystem[];
  dataset: FidesDataset[];
  custos: {
    version: number;
    /** Absent while the profile has never been saved. */
    organization?: CustosOrganization;
    processors: CustosProcessor[];
    activities: CustosActivity[];
  };
};

export const fidesResponsibilities = ['Controller', 'Processor', 'Sub-Processor'] as const;
export type FidesResponsibility = (typeof fidesResponsibilities)[number];

/** fideslang's `legal_basis_for_processing` (GDPR Art. 6) for each of Custos's legal bases. */
export const fidesLegalBasis: Record<LegalBasis, string> = {
  consent: 'Consent',
  contract: 'Contract',
  legal_obligation: 'Legal obligations',
  vital_interests: 'Vital interests',
  public_task: 'Public interest',
  legitimate_interests: 'Legitimate interests',
};

/** fideslang's free-text `system_type` for each kind; an import reads these (and a few synonyms) back. */
export const fidesSystemType: Record<SystemKind, string> = {
  internal_application: 'Application',
  database: 'Database',
  saas: 'Service',
  processor_hosted: 'Third Party',
  paper: 'Paper',
};

/** A FidesKey (`^[a-zA-Z0-9_.<>-]+$`) made from a name: lower case, accents dropped, the rest `_`. */
export function fidesKeyOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 100);
  return slug || 'unnamed';
}
