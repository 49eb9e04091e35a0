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

/** Days a period spans at the least, from any day: a month has 28 days or more, twelve of them 365 or more. */
function shortestSpanDays({ years, months, days }: { years: number; months: number; days: number }): number {
  const total = years * 12 + months;
  // Up to three days less where a month's end is cut short (31 January + 1 month is 28 February).
  return Math.max(0, Math.floor(total / 12) * 365 + (total % 12) * 28 + days - 3);
}

/**
 * When all of a collection's rules count from a record's creation, the latest creation time of a record
 * any of them could have due by `by` (the deciding rule's due time is one of the rules' due times, and a
 * rule is due at least its shortest span after the creation): records created later need no decision.
 * Undefined with any other trigger, whose time only the record's subject or fields tell.
 */
export function creationBound(rules: readonly Rule[], by: Date): Date | undefined {
  let latest: number | undefined;
  for (const rule of rules) {
    if (rule.trigger.type !== 'record_created') return undefined;
    const period = rule.duration === null ? undefined : parseRetentionPeriod(rule.duration);
    // A day to spare: the bound only has to let through every record that may be due.
    const spanDays = period ? shortestSpanDays(period) - 1 : 0;
    latest = Math.max(latest ?? Number.NEGATIVE_INFINITY, by.getTime() - spanDays * 86_400_000);
  }
  return latest === undefined ? undefined : new Date(latest);
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

/** Whether a rule's trigger reads the subject's row (activity, relationship): only then is it joined. */
function readsSubjects(rules: readonly Rule[]): boolean {
  return rules.some((rule) => ['last_activity', 'relationship_ended'].includes(rule.trigger.type));
}

/**
 * Every record of `source` (a subquery over `records` of one collection, aliased r) with its deciding rule,
 * as columns `id, subject_id, created_at, held, rule_id, action, grounded, due`: each rule's due time is one column
 * and the choice above is one CASE over them, so deciding costs a few expressions per record, not a
 * sort. `rule_id` is null when no rule decides (none has fired). `held`: a legal hold in force, or kept
 * by an erasure until a date (the erasure's own sweep handles those subjects).
 */
export function decidedRecords(
  { collection, rules }: CollectionRules,
  now: Date,
  source: RawBuilder<unknown>,
  /** More columns of `r` carried through, by output name (a record's place, its values). */
  carry: Readonly<Record<string, RawBuilder<unknown>>> = {},
): RawBuilder<unknown> {
  const fields = new Map(collection.fields.map((field) => [field.name, field]));
  const dues = rules.map(
    (rule, index) => sql`(${dueTime(rule, fields, now)})::timestamptz as ${sql.raw(`d${index + 1}`)}`,
  );
  const column = (index: number) => sql.raw(`x.d${index + 1}`);
  const grounded = rules.flatMap((rule, index) => (rule.legal_basis !== null ? [index] : []));
  const among = (indices: number[]) => sql.join(indices.map(column));
  const choice =
    grounded.length > 0
      ? sql.join(
          [
            ...grounded.map((index) => sql`when ${column(index)} is null then ${sql.lit(index + 1)}`),
            ...grounded.map(
              (index) =>
                sql`when ${column(index)} >= greatest(${among(grounded)}) then ${sql.lit(index + 1)}`,
            ),
          ],
          sql` `,
        )
      : sql.join(
          rules.map(
            (_, index) =>
              sql`when ${column(index)} is not null
                   and ${column(index)} <= least(${among(rules.map((_rule, i) => i))}) then ${sql.lit(index + 1)}`,
          ),
          sql` `,
        );
  const pick = sql.join(
    rules.map((_, index) => sql`when ${sql.lit(index + 1)} then ${sql.raw(`y.d${index + 1}`)}`),
    sql` `,
  );
  const carried = Object.entries(carry);
  const carriedOut = carried.map(([name]) => sql`, ${sql.ref(`y.${name}`)}`);
  const carriedIn = carried.map(([name, value]) => sql`, ${value} as ${sql.ref(name)}`);
  return sql`
    select y.id, y.subject_id, y.created_at, y.held${sql.join(carriedOut, sql``)},
           (${sql.val(rules.map((rule) => rule.id))}::uuid[])[y.k] as rule_id,
           (${sql.val(rules.map((rule) => rule.action))}::text[])[y.k] as action,
           (${sql.val(rules.map((rule) => rule.legal_basis !== null))}::boolean[])[y.k] as grounded,
           case y.k ${pick} end as due
      from (
        select x.*, case ${choice} end as k
          from (
            select r.id, r.subject_id, r.created_at,
                   (r.subject_id in (select h.subject_id from legal_holds h
                                      where h.lifted_at is null and (h.until is null or h.until > ${now}::timestamptz))
                    or r.subject_id in (select e.subject_id from erasure_retentions e where e.shredded_at is null))
                     as held${sql.join(carriedIn, sql``)},
                   ${sql.join(dues)}
              from ${source} r
              ${readsSubjects(rules) ? sql`join subjects s on s.id = r.subject_id` : sql``}
            -- A fence: each due time is computed once per record, not again in every expression using it.
            offset 0
          ) x
      ) y`;
}

export type Decided = { id: string; subject_id: string; rule_id: string; action: RetentionAction };
