import type { ColumnType, Generated } from 'kysely';
import type { DefaultedTimestamp, Timestamp } from '../../db/schema.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type OperatorStatus = 'invited' | 'active' | 'disabled';

export type AccessTables = {
  operators: {
    id: string;
    email: string;
    display_name: string;
    roles: string[];
    status: OperatorStatus;
    password_hash: string | null;
    password_changed_at: NullableTimestamp;
    mfa_enabled: Generated<boolean>;
    mfa_secret: Buffer | null;
    mfa_pending_secret: Buffer | null;
    mfa_last_step: Generated<number>;
    mfa_enrolled_at: NullableTimestamp;
    last_login_at: NullableTimestamp;
    created_at: DefaultedTimestamp;
    updated_at: DefaultedTimestamp;
  };
  operator_recovery_codes: {
    id: string;
    operator_id: string;
    code_hash: string;
    used_at: NullableTimestamp;
    created_at: DefaultedTimestamp;
  };
  sessions: {
    id: string;
    operator_id: string;
    csrf_token: string;
    mfa_satisfied: boolean;
    /** When a second factor was checked in this session (see the grant policy); null when none was. */
    mfa_verified_at: NullableTimestamp;
    created_at: Timestamp;
    last_seen_at: Timestamp;
    expires_at: Timestamp;
    revoked_at: NullableTimestamp;
  };
  setup_tokens: {
    id: string;
    token_hash: string;
    purpose: 'first_admin' | 'invitation';
    operator_id: string | null;
    expires_at: Timestamp;
    used_at: NullableTimestamp;
    created_at: DefaultedTimestamp;
  };
  api_keys: {
    id: string;
    prefix: string;
    secret_hash: string;
    name: string;
    permissions: string[];
    created_by: string | null;
    created_at: DefaultedTimestamp;
    expires_at: NullableTimestamp;
    last_used_at: NullableTimestamp;
    revoked_at: NullableTimestamp;
  };
  login_throttle: {
    key: string;
    failures: number;
    window_started_at: Timestamp;
    blocked_until: NullableTimestamp;
  };
};
