import type { ColumnType, Generated } from 'kysely';
import type { DefaultedTimestamp, Timestamp } from '../../db/schema.js';
import type { DrpExercise, DrpRegime } from './drp-protocol.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | undefined, string>;

/** Where a status callback stands: waiting for its next attempt, answered 2xx, or given up on. */
export type CallbackState = 'pending' | 'delivered' | 'failed';

/** Where an agent's entry came from: the service-directory file, or an operator through the API. */
export type AgentSource = 'config' | 'api';

/** Rows of the Data Rights Protocol tables (created by migration 0011_drp, extended by 0015). */
export type DrpTables = {
  /** Trusted authorized agents: the service directory's entries (§3.05.1) and their pairing token. */
  drp_agents: {
    id: string;
    name: string;
    /** Base64 Ed25519 public key: the root of trust for everything the agent signs. */
    verify_key: string;
    web_url: string | null;
    identity_assurance_url: string | null;
    technical_contact: string | null;
    business_contact: string | null;
    source: AgentSource;
    /** SHA-256 of the current pairing token (§2.05); the token itself is only in the agent's hands. */
    token_hash: string | null;
    token_issued_at: NullableTimestamp;
    /** `issued-at` of the last accepted pairing message: older or equal ones are replays. */
    paired_issued_at: NullableTimestamp;
    created_at: DefaultedTimestamp;
    updated_at: DefaultedTimestamp;
  };
  /** The DRP side of a request filed by an agent: one row per `data_subject_requests` row of channel `drp`. */
  drp_requests: {
    request_id: string;
    agent_id: string;
    agent_request_id: string | null;
    /** SHA-256 of the exercise message's signature: the same message sent again finds its request. */
    message_digest: Buffer;
    exercise: DrpExercise;
    /** null: voluntary processing (no regime given). */
    regime: DrpRegime | null;
    relationships: Json<string[]>;
    status_callback: string | null;
    /** The identity claims, sealed (AES-256-GCM, bound to the request id); deleted when the request closes. */
    claims_sealed: Buffer | null;
    /**
     * Opaque id of the consumer's verification page (`/privacy/verify/{id}`, §3.02.1): random, so the
     * page cannot be found from the request id (migration 0015).
     */
    verification_id: string;
    /** A fulfilled access request: until when its package can be fetched at results_url (noted at closing). */
    results_expires_at: NullableTimestamp;
    /** The status object the agent was last given (in an answer or a callback), as sent. */
    status_body: string;
    /** Counts queued callbacks; a job for an older version is stale. */
    callback_version: Generated<number>;
    callback_state: CallbackState | null;
    callback_attempts: Generated<number>;
    callback_last_attempt_at: NullableTimestamp;
    callback_last_status_code: number | null;
    /** An error class (`http_status`, `timeout`, …), never the agent's answer. */
    callback_last_error: string | null;
    callback_delivered_at: NullableTimestamp;
    created_at: Timestamp;
  };
};
