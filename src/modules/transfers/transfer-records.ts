/**
 * The records people keep about transfers: the operator's adequacy overrides, residency policies,
 * mechanisms and their transfer impact assessments. Every change is one transaction with its audit entry.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { Classification } from '../vault/collection-schema.js';
import {
  type AdequacyDecision,
  type AdequacyOverride,
  mergeDecisions,
  shippedDecisions,
  shippedReference,
} from './adequacy.js';
import type {
  Mechanism,
  MechanismDetails,
  RecipientType,
  ResidencyPolicy,
  StorageAtStartup,
  SupplementaryMeasures,
  Tia,
  TiaConclusion,
} from './transfer-model.js';
import type { MechanismRow, OverrideRow, PolicyRow, TiaRow, TransferStore } from './transfer-store.js';

type Deps = {
  db: Kysely<DB>;
  store: TransferStore;
  audit: Pick<AuditWriter, 'append'>;
  clock: Clock;
  /** How long a process decides with the rules it read (changes made in this process apply at once). */
  snapshotTtlMs?: number;
};

/** What decisions read: the merged adequacy list, the policies, the mechanisms by recipient and destination. */
export type RulesSnapshot = {
  decisions: AdequacyDecision[];
  policies: ResidencyPolicy[];
  mechanismsOf(recipient: { type: RecipientType; id: string }, destination: string): Mechanism[];
};

const mechanismKey = (type: string, id: string | null, destination: string) =>
  `${type}\u0000${id}\u0000${destination}`;

export type PolicyInput = {
  name: string;
  region: string;
  allowedDestinations: string[] | null;
  classificationDestinations: Partial<Record<Classification, string[]>>;
  specialCategoryDestinations: string[] | null;
  requireMechanismInPlace: boolean;
  storageLocations: string[] | null;
  storageAtStartup: StorageAtStartup;
};

export type MechanismInput = {
  recipientType: RecipientType;
  recipientId: string | null;
  recipientName: string;
  destination: string;
  details: MechanismDetails;
  validFrom: string | null;
  validUntil: string | null;
};

export type TiaInput = {
  destinationLawAssessment: string;
  measures: SupplementaryMeasures;
  conclusion: TiaConclusion;
  assessedOn: string;
  reviewOn: string;
};

export const overrideOf = (row: OverrideRow): AdequacyOverride => ({
  ...(row.entry as Omit<AdequacyDecision, 'regime' | 'origin'>),
  id: row.id,
  regime: row.regime,
  origin: 'override',
  revoked: row.revoked,
});

