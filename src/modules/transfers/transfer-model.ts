/**
 * The transfers vocabulary: residency policies, transfer mechanisms (GDPR Art. 45-49) with their impact
 * assessments, and the explained decision `validateTransfer` gives.
 */
import type { Classification } from '../vault/collection-schema.js';

/** Art. 28 / SCC roles of the parties: who exports and who imports. */
export const partyRoles = ['controller', 'processor'] as const;
export type PartyRole = (typeof partyRoles)[number];

export const mechanismKinds = [
  'adequacy_scope',
  'scc',
  'bcr',
  'code_of_conduct',
  'certification',
  'derogation',
] as const;
export type MechanismKind = (typeof mechanismKinds)[number];

/** The modules of the 2021 Standard Contractual Clauses (Implementing Decision (EU) 2021/914). */
export const sccModules = [1, 2, 3, 4] as const;
export type SccModule = (typeof sccModules)[number];

/** Art. 49(1) derogations Custos records (points (a), (b)/(c), (d), (e), (f), (g)). */
export const derogationGrounds = [
  'explicit_consent',
  'contract_performance',
  'important_public_interest',
  'legal_claims',
  'vital_interests',
  'public_register',
] as const;
export type DerogationGround = (typeof derogationGrounds)[number];

export const recipientTypes = ['system', 'processor', 'endpoint', 'other'] as const;
export type RecipientType = (typeof recipientTypes)[number];

export type MechanismDetails =
  | { kind: 'adequacy_scope'; scopeCode: string; reference: string }
  | {
      kind: 'scc';
      module: SccModule;
      exporterRole: PartyRole;
      importerRole: PartyRole;
      signedOn: string;
    }
  | { kind: 'bcr'; approvalReference: string }
  | { kind: 'code_of_conduct' | 'certification'; reference: string }
  | { kind: 'derogation'; ground: DerogationGround; justification: string; regular: boolean };

export const tiaConclusions = ['proceed', 'proceed_with_measures', 'suspend'] as const;
export type TiaConclusion = (typeof tiaConclusions)[number];

export type SupplementaryMeasures = {
  technical: string[];
  contractual: string[];
  organisational: string[];
};

export type Tia = {
  id: string;
  mechanismId: string;
  destinationLawAssessment: string;
  measures: SupplementaryMeasures;
  conclusion: TiaConclusion;
  assessedOn: string;
  reviewOn: string;
  createdAt: Date;
};

export type Mechanism = {
  id: string;
  recipientType: RecipientType;
  recipientId: string | null;
  recipientName: string;
  destination: string;
  details: MechanismDetails;
  validFrom: string | null;
  validUntil: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Newest first. */
  tias: Tia[];
};

export const storageAtStartupModes = ['warn', 'refuse'] as const;
export type StorageAtStartup = (typeof storageAtStartupModes)[number];

/** The seed's `DataResidencyPolicy`: where data of one region may go, by classification. */
export type ResidencyPolicy = {
  id: string;
  name: string;
  /** The exporter's region the policy governs: a country code or `EU` / `EEA`. */
  region: string;
  /** Places data may go (countries, regions, international organisations); null: anywhere the law allows. */
  allowedDestinations: string[] | null;
  /** Per classification, the only places beyond the region it may go ([] keeps it in the region). */
  classificationDestinations: Partial<Record<Classification, string[]>>;
  /** Where special categories (Art. 9) may go beyond the region; null: no extra restriction. */
  specialCategoryDestinations: string[] | null;
  /** Refuse a transfer that needs a mechanism when none valid is in place for the recipient. */
  requireMechanismInPlace: boolean;
  /**
   * Where subjects of the region may be stored: places the instance's configured location must lie in
   * (checked at start-up and on every subject created); null: no requirement.
   */
  storageLocations: string[] | null;
  /** At start-up, when subjects of the region are stored on an instance not allowed: warn, or refuse to start. */
  storageAtStartup: StorageAtStartup;
  createdAt: Date;
  updatedAt: Date;
};

export const decisionOutcomes = ['allowed', 'allowed_with_mechanism', 'refused'] as const;
export type DecisionOutcome = (typeof decisionOutcomes)[number];

/** One reason: a stable code, words for people, and the article or decision it rests on. */
export type Reason = { code: string; text: string; ref: string | null };

export type ApplicableMechanism = {
  kind: MechanismKind;
  module: SccModule | null;
  ref: string;
  note: string;
};

export type MechanismInPlace = {
  id: string;
  kind: MechanismKind;
  valid: boolean;
  problems: string[];
};

export type TransferDecision = {
  outcome: DecisionOutcome;
  date: string;
  source: string;
  target: string;
  reasons: Reason[];
  warnings: Reason[];
  adequacy: {
    status: 'in_force' | 'not_yet_in_force' | 'ended' | 'none';
    decisionId: string | null;
    instrument: string | null;
    inForce: string | null;
    endsOn: string | null;
    scope: string | null;
  } | null;
  applicableMechanisms: ApplicableMechanism[];
  mechanismsInPlace: MechanismInPlace[];
  policy: { id: string; name: string } | null;
};

/** What a transfer carries and between whom; places are already checked codes. */
export type TransferQuestion = {
  classification: Classification | null;
  dataCategories: string[];
  source: string;
  target: string;
  exporterRole: PartyRole;
  recipientRole: PartyRole;
  date: string;
  /** A regular, repeated flow (derogations suit occasional transfers only). */
  regular: boolean;
  /** Scope codes the recipient is confirmed within (e.g. `eu_us_dpf`), besides those recorded as mechanisms. */
  recipientScopes: string[];
};
