import type { AutomatedDecisionMaking } from '../consent/purpose-service.js';
import { categoriesOverlap } from '../inventory/inventory-systems.js';
import { coverageOf, type PolicyRule } from '../retention/erasure-plan.js';
import { defaultTaxonomy } from '../taxonomy/taxonomy.js';
import type { RequestRow } from './request-store.js';
import { requestTypeLabels } from './request-types.js';

/**
 * The access package (GDPR Art. 15, CCPA right to know): everything Custos holds about the subject and how
 * it is processed, as one JSON document. Built from plain inputs by a pure function, so its shape is tested
 * without a database; rendered to a readable page by `access-page.ts`.
 */
export type FieldInfo = { name: string; type: string; category: string; classification: string };

export type CollectionData = {
  collection: string;
  description: string;
  fields: FieldInfo[];
  records: { id: string; createdAt: Date; updatedAt: Date; values: Record<string, unknown> }[];
};

export type PurposeInfo = {
  key: string;
  name: string;
  description: string;
  legalBasis: string;
  dataUses: string[];
  dataCategories: string[];
  /** GDPR Art. 22 decisions made for the purpose (the consent module's disclosure); none when absent. */
  automatedDecisionMaking?: AutomatedDecisionMaking | undefined;
};

/** How the subject's data is processed, from the consent module; absent where consent is not recorded. */
export type ProcessingInfo = { purposes: PurposeInfo[]; consentHistory: unknown[] };

/** A downstream system registered in Custos: a recipient of copies of the data categories it holds. */
export type RecipientInfo = { name: string; owner: string; description: string; dataCategories: string[] };

/** A retention policy, as the package shows those covering the subject's data. */
export type RetentionInfo = Pick<
  PolicyRule,
  'name' | 'collection' | 'data_category' | 'fields' | 'legal_basis' | 'description' | 'duration' | 'trigger'
>;

export type AccessPackageInput = {
  request: Pick<RequestRow, 'id' | 'type' | 'regime' | 'received_at'>;
  subject: { id: string; createdAt: Date; region: string | null };
  data: CollectionData[];
  processing: ProcessingInfo | null;
  /** Every downstream system; those holding categories the subject has data of are named. */
  recipients?: RecipientInfo[] | undefined;
  /** Every retention policy; those covering the subject's data are named. */
  retention?: RetentionInfo[] | undefined;
  generatedAt: Date;
};

export type AccessPackage = ReturnType<typeof buildAccessPackage>;

function categoryTerm(key: string) {
  const term = defaultTaxonomy.data_category.get(key);
  return { key, name: term?.name ?? key, description: term?.description ?? '' };
}

/** What the package says where Custos records nothing yet, so that nobody reads silence as "none". */
export const notRecordedNotes = {
  recipients:
    'Recipients (other systems and organizations that receive copies of this data) are not recorded in this system; the organization answers for them separately.',
  retention:
    'Retention periods are not recorded in this system; the organization answers for them separately.',
  automatedDecisions:
    'Whether automated decisions, including profiling, apply to you is not recorded in this system; the organization answers for it separately.',
  source: 'Stored in this system by the organization’s applications and staff; each record shows when.',
} as const;

/** What the package says where Custos records recipients, retention periods and automated decisions. */
export const recordedNotes = {
  noAutomatedDecisions:
    'No decisions based solely on automated processing, including profiling, that produce legal effects concerning you or similarly significantly affect you (GDPR Art. 22) are made for any of the purposes above.',
  automatedDecisions:
    'For the purposes listed here, decisions based solely on automated processing, including profiling, are made (GDPR Art. 22). For each: the logic involved, its significance and the consequences it is expected to have for you. Where the law gives you the right, you may ask for a person to review such a decision, give your point of view and contest it.',
  recipients:
    'These systems hold copies of data of the kinds listed. They are told when you have your data corrected or erased, or its processing restricted.',
  retention:
    'Your data is kept while it is needed for the purposes above. These periods say how long some of it must be kept even if you ask for its erasure, counted from when each record was stored; it is then restricted to that purpose.',
} as const;

/** One purpose's automated decisions, as the package discloses them (GDPR Art. 15(1)(h)). */
export type AutomatedDecisionView = {
  purpose: string;
  purposeName: string;
  logic: string;
  significance: string;
  consequences: string;
};

