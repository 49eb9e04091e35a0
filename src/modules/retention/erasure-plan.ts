import type { Masking } from '../vault/masking.js';
import { parseRetentionPeriod, retentionEnd } from './retention-period.js';
import type { KeptGroup, RetentionTables } from './retention-tables.js';
import type { RetentionGround, RetentionTrigger } from './retention-types.js';

/**
 * What erasure keeps, as a pure function of the subject's records (ids, collections, storage times), the
 * collections' fields and the retention policies in force. A record is kept while at least one policy that
 * covers it has not run out, counted from the day it was stored; it keeps the fields those policies need,
 * the anonymized form of the fields its collection's policies name, and nothing else. Everything not kept
 * is erased.
 */
export type PolicyRule = Pick<
  RetentionTables['retention_policies'],
  'id' | 'name' | 'collection' | 'data_category' | 'fields' | 'legal_basis' | 'description' | 'duration'
> & {
  anonymization: Record<string, Masking>;
  trigger: RetentionTrigger;
  /** A purpose-scoped rule: the purpose's data categories (empty when the purpose is gone). */
  purposeCategories?: readonly string[] | undefined;
};

export type CollectionShape = { name: string; fields: readonly { name: string; category: string }[] };

export type PlannedRecord = { id: string; collection: string; createdAt: Date };

export type RetainedPlan = {
  id: string;
  collection: string;
  keep: string[];
  anonymize: Record<string, Masking>;
  until: Date;
};

export type ErasurePlan = {
  retained: RetainedPlan[];
  /** Per collection, what is kept and why: the answer to the subject (GDPR Art. 17(3)). */
  kept: KeptGroup[];
  /** When the last retention ends (null: nothing is kept). */
  retainedUntil: Date | null;
  /** When the first retention ends. */
  nextExpiryAt: Date | null;
};

export type Coverage = { policy: PolicyRule; keep: string[] };

/** `user.financial.bank_account` lies within `user.financial`; a category lies within itself. */
export function categoryWithin(category: string, root: string): boolean {
  return category === root || category.startsWith(`${root}.`);
}

/** The policies that cover a collection, with the fields each keeps there. */
export function coverageOf(collection: CollectionShape, policies: readonly PolicyRule[]): Coverage[] {
  const names = collection.fields.map((field) => field.name);
  return policies.flatMap((policy): Coverage[] => {
    if (policy.collection !== null) {
      if (policy.collection !== collection.name) return [];
      return [{ policy, keep: (policy.fields ?? names).filter((name) => names.includes(name)) }];
    }
    const roots = policy.data_category !== null ? [policy.data_category] : (policy.purposeCategories ?? []);
    const keep = collection.fields
      .filter((field) => roots.some((root) => categoryWithin(field.category, root)))
      .map((f) => f.name);
    return keep.length > 0 ? [{ policy, keep }] : [];
  });
}

/**
 * When a rule stops keeping a record of a subject erased at `now`. Only a rule counting from the record's
 * creation started before; for every other trigger the erasure itself is the moment (it ends the
 * relationship, withdraws every consent and is the subject's last act), so the period runs from it.
 */
function endOf(policy: PolicyRule, storedAt: Date, now: Date): Date {
  const start = policy.trigger.type === 'record_created' ? storedAt : now;
  if (policy.duration === null) return start;
  const period = parseRetentionPeriod(policy.duration);
  // Stored durations are checked on the way in; an unreadable one keeps nothing rather than everything.
  return period ? retentionEnd(start, period) : start;
}

function retainedRecord(record: PlannedRecord, live: Coverage[], now: Date): RetainedPlan {
  const keep = [...new Set(live.flatMap((entry) => entry.keep))].sort();
  const anonymize: Record<string, Masking> = {};
  for (const { policy } of live) {
    for (const [field, operator] of Object.entries(policy.anonymization)) {
      if (!keep.includes(field) && !(field in anonymize)) anonymize[field] = operator;
    }
  }
  const until = new Date(
    Math.max(...live.map((entry) => endOf(entry.policy, record.createdAt, now).getTime())),
  );
  return { id: record.id, collection: record.collection, keep, anonymize, until };
}

function groupsOf(retained: RetainedPlan[], live: Map<string, Coverage[]>): KeptGroup[] {
  const groups = new Map<string, KeptGroup>();
  for (const record of retained) {
    const group = groups.get(record.collection) ?? {
      collection: record.collection,
      records: 0,
      fields: [],
      anonymized: [],
      policies: [],
      until: record.until.toISOString(),
    };
    group.records += 1;
    group.fields = [...new Set([...group.fields, ...record.keep])].sort();
    group.anonymized = [...new Set([...group.anonymized, ...Object.keys(record.anonymize)])].sort();
    if (record.until.toISOString() > group.until) group.until = record.until.toISOString();
    for (const { policy } of live.get(record.id) ?? []) {
      if (group.policies.some((known) => known.id === policy.id)) continue;
      group.policies.push({
        id: policy.id,
        name: policy.name,
        legalBasis: policy.legal_basis as RetentionGround,
        description: policy.description,
        duration: policy.duration ?? 'P0D',
      });
    }
    groups.set(record.collection, group);
  }
  return [...groups.values()].sort((a, b) => a.collection.localeCompare(b.collection));
}

/**
 * Which records erasure keeps at `now`, how each is minimised, and the summary the subject is given. Only
 * rules with a legal ground keep anything against an erasure request (GDPR Art. 17(3)).
 */
export function planErasure(input: {
  collections: readonly CollectionShape[];
  records: readonly PlannedRecord[];
  policies: readonly PolicyRule[];
  now: Date;
}): ErasurePlan {
  const ordered = input.policies
    .filter((policy) => policy.legal_basis !== null)
    .sort((a, b) => a.name.localeCompare(b.name));
  const coverage = new Map(input.collections.map((c) => [c.name, coverageOf(c, ordered)]));
  const live = new Map<string, Coverage[]>();
  const retained: RetainedPlan[] = [];
  for (const record of input.records) {
    const running = (coverage.get(record.collection) ?? []).filter(
      (entry) => endOf(entry.policy, record.createdAt, input.now).getTime() > input.now.getTime(),
    );
    if (running.length === 0) continue;
    live.set(record.id, running);
    retained.push(retainedRecord(record, running, input.now));
  }
  const ends = retained.map((record) => record.until.getTime());
  return {
    retained,
    kept: groupsOf(retained, live),
    retainedUntil: ends.length > 0 ? new Date(ends.reduce((a, b) => Math.max(a, b))) : null,
    nextExpiryAt: ends.length > 0 ? new Date(ends.reduce((a, b) => Math.min(a, b))) : null,
  };
}
