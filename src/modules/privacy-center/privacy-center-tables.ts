import type { ColumnType, Generated } from 'kysely';
import type { DefaultedTimestamp, Timestamp } from '../../db/schema.js';
import type { HeldChoices } from '../consent/held-choices.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** `pending_verification` until the one-time code e-mailed at registration is entered; then `active`. */
export type SubjectAccountStatus = 'pending_verification' | 'active';

/**
 * Rows of the privacy center's tables (created by migrations 0012_subject_accounts,
 * 0014_subject_account_verification, 0017_pending_registration_consents and 0023_pending_registrations).
 */
export type PrivacyCenterTables = {
  subject_accounts: {
    id: string;
    /** The vault subject the account belongs to; their name and e-mail address live there, sealed. */
    subject_id: string;
    /** HMAC-SHA256 of the normalized e-mail address under a key derived for this use; never the address. */
    email_index: Buffer;
    password_hash: string;
    status: SubjectAccountStatus;
    /** When an unverified registration is removed (set exactly while `pending_verification`). */
    verify_by: NullableTimestamp;
    /** When the address was confirmed; null for accounts made before verification existed. */
    verified_at: NullableTimestamp;
    /** When the last "you already have an account" notice was sent (at most one an hour). */
    notified_at: NullableTimestamp;
    /**
     * The consent choices made at registration with their proof (purpose keys, versions, grant or deny,
     * GPC; time, form and keyed hashes), held until the address is confirmed; null once recorded.
     */
    pending_consents: ColumnType<HeldChoices | null, string | null, string | null>;
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
  /**
   * Registrations received and not yet worked by their job: everything the form gave, sealed. Deleted by
   * the job that works it, or by the maintenance job an hour after it was made.
   */
  pending_registrations: {
    id: string;
    /** AES-256-GCM under the registrations' own key, bound to the row id (see pending-registrations.ts). */
    sealed: Buffer;
    created_at: Timestamp;
  };
  /** One-time codes that confirm an account's e-mail address; deleted with the account or on success. */
  subject_account_codes: {
    id: string;
    account_id: string;
    /** Fresh random salt of this code. */
    salt: Buffer;
    /** HMAC-SHA256 under a server-side key over salt, account id and code; never the code. */
    digest: Buffer;
    attempts: Generated<number>;
    expires_at: Timestamp;
    created_at: Timestamp;
    /** Set when a newer code replaced it or its wrong tries ran out. */
    spent_at: NullableTimestamp;
  };
};
