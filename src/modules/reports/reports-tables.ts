import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../db/schema.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type ReportStatus = 'queued' | 'running' | 'done' | 'failed';

/** The dashboard's memory and the generated reports (created by migration 0040_accountability). */
export type ReportsTables = {
  report_snapshots: {
    /** The UTC day, YYYY-MM-DD. */
    day: ColumnType<string, string, string>;
    metric: string;
    /** Null when the metric's source is not tracked in this deployment. */
    value: number | null;
    /** False when the metric's source module is not installed: "not tracked", never a zero. */
    tracked: ColumnType<boolean, boolean | undefined, boolean>;
    taken_at: Timestamp;
  };
  compliance_reports: {
    id: string;
    period_from: Timestamp;
    period_to: Timestamp;
    status: ReportStatus;
    progress: ColumnType<number, number | undefined, number>;
    document: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
    error: string | null;
    requested_by: string | null;
    scheduled: ColumnType<boolean, boolean | undefined, boolean>;
    created_at: Timestamp;
    finished_at: NullableTimestamp;
  };
  compliance_report_schedule: {
    id: number;
    enabled: boolean;
    recipients: string[];
    /** The last month (YYYY-MM) a scheduled report was made for. */
    last_period: string | null;
    updated_at: Timestamp;
  };
};
