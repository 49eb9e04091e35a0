import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../db/schema.js';

type Json<T> = ColumnType<T, string, string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** Rows of the monitoring tables (created by migration 0036_monitoring). */
export type MonitoringTables = {
  monitoring_cursor: {
    id: number;
    /** The last audit position folded in, per chain: `{"0": 123, "1": 98}`. */
    positions: Json<Record<string, number>>;
    entries: ColumnType<number, number | undefined, number>;
    ran_at: NullableTimestamp;
  };
  monitoring_principals: {
    principal_type: 'operator' | 'api_key';
    principal_id: string;
    role: string;
    first_seen_at: Timestamp;
    last_seen_at: Timestamp;
    active_hours: ColumnType<number, number | undefined, number>;
    state: Json<unknown>;
    score: number | null;
    scored_at: NullableTimestamp;
  };
  monitoring_roles: { role: string; state: Json<unknown> };
  monitoring_scores: {
    principal_type: string;
    principal_id: string;
    hour: Timestamp;
    score: number;
    factors: Json<unknown>;
  };
  monitoring_settings: {
    id: number;
    settings: Json<unknown>;
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
    updated_by: string | null;
  };
};
