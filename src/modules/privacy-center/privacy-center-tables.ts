import type { ColumnType } from 'kysely';
import type { DefaultedTimestamp, Timestamp } from '../../db/schema.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** Rows of the privacy center's tables (created by migration 0012_subject_accounts). */
export type PrivacyCenterTables = {
  subject_accounts: {
    id: string;
    /** The vault subject the account belongs to; their name and e-mail address live there, sealed. */
    subject_id: string;
    /** HMAC-SHA256 of the normalized e-mail address under a key derived for this use; never the address. */
    email_index: Buffer;
    password_hash: string;
    last_login_at: NullableTimestamp;
    created_at: DefaultedTimestamp;
    updated_at: DefaultedTimestamp;
  };
  subject_sessions: {
    /** SHA-256 of the session token; the token itself is only in the subject's cookie. */
    id: string;
    account_id: string;
    csrf_token: string;
    created_at: Timestamp;
    last_seen_at: Timestamp;
    expires_at: Timestamp;
    revoked_at: NullableTimestamp;
  };
};
