import type { ColumnType } from 'kysely';
import type { DefaultedTimestamp } from '../../db/schema.js';
import type { FieldDefinition } from './collection-schema.js';

type Json<T> = ColumnType<T, string | T, string | T>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type SubjectStatus = 'active' | 'restricted' | 'erased';

export type VaultTables = {
  collections: {
    id: string;
    name: string;
    description: string;
    multiple: boolean;
    fields: Json<FieldDefinition[]>;
    version: ColumnType<number, number | undefined, number>;
    source: ColumnType<'api' | 'config', 'api' | 'config' | undefined, 'api' | 'config'>;
    created_at: DefaultedTimestamp;
    updated_at: DefaultedTimestamp;
  };
  subjects: {
    id: string;
    external_id_index: Buffer | null;
    region: string | null;
    status: SubjectStatus;
    created_at: DefaultedTimestamp;
    updated_at: DefaultedTimestamp;
    erased_at: NullableTimestamp;
    /** The subject's last activity (record writes, own reads, reported by the application), moved at most daily. */
    last_active_at: DefaultedTimestamp;
    /** When the application said the relationship with the subject ended (migration 0026). */
    relationship_ended_at: NullableTimestamp;
  };
  /** Ids of records crypto-shredding deleted, so reading one answers 410 (migration 0020_erasure_reach). */
  erased_records: {
    id: string;
    subject_id: string;
  };
  records: {
    id: string;
    subject_id: string;
    collection_id: string;
    plain: Json<Record<string, unknown>>;
    /** Field name → base64 AES-256-GCM box sealed under the subject's data key. */
    sealed: Json<Record<string, string>>;
    /** Set for records of a one-record-per-subject collection; a unique index allows one per subject. */
    sole: ColumnType<boolean, boolean | undefined, boolean>;
    created_at: DefaultedTimestamp;
    updated_at: DefaultedTimestamp;
  };
  blind_indexes: {
    kind: string;
    digest: Buffer;
    subject_id: string;
    record_id: string;
    field: string | null;
  };
  tokens: {
    token: string;
    subject_id: string;
    collection: string;
    field: string;
    kind: 'deterministic' | 'random';
    sealed_value: Buffer;
    created_at: DefaultedTimestamp;
  };
};