export const policyOf = (row: PolicyRow): ResidencyPolicy => ({
  id: row.id,
  name: row.name,
  region: row.region,
  allowedDestinations: row.allowed_destinations,
  classificationDestinations: row.classification_destinations,
  specialCategoryDestinations: row.special_category_destinations,
  requireMechanismInPlace: row.require_mechanism,
  storageLocations: row.storage_locations,
  storageAtStartup: row.storage_at_startup,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const tiaOf = (row: TiaRow): Tia => ({
  id: row.id,
  mechanismId: row.mechanism_id,
  destinationLawAssessment: row.destination_law_assessment,
  measures: {
    technical: row.measures.technical ?? [],
    contractual: row.measures.contractual ?? [],
    organisational: row.measures.organisational ?? [],
  },
  conclusion: row.conclusion,
  assessedOn: row.assessed_on,
  reviewOn: row.review_on,
  createdAt: row.created_at,
});

const mechanismOf = (row: MechanismRow, tias: Tia[]): Mechanism => ({
  id: row.id,
  recipientType: row.recipient_type,
  recipientId: row.recipient_id,
  recipientName: row.recipient_name,
  destination: row.destination,
  details: row.details as MechanismDetails,
  validFrom: row.valid_from,
  validUntil: row.valid_until,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  tias,
});

/** Mechanism rows with their assessments, newest assessment first (two queries however many). */
export async function withTias(
  store: TransferStore,
  tx: Executor,
  rows: MechanismRow[],
): Promise<Mechanism[]> {
  const tias = await store.tiasOf(
    tx,
    rows.filter((row) => row.kind === 'scc' || row.kind === 'bcr').map((row) => row.id),
  );
  return rows.map((row) => mechanismOf(row, tias.filter((tia) => tia.mechanism_id === row.id).map(tiaOf)));
}

export function transferRecords({ db, store, audit, clock, snapshotTtlMs = 1000 }: Deps) {
  let cached: { at: number; snapshot: Promise<RulesSnapshot> } | undefined;

  async function loadSnapshot(): Promise<RulesSnapshot> {
    const [overrides, policyRows, mechanismRows] = await Promise.all([
      store.overrides(db),
      store.policies(db),
      store.mechanisms(db),
    ]);
    const byKey = new Map<string, Mechanism[]>();
    for (const mechanism of await withTias(store, db, mechanismRows)) {
      const key = mechanismKey(mechanism.recipientType, mechanism.recipientId, mechanism.destination);
      byKey.set(key, [...(byKey.get(key) ?? []), mechanism]);
    }
    return {
      decisions: mergeDecisions(shippedDecisions, overrides.map(overrideOf)),
      policies: policyRows.map(policyOf),
      mechanismsOf: (recipient, destination) =>
        byKey.get(mechanismKey(recipient.type, recipient.id, destination)) ?? [],
    };
  }

  /**
   * The rules as of at most `snapshotTtlMs` ago, read once for every decision meanwhile (validation is on
   * the hot path of applications); a change made through this process is seen by its next decision.
   */
  function snapshot(): Promise<RulesSnapshot> {
    const now = Date.now();
    if (!cached || now - cached.at > snapshotTtlMs) {
      const loading = loadSnapshot();
      cached = { at: now, snapshot: loading };
      loading.catch(() => {
        if (cached?.snapshot === loading) cached = undefined;
      });
    }
    return cached.snapshot;
  }

  /** Forgets the snapshot after a change (called once the change's transaction committed). */
  function changed<T>(value: T): T {
    cached = undefined;
    return value;
  }

  /** The shipped list, the operator's overrides and the merged list Custos decides with. */
  async function reference(tx: Executor = db) {
    const overrides = (await store.overrides(tx)).map(overrideOf);
    return {
      info: shippedReference,
      shipped: shippedDecisions,
      overrides,
      decisions: mergeDecisions(shippedDecisions, overrides),
    };
  }

  /** Adds or replaces a decision (or revokes a shipped one), with the operator's reason. */
  async function setOverride(
    context: AuditContext,
    input: { decision: Omit<AdequacyDecision, 'regime' | 'origin'>; revoked: boolean; note: string },
  ): Promise<AdequacyOverride> {
    const shipped = shippedDecisions.find((decision) => decision.id === input.decision.id);
    if (input.revoked && !shipped) {
      throw new AppError(
        'unprocessable',
        'Only a shipped decision can be revoked; remove an added one instead.',
      );
    }
    return db.transaction().execute(async (tx) => {
      const now = clock.now();
      const row = await store.upsertOverride(tx, {
        id: input.decision.id,
        regime: 'EU',
        entry: JSON.stringify(input.decision),
        revoked: input.revoked,
        note: input.note,
        created_at: now,
        updated_at: now,
      });
      await audit.append(tx, context, {
        action: input.revoked ? 'transfers.adequacy.revoked' : 'transfers.adequacy.overridden',
        outcome: 'success',
        target: { type: 'adequacy_decision', id: input.decision.id },
        details: {
          destination: input.decision.destination,
          inForce: input.decision.inForce,
          endsOn: input.decision.endsOn,
          replacesShipped: Boolean(shipped),
        },
      });
      return overrideOf(row);
    });
  }

  /** Removes an operator's entry: the shipped decision (if any) applies again. */
  async function removeOverride(context: AuditContext, id: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      if (!(await store.deleteOverride(tx, id)))
        throw new AppError('not_found', 'There is no override with this id.');
      await audit.append(tx, context, {
        action: 'transfers.adequacy.override_removed',
        outcome: 'success',
        target: { type: 'adequacy_decision', id },
      });
    });
  }

  async function policies(tx: Executor = db): Promise<ResidencyPolicy[]> {
    return (await store.policies(tx)).map(policyOf);
  }

  const policyColumns = (input: PolicyInput) => ({
    name: input.name,
    region: input.region,
    allowed_destinations: input.allowedDestinations,
    classification_destinations: JSON.stringify(input.classificationDestinations),
    special_category_destinations: input.specialCategoryDestinations,
    require_mechanism: input.requireMechanismInPlace,
    storage_locations: input.storageLocations,
    storage_at_startup: input.storageAtStartup,
  });

  async function createPolicy(context: AuditContext, input: PolicyInput): Promise<ResidencyPolicy> {
    return db.transaction().execute(async (tx) => {
      if (await store.findPolicyByRegion(tx, input.region)) {
        throw new AppError('conflict', 'A residency policy for this region exists already.');
      }
      const now = clock.now();
      const row = await store.insertPolicy(tx, {
        id: randomUUID(),
        ...policyColumns(input),
        created_at: now,
        updated_at: now,
      });
      await audit.append(tx, context, {
        action: 'transfers.policy.created',
        outcome: 'success',
        target: { type: 'residency_policy', id: row.id },
        details: { region: input.region },
      });
      return policyOf(row);
    });
  }

  async function updatePolicy(
    context: AuditContext,
    id: string,
    input: PolicyInput,
  ): Promise<ResidencyPolicy> {
    return db.transaction().execute(async (tx) => {
      const other = await store.findPolicyByRegion(tx, input.region);
      if (other && other.id !== id)
        throw new AppError('conflict', 'A residency policy for this region exists already.');
      const row = await store.updatePolicy(tx, id, { ...policyColumns(input), updated_at: clock.now() });
      if (!row) throw new AppError('not_found', 'There is no residency policy with this id.');
      await audit.append(tx, context, {
        action: 'transfers.policy.updated',
        outcome: 'success',
        target: { type: 'residency_policy', id },
        details: { region: input.region },
      });
      return policyOf(row);
    });
  }

  async function removePolicy(context: AuditContext, id: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      if (!(await store.deletePolicy(tx, id)))
        throw new AppError('not_found', 'There is no residency policy with this id.');
      await audit.append(tx, context, {
        action: 'transfers.policy.deleted',
        outcome: 'success',
        target: { type: 'residency_policy', id },
      });
    });
  }

  async function mechanisms(tx: Executor = db): Promise<Mechanism[]> {
    return withTias(store, tx, await store.mechanisms(tx));
  }

  async function getMechanism(id: string): Promise<Mechanism> {
    const row = await store.findMechanism(db, id);
    if (!row) throw new AppError('not_found', 'There is no transfer mechanism with this id.');
    return (await withTias(store, db, [row]))[0] as Mechanism;
  }

  async function mechanismsFor(
    recipient: { type: RecipientType; id: string },
    destination: string,
    tx: Executor = db,
  ): Promise<Mechanism[]> {
    return withTias(store, tx, await store.mechanismsFor(tx, recipient, destination));
  }

  async function createMechanism(context: AuditContext, input: MechanismInput): Promise<Mechanism> {
    return db.transaction().execute(async (tx) => {
      const now = clock.now();
      const row = await store.insertMechanism(tx, {
        id: randomUUID(),
        recipient_type: input.recipientType,
        recipient_id: input.recipientId,
        recipient_name: input.recipientName,
        destination: input.destination,
        kind: input.details.kind,
        details: JSON.stringify(input.details),
        valid_from: input.validFrom,
        valid_until: input.validUntil,
        created_at: now,
        updated_at: now,
      });
      await audit.append(tx, context, {
        action: 'transfers.mechanism.created',
        outcome: 'success',
        target: { type: 'transfer_mechanism', id: row.id },
        details: {
          kind: input.details.kind,
          destination: input.destination,
          recipientType: input.recipientType,
          ...(input.details.kind === 'scc' ? { module: input.details.module } : {}),
          ...(input.details.kind === 'derogation' ? { ground: input.details.ground } : {}),
        },
      });
      return mechanismOf(row, []);
    });
  }

  async function removeMechanism(context: AuditContext, id: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      if (!(await store.deleteMechanism(tx, id))) {
        throw new AppError('not_found', 'There is no transfer mechanism with this id.');
      }
      await audit.append(tx, context, {
        action: 'transfers.mechanism.deleted',
        outcome: 'success',
        target: { type: 'transfer_mechanism', id },
      });
    });
  }

  /** Records a transfer impact assessment for an SCC or BCR mechanism. */
  async function addTia(context: AuditContext, mechanismId: string, input: TiaInput): Promise<Tia> {
    return db.transaction().execute(async (tx) => {
      const mechanism = await store.findMechanism(tx, mechanismId);
      if (!mechanism) throw new AppError('not_found', 'There is no transfer mechanism with this id.');
      if (mechanism.kind !== 'scc' && mechanism.kind !== 'bcr') {
        throw new AppError('unprocessable', 'Transfer impact assessments belong to SCC and BCR transfers.', {
          extensions: { reason: 'tia_not_applicable' },
        });
      }
      const row = await store.insertTia(tx, {
        id: randomUUID(),
        mechanism_id: mechanismId,
        destination_law_assessment: input.destinationLawAssessment,
        measures: JSON.stringify(input.measures),
        conclusion: input.conclusion,
        assessed_on: input.assessedOn,
        review_on: input.reviewOn,
        created_at: clock.now(),
      });
      await audit.append(tx, context, {
        action: 'transfers.tia.recorded',
        outcome: 'success',
        target: { type: 'transfer_mechanism', id: mechanismId },
        details: { tia: row.id, conclusion: input.conclusion, reviewOn: input.reviewOn },
      });
      return tiaOf(row);
    });
  }

  const afterChange =
    <A extends unknown[], R>(work: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> =>
      changed(await work(...args));

  return {
    snapshot,
    reference,
    setOverride: afterChange(setOverride),
    removeOverride: afterChange(removeOverride),
    policies,
    createPolicy: afterChange(createPolicy),
    updatePolicy: afterChange(updatePolicy),
    removePolicy: afterChange(removePolicy),
    mechanisms,
    getMechanism,
    mechanismsFor,
    createMechanism: afterChange(createMechanism),
    removeMechanism: afterChange(removeMechanism),
    addTia: afterChange(addTia),
  };
}

export type TransferRecords = ReturnType<typeof transferRecords>;
