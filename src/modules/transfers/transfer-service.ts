/**
 * Transfer decisions and the transfer register. `validate` answers one question with an explained,
 * audited decision; `register` derives every flow of the data map (a system or processor outside the
 * exporter's region receiving personal data) and decides each as of today, so the RoPA's transfers and
 * the dashboard's approvals read the same answers.
 */
import type { Kysely } from 'kysely';
import { type GroupCommitSettings, groupCommit } from '../../db/group-commit.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditEntryInput, AuditWriter } from '../audit/audit-types.js';
import type { DataMap, SystemEntry } from '../inventory/inventory-model.js';
import type { TransferSafeguardLookup } from '../inventory/ropa.js';
import type { Classification } from '../vault/collection-schema.js';
import { adequacyOn } from './adequacy.js';
import { decideTransfer, inEea, placeIncludes, policyFor } from './transfer-decision.js';
import type {
  Mechanism,
  PartyRole,
  RecipientType,
  ResidencyPolicy,
  TransferDecision,
  TransferQuestion,
} from './transfer-model.js';
import type { TransferRecords } from './transfer-records.js';

type Deps = {
  db: Kysely<DB>;
  records: TransferRecords;
  audit: Pick<AuditWriter, 'appendMany'>;
  clock: Clock;
  /** Group commit of decisions' audit entries (one writer on PGlite, one per audit chain on PostgreSQL). */
  groupCommit?: GroupCommitSettings | undefined;
  /** The inventory's data map (systems, processors, collections with their classification). */
  dataMap: () => Promise<DataMap>;
  /** Where this instance stores its data (CUSTOS_INSTANCE_LOCATION), when configured. */
  instanceLocation?: string | undefined;
  /** The distinct regions of the subjects the vault holds (the start-up check). */
  subjectRegions?: (() => Promise<string[]>) | undefined;
};

/** A residency policy's verdict on storing subjects of a region on this instance. */
export type StorageFinding = {
  region: string;
  policy: { id: string; name: string; storageAtStartup: 'warn' | 'refuse' };
  reason: 'instance_location_unset' | 'instance_location_not_allowed';
  allowed: string[];
};

export type ValidateInput = {
  classification?: Classification | undefined;
  dataCategories?: string[] | undefined;
  /** A vault collection or registered system whose classification and categories describe the data. */
  collection?: string | undefined;
  systemId?: string | undefined;
  source: string;
  target: string;
  exporterRole?: PartyRole | undefined;
  recipientRole: PartyRole;
  recipient?: { type: RecipientType; id: string } | undefined;
  date?: string | undefined;
  regular?: boolean | undefined;
  recipientScopes?: string[] | undefined;
};

export const flowStatuses = ['adequacy', 'covered', 'action_needed', 'mechanism_missing', 'refused'] as const;
export type FlowStatus = (typeof flowStatuses)[number];

export type TransferFlow = {
  recipientType: 'system' | 'processor';
  recipientId: string;
  recipientName: string;
  destination: string;
  recipientRole: PartyRole;
  classification: Classification;
  dataCategories: string[];
  status: FlowStatus;
  decision: TransferDecision;
  mechanisms: Mechanism[];
};

const order: Classification[] = ['public', 'internal', 'confidential', 'restricted'];
const highest = (list: Classification[]): Classification =>
  list.reduce<Classification>(
    (top, next) => (order.indexOf(next) > order.indexOf(top) ? next : top),
    'internal',
  );

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

function statusOf(decision: TransferDecision): FlowStatus {
  if (decision.outcome === 'refused') return 'refused';
  if (decision.outcome === 'allowed') return 'adequacy';
  if (decision.mechanismsInPlace.some((mechanism) => mechanism.valid)) return 'covered';
  return decision.mechanismsInPlace.length > 0 ? 'action_needed' : 'mechanism_missing';
}

/** The exporter's place: its country's region (EEA) or its country; EEA when no country is set. */
export function exporterPlace(country: string | null): string {
  if (!country || inEea(country)) return 'EEA';
  return country;
}

function mechanismLabel(mechanism: Mechanism): string {
  const details = mechanism.details;
  switch (details.kind) {
    case 'scc':
      return `SCCs (2021/914) module ${details.module}, signed ${details.signedOn}`;
    case 'bcr':
      return `BCRs (${details.approvalReference})`;
    case 'code_of_conduct':
      return `Code of conduct (${details.reference})`;
    case 'certification':
      return `Certification (${details.reference})`;
    case 'derogation':
      return `Art. 49 derogation: ${details.ground.replaceAll('_', ' ')}`;
    case 'adequacy_scope':
      return `Adequacy decision, recipient within scope (${details.reference})`;
  }
}

