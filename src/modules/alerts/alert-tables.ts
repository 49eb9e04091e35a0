import type { ColumnType } from 'kysely';
import type { DefaultedTimestamp, Timestamp } from '../../db/schema.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | undefined, string>;

export type AlertSeverity = 'info' | 'warning' | 'critical';
/** `open`: nobody has looked yet; `acknowledged`: someone is on it; `resolved`: done with. */
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

/** Rows of the alerts (created by migration 0013_alerts). */
export type AlertTables = {
  alerts: {
    id: string;
    /** What happened, as a stable dotted code (`login.account_locked`). */
    kind: string;
    severity: AlertSeverity;
    /** One line written by code: never personal data. */
    summary: string;
    /** Facts of the latest occurrence: pseudonymous ids, counts, reason codes. */
    details: Json<Record<string, unknown>>;
    /** What the alert is about, pseudonymously (`operator` and its id); null for the instance as a whole. */
    target_type: string | null;
    target_id: string | null;
    first_seen_at: Timestamp;
    last_seen_at: Timestamp;
    /** Occurrences folded into this alert (repeats of its kind and target). */
    count: ColumnType<number, number | undefined, number>;
    status: ColumnType<AlertStatus, AlertStatus | undefined, AlertStatus>;
    /** Operator ids. */
    acknowledged_by: string | null;
    acknowledged_at: NullableTimestamp;
    resolved_by: string | null;
    resolved_at: NullableTimestamp;
    note: string | null;
    updated_at: DefaultedTimestamp;
  };
};
