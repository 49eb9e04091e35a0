import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError, type FieldError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { type CollectionLike, type PurposeLike, type RuleInput, ruleProblems } from './retention-rules.js';
import type { PolicyRow, RetentionStore } from './retention-store.js';

type Deps = {
  db: Kysely<DB>;
  store: RetentionStore;
  audit: AuditWriter;
  clock: Clock;
  /** The vault's collections and the consent purposes, to check what a rule names. */
  collections: { list(): Promise<CollectionLike[]> };
  purposes: { list(): Promise<PurposeLike[]> };
};

function invalid(errors: FieldError[]): AppError {
  return new AppError('validation_failed', `${errors.length} part(s) of the rule do not fit.`, { errors });
}

/**
 * Retention rules (stored as policies): what they cover, when their period starts, how long it runs,
 * what happens then, and the legal ground that keeps data against an erasure request (GDPR Art. 17(3)).
 */
export function retentionPolicies({ db, store, audit, clock, collections, purposes }: Deps) {
  const target = (id: string) => ({ type: 'retention_policy', id });

  async function problemsOf(input: RuleInput): Promise<FieldError[]> {
    const [collectionRows, purposeRows] = await Promise.all([collections.list(), purposes.list()]);
    return ruleProblems(input, {
      collections: collectionRows,
      purposes: new Map(purposeRows.map((row) => [row.key, row])),
    });
  }

  function columnsOf(input: RuleInput, now: Date) {
    return {
      name: input.name,
      collection: input.collection ?? null,
      data_category: input.dataCategory ?? null,
      purpose: input.purpose ?? null,
      trigger: JSON.stringify(input.trigger ?? { type: 'record_created' }),
      action: input.action ?? 'delete',
      fields: input.fields ? [...new Set(input.fields)] : null,
      anonymization: JSON.stringify(input.anonymization ?? {}),
      legal_basis: input.legalBasis ?? null,
      description: input.description,
      duration: input.duration ?? null,
      updated_at: now,
    };
  }

  const auditDetails = (input: RuleInput) => ({
    name: input.name,
    collection: input.collection ?? null,
    dataCategory: input.dataCategory ?? null,
    purpose: input.purpose ?? null,
    trigger: input.trigger?.type ?? 'record_created',
    action: input.action ?? 'delete',
    fields: input.fields ?? null,
    anonymized: Object.keys(input.anonymization ?? {}),
    legalBasis: input.legalBasis ?? null,
    duration: input.duration ?? null,
  });

  async function get(id: string): Promise<PolicyRow> {
    const row = await store.findPolicy(db, id);
    if (!row) throw new AppError('not_found', 'No retention policy with this id.');
    return row;
  }

  async function create(context: AuditContext, input: RuleInput): Promise<PolicyRow> {
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
  async function update(context: AuditContext, id: string, input: RuleInput): Promise<PolicyRow> {
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

  /** Creates or replaces rules by name (a schedule file); all are checked before any is stored. */
  async function apply(context: AuditContext, inputs: readonly RuleInput[]): Promise<PolicyRow[]> {
    for (const [index, input] of inputs.entries()) {
      const errors = await problemsOf(input);
      if (errors.length > 0) {
        throw invalid(errors.map((error) => ({ ...error, path: `rules.${index}.${error.path}` })));
      }
    }
    const applied: PolicyRow[] = [];
    for (const input of inputs) {
      const existing = await store.policyNamed(db, input.name);
      applied.push(existing ? await update(context, existing.id, input) : await create(context, input));
    }
    return applied;
  }

  return { list: () => store.listPolicies(db), get, create, update, remove, apply };
}

export type RetentionPolicies = ReturnType<typeof retentionPolicies>;