export function transferService({
  db,
  records,
  audit,
  clock,
  dataMap,
  instanceLocation,
  subjectRegions,
  groupCommit: commitSettings,
}: Deps) {
  // Decisions are audited before they are answered; the entries of concurrent decisions share one
  // transaction and one audit batch (the shared group commit): an answer still follows its commit.
  type Audited = { context: AuditContext; entry: AuditEntryInput };
  const decisionEntries = groupCommit<Audited, true>({
    settings: commitSettings ?? { writers: 4, maxBatch: 200 },
    async write(items) {
      await db.transaction().execute((tx) => audit.appendMany(tx, items));
      return items.map(() => true as const);
    },
    // Nothing is refused: every item is written or the batch fails.
    refusals: async (items) => items.map(() => new Error('transfer decision entry not written')),
  });
  const auditDecision = async (item: Audited): Promise<void> => {
    await decisionEntries.submit(undefined, async () => item);
  };

  async function describedBy(
    input: ValidateInput,
  ): Promise<{ classification: Classification | null; categories: string[] }> {
    const ref = input.systemId ?? (input.collection ? `collection:${input.collection}` : null);
    if (!ref) return { classification: input.classification ?? null, categories: input.dataCategories ?? [] };
    const system = (await dataMap()).systems.find((entry) => entry.id === ref);
    if (!system) {
      throw new AppError('unprocessable', 'The collection or system named is not in the data map.', {
        extensions: { reason: 'unknown_data_reference' },
      });
    }
    return {
      classification: input.classification ?? system.classification,
      categories: [...new Set([...(input.dataCategories ?? []), ...system.dataCategories])],
    };
  }

  /** The decision on a question, unaudited (the register, the RoPA and enforcement call it). */
  async function decide(question: TransferQuestion, recipient?: { type: RecipientType; id: string }) {
    const rules = await records.snapshot();
    return decideTransfer({
      question,
      decisions: rules.decisions,
      policies: rules.policies,
      mechanisms: recipient ? rules.mechanismsOf(recipient, question.target) : [],
    });
  }

  /** `POST /v1/transfers/validate`: the explained decision, audited (codes only, never the data). */
  async function validate(context: AuditContext, input: ValidateInput): Promise<TransferDecision> {
    const date = input.date ?? isoDay(clock.now());
    const { classification, categories } = await describedBy(input);
    const decision = await decide(
      {
        classification,
        dataCategories: categories,
        source: input.source,
        target: input.target,
        exporterRole: input.exporterRole ?? 'controller',
        recipientRole: input.recipientRole,
        date,
        regular: input.regular ?? false,
        recipientScopes: input.recipientScopes ?? [],
      },
      input.recipient,
    );
    await auditDecision({
      context,
      entry: {
        action: 'transfers.validated',
        outcome: 'success',
        target: { type: 'transfer', id: `${input.source}>${input.target}` },
        details: {
          outcome: decision.outcome,
          date,
          reasons: decision.reasons.map((reason) => reason.code),
          warnings: decision.warnings.map((reason) => reason.code),
          ...(input.recipient ? { recipientType: input.recipient.type, recipient: input.recipient.id } : {}),
        },
      },
    });
    return decision;
  }

  /** Every flow of the data map out of the exporter's region, decided as of today. */
  async function register(): Promise<{ generatedAt: Date; exporter: string; flows: TransferFlow[] }> {
    const map = await dataMap();
    const exporter = exporterPlace(map.organization.country);
    const outside = (code: string) => (exporter === 'EEA' ? !inEea(code) : code !== exporter);
    const [reference, policies, mechanisms] = await Promise.all([
      records.reference(),
      records.policies(),
      records.mechanisms(),
    ]);
    const date = isoDay(clock.now());
    const systemsOf = new Map<string, SystemEntry[]>();
    for (const system of map.systems) {
      if (!system.processorId) continue;
      systemsOf.set(system.processorId, [...(systemsOf.get(system.processorId) ?? []), system]);
    }
    const candidates: Omit<TransferFlow, 'status' | 'decision' | 'mechanisms'>[] = [];
    for (const system of map.systems) {
      if (system.origin !== 'registered' || system.dataCategories.length === 0) continue;
      for (const location of new Set(system.locations.map((code) => code.toUpperCase()))) {
        if (!outside(location)) continue;
        candidates.push({
          recipientType: 'system',
          recipientId: system.id,
          recipientName: system.name,
          destination: location,
          recipientRole: system.processorId ? 'processor' : 'controller',
          classification: system.classification,
          dataCategories: system.dataCategories,
        });
      }
    }
    for (const processor of map.processors) {
      const country = processor.country.toUpperCase();
      if (!outside(country)) continue;
      const systems = systemsOf.get(processor.id) ?? [];
      candidates.push({
        recipientType: 'processor',
        recipientId: processor.id,
        recipientName: processor.name,
        destination: country,
        recipientRole:
          processor.role === 'processor' || processor.role === 'sub_processor' ? 'processor' : 'controller',
        classification: highest(systems.map((system) => system.classification)),
        dataCategories: [...new Set(systems.flatMap((system) => system.dataCategories))],
      });
    }
    const flows = candidates.map((flow) => {
      const own = mechanisms.filter(
        (mechanism) =>
          mechanism.recipientType === flow.recipientType &&
          mechanism.recipientId === flow.recipientId &&
          mechanism.destination === flow.destination,
      );
      const decision = decideTransfer({
        question: {
          classification: flow.classification,
          dataCategories: flow.dataCategories,
          source: exporter === 'EEA' ? (map.organization.country ?? 'EEA') : exporter,
          target: flow.destination,
          exporterRole: 'controller',
          recipientRole: flow.recipientRole,
          date,
          regular: true,
          recipientScopes: [],
        },
        decisions: reference.decisions,
        policies,
        mechanisms: own,
      });
      return { ...flow, status: statusOf(decision), decision, mechanisms: own };
    });
    return { generatedAt: clock.now(), exporter, flows };
  }

  /** The dashboard's `cross_border_transfer_approvals`: flows resting on adequacy or a valid mechanism, of all. */
  async function approvals(): Promise<{ approved: number; total: number }> {
    const { flows } = await register();
    return {
      approved: flows.filter((flow) => flow.status === 'adequacy' || flow.status === 'covered').length,
      total: flows.length,
    };
  }

  /** What the RoPA writes as a transfer's safeguards, from the register's mechanisms and today's adequacy list. */
  async function safeguardLookup(): Promise<TransferSafeguardLookup> {
    const [reference, mechanisms] = await Promise.all([records.reference(), records.mechanisms()]);
    const date = isoDay(clock.now());
    return (country, via) => {
      const words: string[] = [];
      const finding = adequacyOn(reference.decisions, country, date);
      if (finding.status === 'in_force') {
        const scope = finding.decision.scope;
        words.push(
          `Adequacy decision (${finding.decision.instrument})${scope?.mustBeConfirmed ? ` where the recipient is within its scope: ${scope.text}` : ''}`,
        );
      }
      for (const mechanism of mechanisms) {
        if (mechanism.destination !== country) continue;
        if (
          !via.some((entry) => entry.type === mechanism.recipientType && entry.id === mechanism.recipientId)
        )
          continue;
        const label = `${mechanism.recipientName}: ${mechanismLabel(mechanism)}`;
        if (!words.includes(label)) words.push(label);
      }
      return words.length > 0 ? words.join('; ') : null;
    };
  }

  /**
   * Whether a webhook delivery may go to its receiver: the endpoint's own location, or the locations of
   * the downstream system it belongs to. Payloads carry identifiers (subject ids, request ids), which are
   * personal data: they are weighed as confidential data. Refused only by a residency policy (a policy's
   * destinations or classifications, or its demand for a mechanism in place); nothing is checked when no
   * policy exists or no location is known. An endpoint with no location and no downstream system with
   * locations is weighed at the instance's configured location (CUSTOS_INSTANCE_LOCATION), when set.
   */
  async function deliveryGuard(delivery: {
    endpointId: string;
    location: string | null;
  }): Promise<{ refused: false } | { refused: true; reason: string }> {
    const rules = await records.snapshot();
    if (rules.policies.length === 0) return { refused: false };
    const map = await dataMap();
    const receivers: { location: string; recipient: { type: RecipientType; id: string }; role: PartyRole }[] =
      delivery.location
        ? [
            {
              location: delivery.location,
              recipient: { type: 'endpoint', id: delivery.endpointId },
              role: 'processor',
            },
          ]
        : map.systems
            .filter((system) => system.fulfilment?.endpointId === delivery.endpointId)
            .flatMap((system) =>
              [...new Set(system.locations.map((code) => code.toUpperCase()))].map((location) => ({
                location,
                recipient: { type: 'system' as const, id: system.id },
                role: system.processorId ? ('processor' as const) : ('controller' as const),
              })),
            );
    // An endpoint with no location of its own and no downstream system with one is taken to be where
    // this instance is (CUSTOS_INSTANCE_LOCATION); with neither known, nothing can be checked.
    if (receivers.length === 0 && instanceLocation) {
      receivers.push({
        location: instanceLocation,
        recipient: { type: 'endpoint', id: delivery.endpointId },
        role: 'processor',
      });
    }
    const source = map.organization.country ?? 'EEA';
    const date = isoDay(clock.now());
    for (const receiver of receivers) {
      const mechanisms = rules.mechanismsOf(receiver.recipient, receiver.location);
      const decision = decideTransfer({
        question: {
          classification: 'confidential',
          dataCategories: ['user.unique_id'],
          source,
          target: receiver.location,
          exporterRole: 'controller',
          recipientRole: receiver.role,
          date,
          regular: true,
          recipientScopes: [],
        },
        decisions: rules.decisions,
        policies: rules.policies,
        mechanisms,
      });
      if (decision.outcome === 'refused') {
        const reason = decision.reasons.find(
          (entry) => entry.code.startsWith('policy_') || entry.code.startsWith('no_'),
        );
        return { refused: true, reason: reason?.code ?? decision.reasons[0]?.code ?? 'refused' };
      }
    }
    return { refused: false };
  }

  /**
   * Whether subjects of `region` may be stored on this instance: the residency policy governing the region
   * (its country's, else the EU's, else the EEA's) may list where they may be stored; the instance's
   * configured location must lie in one of those places. A region no policy governs, or a policy without
   * storage locations, sets no requirement.
   */
  function storageFinding(rules: ResidencyPolicy[], region: string): StorageFinding | null {
    const place = region.trim().toUpperCase();
    if (place === '') return null;
    const policy = policyFor(rules, place);
    if (!policy?.storageLocations) return null;
    const allowed = policy.storageLocations;
    const about = {
      region: place,
      policy: { id: policy.id, name: policy.name, storageAtStartup: policy.storageAtStartup },
      allowed,
    };
    if (!instanceLocation) return { ...about, reason: 'instance_location_unset' };
    if (allowed.some((entry) => placeIncludes(entry, instanceLocation))) return null;
    return { ...about, reason: 'instance_location_not_allowed' };
  }

  /**
   * The per-write check: refuses (409 `residency_refused`, nothing written) to store subjects whose region
   * a residency policy keeps off this instance's location. The vault calls it before it writes a subject.
   */
  async function storageGuard(regions: readonly (string | null)[]): Promise<void> {
    const present = [...new Set(regions.filter((region): region is string => !!region))];
    if (present.length === 0) return;
    const { policies } = await records.snapshot();
    if (!policies.some((policy) => policy.storageLocations)) return;
    for (const region of present) {
      const finding = storageFinding(policies, region);
      if (!finding) continue;
      throw new AppError(
        'residency_refused',
        finding.reason === 'instance_location_unset'
          ? 'A data residency policy says where subjects of this region may be stored, and this instance has no configured location (CUSTOS_INSTANCE_LOCATION).'
          : 'A data residency policy does not allow subjects of this region to be stored in this instance’s location.',
        {
          extensions: {
            reason: finding.reason,
            region: finding.region,
            policy: finding.policy.id,
            instanceLocation: instanceLocation ?? null,
            allowedLocations: finding.allowed,
          },
        },
      );
    }
  }

  /** The start-up check: each region of subjects present that a policy keeps off this instance's location. */
  async function storageCheck(): Promise<StorageFinding[]> {
    const policies = await records.policies();
    if (!subjectRegions || !policies.some((policy) => policy.storageLocations)) return [];
    const findings: StorageFinding[] = [];
    const seen = new Set<string>();
    for (const region of await subjectRegions()) {
      const finding = storageFinding(policies, region);
      if (!finding || seen.has(finding.region)) continue;
      seen.add(finding.region);
      findings.push(finding);
    }
    return findings;
  }

  return {
    validate,
    decide,
    register,
    approvals,
    safeguardLookup,
    deliveryGuard,
    storageGuard,
    storageCheck,
    instanceLocation: instanceLocation ?? null,
  };
}

export type TransferService = ReturnType<typeof transferService>;
