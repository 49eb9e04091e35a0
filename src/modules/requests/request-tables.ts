import type { ColumnType, Generated } from 'kysely';
import type { DefaultedTimestamp, Timestamp } from '../../db/schema.js';
import type {
  Channel,
  ExportFormat,
  Filer,
  LiftReason,
  Regime,
  RejectionReason,
  RequestState,
  RequestType,
  RestrictionGround,
  TaskAction,
  TaskStatus,
  TimelineKind,
  VerificationMethod,
} from './request-types.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | undefined, string>;

/** What a downstream task covers: identifiers and names only, never values. */
export type TaskScope = {
  dataCategories: string[];
  records?: { recordId: string; collection: string; fields: string[] }[];
};

/** Rows of the requests tables (created by migration 0009_requests). */
export type RequestTables = {
  data_subject_requests: {
    id: string;
    type: RequestType;
    regime: Regime;
    state: RequestState;
    channel: Channel;
    filed_by: Filer;
    /** Who filed it, pseudonymously: the audit actor type and id (operator, API key, …). */
    filer_type: string;
    filer_id: string | null;
    /** The vault subject the request is about, when known. */
    subject_id: string | null;
    /** The contact e-mail address, sealed (AES-256-GCM, bound to the request id); never stored in clear. */
    contact_sealed: Buffer | null;
    /**
     * The corrections a subject asked for (records, fields, values), sealed like the contact; cleared when
     * the request closes (migration 0016_request_corrections).
     */
    corrections_sealed: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
    assignee_id: string | null;
    received_at: Timestamp;
    /** The last instant to answer in (end of the due day, UTC); moves once, with an extension. */
    due_at: Timestamp;
    initial_due_at: Timestamp;
    extended_at: NullableTimestamp;
    verified_at: NullableTimestamp;
    verification_method: VerificationMethod | null;
    rejection_reason: RejectionReason | null;
    closed_at: NullableTimestamp;
    created_at: DefaultedTimestamp;
    updated_at: DefaultedTimestamp;
  };
  /** The timeline: append-only (a trigger refuses UPDATE and DELETE). */
  request_events: {
    seq: Generated<number>;
    request_id: string;
    kind: TimelineKind;
    from_state: RequestState | null;
    to_state: RequestState | null;
    actor_type: string;
    actor_id: string | null;
    /** Facts (reason codes, methods, dates): never personal data. */
    details: Json<Record<string, unknown>>;
    /** Free text an operator wrote (a note, the reason for an extension), sealed like the contact. */
    note_sealed: Buffer | null;
    at: Timestamp;
  };
  /** Files that fulfil access and portability requests: sealed, downloadable with a token until they expire. */
  request_exports: {
    id: string;
    request_id: string;
    format: ExportFormat;
    /** The file, sealed (AES-256-GCM under the exports key, bound to the export id and format); null once erased. */
    sealed: Buffer | null;
    /** When the subject's erasure removed the file (migration 0020_erasure_reach); its link answers 410. */
    erased_at: NullableTimestamp;
    size: number;
    /** SHA-256 of the download token; the token itself is only ever in the link given out. */
    token_hash: string;
    expires_at: Timestamp;
    created_at: Timestamp;
    downloads: Generated<number>;
    last_downloaded_at: NullableTimestamp;
  };
  request_verification_codes: {
    id: string;
    request_id: string;
    salt: Buffer;
    digest: Buffer;
    attempts: Generated<number>;
    expires_at: Timestamp;
    created_at: Timestamp;
    /** Set when the code was used, burnt by too many attempts, or replaced by a newer code. */
    spent_at: NullableTimestamp;
  };
  /** Why a subject is restricted (GDPR Art. 18), and when that ended (migration 0010_request_fulfilment). */
  subject_restrictions: {
    id: string;
    subject_id: string;
    request_id: string | null;
    ground: RestrictionGround;
    placed_at: Timestamp;
    lifted_at: NullableTimestamp;
    lift_reason: LiftReason | null;
    lifted_by_type: string | null;
    lifted_by_id: string | null;
  };
  /** What one downstream system was asked to do for one request, and how it answered. */
  request_system_tasks: {
    id: string;
    request_id: string;
    system_id: string;
    action: TaskAction;
    status: TaskStatus;
    /** What the task covers, as sent: data categories, and for a rectification the records and fields. */
    scope: Json<TaskScope>;
    /** SHA-256 of the callback token; the token itself is only in the message the system received. */
    token_hash: string;
    message_id: string;
    delivery_id: string;
    attempts: ColumnType<number, number | undefined, number>;
    /** Why it failed: `reported` by the system, or `undeliverable` (the webhook was dead-lettered). */
    failure: 'reported' | 'undeliverable' | 'residency_refused' | null;
    /** What the system said when it answered, sealed (it may name records or people). */
    detail_sealed: Buffer | null;
    created_at: Timestamp;
    updated_at: Timestamp;
    done_at: NullableTimestamp;
  };
};
