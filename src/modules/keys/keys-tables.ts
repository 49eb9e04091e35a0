import type { ColumnType } from 'kysely';
import type { DefaultedTimestamp } from '../../db/schema.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** Rows of the key ring tables (created by migration 0004_keys). */
export type KeysTables = {
  kek_versions: {
    version: number;
    fingerprint: string;
    created_at: DefaultedTimestamp;
    retired_at: NullableTimestamp;
  };
  data_keys: {
    subject_id: string;
    wrapped_key: Buffer;
    kek_version: number;
    created_at: DefaultedTimestamp;
    rewrapped_at: NullableTimestamp;
  };
  key_fingerprints: {
    name: string;
    fingerprint: string;
    created_at: DefaultedTimestamp;
  };
};
