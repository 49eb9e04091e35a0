import { type RawBuilder, sql } from 'kysely';
import type { FieldDefinition } from '../vault/collection-schema.js';
import { parseRetentionPeriod } from './retention-period.js';
import { type CollectionLike, covers, type Rule } from './retention-rules.js';
import type { RetentionAction } from './retention-types.js';

/**
 * How rules decide about a record, in SQL. Each rule covering a collection gives every record of it a due
 * time (its trigger's time plus its period, at the end of that day, UTC), or none while its trigger has
 * not happened. One rule decides:
 *
 * - if any rule with a legal ground covers the record, the one keeping it longest (a rule whose trigger
 *   has not happened keeps it indefinitely), so no obligation is cut short;
 * - otherwise the rule due first, so data is kept no longer than the first rule allows.
 *
 * Ties go to the rule whose name sorts first. The record is due when the deciding rule's time has come;
 * the deciding rule's action is what happens to it. `decide` is the same choice in JavaScript, for tests
 * and for explaining a decision.
 */
export type Candidate = { rule: Pick<Rule, 'id' | 'name' | 'legal_basis'>; due: Date | null };

export function decide(candidates: readonly Candidate[]): Candidate | undefined {
  const grounded = candidates.filter((candidate) => candidate.rule.legal_basis !== null);
  const byName = (a: Candidate, b: Candidate) => a.rule.name.localeCompare(b.rule.name);
  if (grounded.length > 0) {
    const keptForever = grounded.filter((candidate) => candidate.due === null).sort(byName);
    if (keptForever[0]) return keptForever[0];
    return [...grounded].sort(
      (a, b) => (b.due as Date).getTime() - (a.due as Date).getTime() || byName(a, b),
    )[0];
  }
  return candidates
    .filter((candidate) => candidate.due !== null)
    .sort((a, b) => (a.due as Date).getTime() - (b.due as Date).getTime() || byName(a, b))[0];
}

/** The SQL time a rule's period starts at for a record `r` of subject `s`; null until the trigger. */
function triggerTime(rule: Rule, fields: ReadonlyMap<string, FieldDefinition>, now: Date): RawBuilder<Date> {
  const trigger = rule.trigger;
  switch (trigger.type) {
    case 'record_created':
      return sql`r.created_at`;
    case 'last_activity':
      return sql`s.last_active_at`;
    case 'relationship_ended':
      return sql`s.relationship_ended_at`;
    case 'consent_withdrawn':
      return sql`(select case when cs.status in ('withdrawn', 'expired') then cs.updated_at
                              when cs.expires_at <= ${now}::timestamptz then cs.expires_at end
                    from consent_state cs
                   where cs.subject_id = r.subject_id and cs.purpose_key = ${trigger.purpose})`;
    case 'date_field':
      return fields.get(trigger.field)?.type === 'date'
        ? sql`((r.plain ->> ${trigger.field})::date::timestamp at time zone 'UTC')`
        : sql`(r.plain ->> ${trigger.field})::timestamptz`;
    case 'age_reached':
      return sql`(((r.plain ->> ${trigger.field})::date
                   + make_interval(years => ${trigger.years}::int))::timestamp at time zone 'UTC')`;
  }
}

/** The SQL due time of a rule for a record: the end of the day its period reaches, or the trigger itself. */
function dueTime(rule: Rule, fields: ReadonlyMap<string, FieldDefinition>, now: Date): RawBuilder<Date> {
  const start = triggerTime(rule, fields, now);
  const period = rule.duration === null ? undefined : parseRetentionPeriod(rule.duration);
  if (!period) return start;
  return sql`((date_trunc('day', ${start} at time zone 'UTC')
              + make_interval(years => ${period.years}::int, months => ${period.months}::int,
                              days => ${period.days + 1}::int)) at time zone 'UTC') - interval '1 millisecond'`;
}

/** The rules covering one collection, ready to be compiled into its decision. */
export type CollectionRules = { collection: CollectionLike; rules: Rule[] };

export function rulesByCollection(
  collections: readonly CollectionLike[],
  rules: readonly Rule[],
): CollectionRules[] {
  const ordered = [...rules].sort((a, b) => a.name.localeCompare(b.name));
  return [...collections]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((collection) => ({ collection, rules: ordered.filter((rule) => covers(rule, collection)) }))
    .filter((entry) => entry.rules.length > 0);
}

/**
 * The lateral subquery `dec (rule_id, action, grounded, due)` giving each record of the collection its
 * deciding rule, as described above; joined after `records r join subjects s`.
 */
export function decisionOf({ collection, rules }: CollectionRules, now: Date): RawBuilder<unknown> {
  const fields = new Map(collection.fields.map((field) => [field.name, field]));
  const rows = rules.map(
    (rule, order) =>
      sql`(${rule.id}::uuid, ${rule.action}::text, ${rule.legal_basis !== null}::boolean, ${order}::int,
           (${dueTime(rule, fields, now)})::timestamptz)`,
  );
  return sql`lateral (
    select d.rule_id, d.action, d.grounded, d.due
      from (values ${sql.join(rows)}) as d (rule_id, action, grounded, ord, due)
     order by d.grounded desc, case when d.grounded then d.due end desc nulls first, d.due asc nulls last, d.ord
     limit 1) dec`;
}

/** Subjects no rule may touch now: under a legal hold in force, or kept by an erasure until a date. */
export function untouchable(now: Date): RawBuilder<boolean> {
  return sql<boolean>`(exists (select 1 from legal_holds h
                        where h.subject_id = r.subject_id and h.lifted_at is null
                          and (h.until is null or h.until > ${now}::timestamptz))
        or exists (select 1 from erasure_retentions e
                    where e.subject_id = r.subject_id and e.shredded_at is null))`;
}

export type Decided = { id: string; subject_id: string; rule_id: string; action: RetentionAction };
