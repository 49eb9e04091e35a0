import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { CollectionRules } from './retention-decisions.js';
import type { Rule } from './retention-rules.js';
import type { RetentionRunStore } from './retention-run-store.js';
import type { RetentionAction } from './retention-types.js';

type Deps = {
  db: Kysely<DB>;
  store: RetentionRunStore;
  clock: Clock;
  plan: (executor: Executor) => Promise<CollectionRules[]>;
  settings: { dueSoonDays: number; complianceCacheMs: number };
};

type Counts = { records: number; subjects: number };

/** What one rule would do now and within the window; subjects are counted per collection. */
export type RulePreview = {
  rule: { id: string; name: string };
  action: RetentionAction;
  collections: string[];
  now: Counts;
  soon: Counts;
  /** Records due by the end of the window whose subject is under a legal hold: nothing happens to them. */
  held: number;
};

/** Rules whose actions differ, covering one collection: allowed, and explained. */
export type Overlap = {
  collection: string;
  rules: { name: string; action: RetentionAction; grounded: boolean }[];
};

export type Compliance = { covered: number; overdue: number; rate: number; at: Date };

const dayMs = 86_400_000;

function overlapsOf(plan: readonly CollectionRules[]): Overlap[] {
  return plan
    .filter(({ rules }) => new Set(rules.map((rule) => rule.action)).size > 1)
    .map(({ collection, rules }) => ({
      collection: collection.name,
      rules: rules.map((rule) => ({
        name: rule.name,
        action: rule.action,
        grounded: rule.legal_basis !== null,
      })),
    }));
}

/**
 * The dry run and the compliance rate: the same decisions as a run, counted instead of carried out,
 * without locking or changing anything.
 */
export function retentionPreview({ db, store, clock, plan, settings }: Deps) {
  /** Per rule, what would be deleted, anonymized or shredded now and within the window. */
  async function preview(days = settings.dueSoonDays) {
    const now = clock.now();
    const soon = new Date(now.getTime() + days * dayMs);
    const collections = await plan(db);
    const byRule = new Map<string, RulePreview>();
    const rules = new Map<string, Rule>(collections.flatMap((entry) => entry.rules.map((r) => [r.id, r])));
    // Collections are counted side by side: on PostgreSQL each takes a connection of the pool (PGlite,
    // with one connection, takes them in turn).
    const counted = await Promise.all(collections.map((entry) => store.dueCounts(db, entry, now, soon)));
    for (const [index, entry] of collections.entries()) {
      for (const count of counted[index] ?? []) {
        const rule = rules.get(count.rule_id) as Rule;
        const known = byRule.get(rule.id) ?? {
          rule: { id: rule.id, name: rule.name },
          action: rule.action,
          collections: [],
          now: { records: 0, subjects: 0 },
          soon: { records: 0, subjects: 0 },
          held: 0,
        };
        if (!known.collections.includes(entry.collection.name)) known.collections.push(entry.collection.name);
        known.now.records += count.due_records;
        known.now.subjects += count.due_subjects;
        known.soon.records += count.soon_records;
        known.soon.subjects += count.soon_subjects;
        known.held += count.held_records;
        byRule.set(rule.id, known);
      }
    }
    return {
      at: now,
      until: soon,
      rules: [...byRule.values()].sort((a, b) => a.rule.name.localeCompare(b.rule.name)),
      overlaps: overlapsOf(collections),
    };
  }

  async function measure(): Promise<Compliance> {
    const now = clock.now();
    let covered = 0;
    let overdue = 0;
    const plans = await plan(db);
    for (const counts of await Promise.all(plans.map((entry) => store.compliance(db, entry, now)))) {
      covered += counts.covered;
      overdue += counts.overdue;
    }
    return { covered, overdue, rate: covered === 0 ? 1 : 1 - overdue / covered, at: now };
  }

  let cached: { value: Compliance; until: number } | undefined;

  return {
    preview,
    /**
     * The retention compliance rate: 1 − (records past their time still stored, not held ÷ records under a
     * rule). Measured at most once per `complianceCacheMs` (every scrape would otherwise scan the vault).
     */
    async compliance(options: { fresh?: boolean } = {}): Promise<Compliance> {
      if (!options.fresh && cached && cached.until > Date.now()) return cached.value;
      const value = await measure();
      cached = { value, until: Date.now() + settings.complianceCacheMs };
      return value;
    },
  };
}

export type RetentionPreview = ReturnType<typeof retentionPreview>;
