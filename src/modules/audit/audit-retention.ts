import { sql } from 'kysely';
import { parseRetentionPeriod, type RetentionPeriod, retentionEnd } from '../retention/retention-period.js';

/**
 * Retention classes of audit entries. Every action falls into exactly one, decided by its name alone, in
 * this order:
 * - `access`: reads and look-ups of personal data or of the log — an action whose last word is `read`,
 *   `searched`, `detokenized`, `downloaded` or `exported`, and `consent.filter.run`.
 * - `security`: authentication, sessions, operators and their roles, API keys, keys, alerts, the audit
 *   log's own operations, agents and webhook endpoints — actions starting with one of `securityPrefixes`.
 * - `compliance`: everything else — data-subject requests, consent, retention, changes to personal data,
 *   shredding. The default: an action nobody classified is kept as long as the longest class.
 */
export const auditClasses = ['security', 'access', 'compliance'] as const;
export type AuditClass = (typeof auditClasses)[number];

/** ISO 8601 period per class (`P7Y`). */
export type AuditRetention = Record<AuditClass, string>;

/** The periods of seed 002: security events 7 years, access logs 1 year, compliance records 10 years. */
export const defaultAuditRetention: AuditRetention = { security: 'P7Y', access: 'P1Y', compliance: 'P10Y' };

const accessSuffixes = ['.read', '.searched', '.detokenized', '.downloaded', '.exported'] as const;
const accessActions = ['consent.filter.run'] as const;
const securityPrefixes = [
  'access.',
  'alert.',
  'api_key.',
  'audit.',
  'drp.agent.',
  'keys.',
  'operator.',
  'session.',
  'setup.',
  'subject.account.',
  'subject.login.',
  'subject.session.',
  'webhook.endpoint.',
] as const;

/** The class of an action (see `auditClasses` for the rules). */
export function auditClassOf(action: string): AuditClass {
  if (accessActions.includes(action as never) || accessSuffixes.some((suffix) => action.endsWith(suffix))) {
    return 'access';
  }
  if (securityPrefixes.some((prefix) => action.startsWith(prefix))) return 'security';
  return 'compliance';
}

/** `auditClassOf` as SQL over the `action` column: the class's name. */
export function auditClassSql() {
  const access = [
    ...accessActions.map((action) => sql`action = ${action}`),
    ...accessSuffixes.map((suffix) => sql`right(action, ${suffix.length}::int) = ${suffix}`),
  ];
  const security = securityPrefixes.map((prefix) => sql`left(action, ${prefix.length}::int) = ${prefix}`);
  return sql<AuditClass>`(case when ${sql.join(access, sql` or `)} then 'access'
                   when ${sql.join(security, sql` or `)} then 'security'
                   else 'compliance' end)`;
}

/** The retention period of an entry's class, as an SQL interval. */
export function auditPeriodSql(retention: AuditRetention) {
  return sql`(case ${auditClassSql()} when 'access' then ${retention.access}::interval
                   when 'security' then ${retention.security}::interval
                   else ${retention.compliance}::interval end)`;
}

/** Parses configured periods; throws naming the class when one is not a `P…Y…M…D` period. */
export function parseAuditRetention(retention: AuditRetention): Record<AuditClass, RetentionPeriod> {
  const parsed = {} as Record<AuditClass, RetentionPeriod>;
  for (const auditClass of auditClasses) {
    const period = parseRetentionPeriod(retention[auditClass]);
    if (!period) throw new Error(`The audit retention period of ${auditClass} is not an ISO 8601 period`);
    parsed[auditClass] = period;
  }
  return parsed;
}

/** Whether an entry of this class written at `at` was past its period at `when` (end of day, UTC). */
export function isPastRetention(at: Date, period: RetentionPeriod, when: Date): boolean {
  return retentionEnd(at, period).getTime() < when.getTime();
}