/**
 * Whether automated decisions apply: `applies` is null where purposes are not recorded here (the note
 * says so), else whether any purpose makes them, with each such purpose's disclosure.
 */
function automatedDecisionsOf(input: AccessPackageInput) {
  const purposes = input.processing?.purposes;
  if (!purposes) {
    return {
      applies: null,
      decisions: [] as AutomatedDecisionView[],
      note: notRecordedNotes.automatedDecisions,
    };
  }
  const decisions: AutomatedDecisionView[] = [];
  for (const purpose of purposes) {
    const disclosure = purpose.automatedDecisionMaking;
    if (disclosure?.applies !== true) continue;
    const { logic, significance, consequences } = disclosure;
    decisions.push({ purpose: purpose.key, purposeName: purpose.name, logic, significance, consequences });
  }
  const applies = decisions.length > 0;
  return {
    applies,
    decisions,
    note: applies ? recordedNotes.automatedDecisions : recordedNotes.noAutomatedDecisions,
  };
}

function recipientsOf(input: AccessPackageInput, categories: string[]) {
  if (!input.recipients) return { systems: [] as RecipientInfo[], note: notRecordedNotes.recipients };
  const systems = input.recipients.filter((system) => categoriesOverlap(system.dataCategories, categories));
  return { systems, note: recordedNotes.recipients };
}

/** A retention period as the package names it: the policy, what it covers, on which ground, how long. */
export type RetentionPeriodView = {
  name: string;
  covers: string;
  legalBasis: string;
  description: string;
  duration: string;
};

function retentionOf(input: AccessPackageInput, held: CollectionData[]) {
  if (!input.retention) return { periods: [] as RetentionPeriodView[], note: notRecordedNotes.retention };
  const policies = input.retention.map((policy) => ({ ...policy, id: policy.name, anonymization: {} }));
  const covering = new Set(
    held.flatMap((collection) =>
      coverageOf({ name: collection.collection, fields: collection.fields }, policies).map(
        (entry) => entry.policy.name,
      ),
    ),
  );
  const periods: RetentionPeriodView[] = input.retention
    .filter((policy) => covering.has(policy.name))
    .map((policy) => ({
      name: policy.name,
      covers: policy.collection ?? categoryTerm(policy.data_category as string).name,
      // A rule without a legal ground limits storage: it keeps nothing, it ends the data's time.
      legalBasis: policy.legal_basis ?? 'storage_limitation',
      description: policy.description,
      duration:
        policy.trigger.type === 'record_created'
          ? (policy.duration ?? 'P0D')
          : `${policy.duration ?? 'P0D'} after ${policy.trigger.type.replaceAll('_', ' ')}`,
    }));
  return { periods, note: recordedNotes.retention };
}

export function buildAccessPackage(input: AccessPackageInput) {
  const held = input.data.filter((collection) => collection.records.length > 0);
  const categoryKeys = new Set(
    held.flatMap((collection) =>
      collection.fields
        .filter((field) => collection.records.some((record) => field.name in record.values))
        .map((field) => field.category),
    ),
  );
  return {
    format: 'custos.access-package',
    formatVersion: 1,
    generatedAt: input.generatedAt.toISOString(),
    request: {
      id: input.request.id,
      right: requestTypeLabels[input.request.type],
      regime: input.request.regime,
      receivedAt: input.request.received_at.toISOString(),
    },
    subject: {
      id: input.subject.id,
      since: input.subject.createdAt.toISOString(),
      region: input.subject.region,
    },
    personalData: held.map((collection) => ({
      collection: collection.collection,
      description: collection.description,
      fields: collection.fields.map((field) => ({
        ...field,
        categoryName: categoryTerm(field.category).name,
      })),
      records: collection.records.map((record) => ({
        id: record.id,
        createdAt: record.createdAt.toISOString(),
        updatedAt: record.updatedAt.toISOString(),
        values: record.values,
      })),
    })),
    categories: [...categoryKeys].sort().map(categoryTerm),
    purposes: input.processing?.purposes ?? null,
    consentHistory: input.processing?.consentHistory ?? null,
    recipients: recipientsOf(input, [...categoryKeys]),
    retention: retentionOf(input, held),
    automatedDecisions: automatedDecisionsOf(input),
    source: notRecordedNotes.source,
  };
}
