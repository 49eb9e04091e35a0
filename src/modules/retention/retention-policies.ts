import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError, type FieldError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { isKnownCategory } from '../vault/collection-schema.js';
import type { Masking } from '../vault/masking.js';
import { parseRetentionPeriod } from './retention-period.js';
import type { PolicyRow, RetentionStore } from './retention-store.js';
import type { RetentionGround } from './retention-types.js';

/** A retention policy as an organization declares it (validated by ZRetentionPolicy). */
export type PolicyInput = {
  name: string;
  collection?: string | undefined;
  dataCategory?: string | undefined;
  fields?: string[] | undefined;
  anonymization?: Record<string, Masking> | undefined;
  legalBasis: RetentionGround;
  description: string;
  duration: string;
};

type CollectionLike = { name: string; fields: readonly { name: string; category: string }[] };

type Deps = {
  db: Kysely<DB>;
  store: RetentionStore;
  audit: AuditWriter;
  clock: Clock;
  /** The vault's collections, to check what a policy names. */
  collections: { list(): Promise<CollectionLike[]> };
};

function invalid(errors: FieldError[]): AppError {
  return new AppError('validation_failed', `${errors.length} part(s) of the policy do not fit.`, { errors });
}

/**
 * Retention policies: which data must outlive an erasure request (GDPR Art. 17(3)), on which ground,
 * for how long from the day it was stored, and which of its fields the obligation needs.
 */
export function retentionPolicies({ db, store, audit, clock, collections }: Deps) {
  const target = (id: string) => ({ type: 'retention_policy', id });

  /** One error per problem, never repeating a value: scope, fields, anonymization and duration. */
  async function problemsOf(input: PolicyInput): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    const at = (path: string, message: string) => errors.push({ in: 'body', path, message });
    if (parseRetentionPeriod(input.duration) === undefined) {
      at('duration', 'must be an ISO 8601 duration of years, months and days, at most 100 years (P10Y, P6M)');
    }
    if ((input.collection === undefined) === (input.dataCategory === undefined)) {
      at('(root)', 'name exactly one of collection, dataCategory');
      return errors;
    }
    if (input.dataCategory !== undefined) {
      if (!isKnownCategory(input.dataCategory)) at('dataCategory', 'must be a data category of the taxonomy');
      if (input.fields) at('fields', 'only a collection policy names fields');
      if (input.anonymization && Object.keys(input.anonymization).length > 0) {
        at('anonymization', 'only a collection policy anonymizes fields');
      }
      return errors;
    }
    const collection = (await collections.list()).find((row) => row.name === input.collection);
    if (!collection) {
      at('collection', 'is not a collection of the vault');
      return errors;
    }
    const names = new Set(collection.fields.map((field) => field.name));
    for (const field of input.fields ?? []) {
      if (!names.has(field)) at(`fields.${field}`, 'is not a field of this collection');
    }
    const kept = new Set(input.fields ?? names);
    for (const field of Object.keys(input.anonymization ?? {})) {
      if (!names.has(field)) at(`anonymization.${field}`, 'is not a field of this collection');
      else if (kept.has(field))
        at(`anonymization.${field}`, 'is kept as it is; a field is kept or anonymized');
    }
    return errors;
  }

  function columnsOf(input: PolicyInput, now: Date) {
    return {
      name: input.name,
      collection: input.collection ?? null,
      data_category: input.dataCategory ?? null,
      fields: input.fields ? [...new Set(input.fields)] : null,
      anonymization: JSON.stringify(input.anonymization ?? {}),
      legal_basis: input.legalBasis,
      description: input.description,
      duration: input.duration,
      updated_at: now,
    };
  }

  const auditDetails = (input: PolicyInput) => ({
    name: input.name,
    collection: input.collection ?? null,
    dataCategory: input.dataCategory ?? null,
    fields: input.fields ?? null,
    anonymized: Object.keys(input.anonymization ?? {}),
    legalBasis: input.legalBasis,
    duration: input.duration,
  });

  async function get(id: string): Promise<PolicyRow> {
    const row = await store.findPolicy(db, id);
    if (!row) throw new AppError('not_found', 'No retention policy with this id.');
    return row;
  }

  async function create(context: AuditContext, input: PolicyInput): Promise<PolicyRow> {
    const errors = await problemsOf(input);
    if (errors.length > 0) throw invalid(errors);
    const id = randomUUID();
    await db.transaction().execute(async (tx) => {
      if (await store.policyNamed(tx, input.name)) {
        throw new AppError('conflict', `A retention policy named ${input.name} exists already.`);
      }
      const now = clock.now();
      await store.insertPolicy(tx, { id, ...columnsOf(input, now), created_at: now });
      await audit.append(tx, context, {
        action: 'retention.policy.created',
        outcome: 'success',
        target: target(id),
        details: auditDetails(input),
      });
    });
    return get(id);
  }

  /** Replaces a policy. Subjects kept under it follow the new terms from the retention sweep's next look. */
  async function update(context: AuditContext, id: string, input: PolicyInput): Promise<PolicyRow> {
    const errors = await problemsOf(input);
    if (errors.length > 0) throw invalid(errors);
    await db.transaction().execute(async (tx) => {
      if (!(await store.lockPolicy(tx, id)))
        throw new AppError('not_found', 'No retention policy with this id.');
      const named = await store.policyNamed(tx, input.name);
      if (named && named.id !== id) {
        throw new AppError('conflict', `A retention policy named ${input.name} exists already.`);
      }
      await store.updatePolicy(tx, id, columnsOf(input, clock.now()));
      await audit.append(tx, context, {
        action: 'retention.policy.updated',
        outcome: 'success',
        target: target(id),
        details: auditDetails(input),
      });
    });
    return get(id);
  }

  async function remove(context: AuditContext, id: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      const current = await store.lockPolicy(tx, id);
      if (!current) throw new AppError('not_found', 'No retention policy with this id.');
      await store.deletePolicy(tx, id);
      await audit.append(tx, context, {
        action: 'retention.policy.deleted',
        outcome: 'success',
        target: target(id),
        details: { name: current.name },
      });
    });
  }

  return { list: () => store.listPolicies(db), get, create, update, remove };
}

export type RetentionPolicies = ReturnType<typeof retentionPolicies>;
