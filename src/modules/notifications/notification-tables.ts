import type { ColumnType, Generated } from 'kysely';
import type { DefaultedTimestamp, Timestamp } from '../../db/schema.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** Where a delivery stands: waiting for its next attempt, accepted by the receiver, or given up on. */
export type DeliveryStatus = 'pending' | 'delivered' | 'dead_lettered';

/** Rows of the webhook tables (created by migration 0008_notifications). */
export type NotificationTables = {
  webhook_endpoints: {
    id: string;
    url: string;
    description: string;
    /** Event types the endpoint subscribes to; null subscribes to every type, including future ones. */
    event_types: string[] | null;
    enabled: boolean;
    /** Where the receiver is (ISO 3166-1 alpha-2), checked against residency before delivery; null: not stated. */
    location: ColumnType<string | null, string | null | undefined, string | null>;
    /** The signing secret's key bytes, sealed (AES-256-GCM, bound to the endpoint id). */
    secret_sealed: Buffer;
    previous_secret_sealed: Buffer | null;
    previous_secret_expires_at: NullableTimestamp;
    secret_rotated_at: NullableTimestamp;
    created_at: DefaultedTimestamp;
    updated_at: DefaultedTimestamp;
  };
  webhook_messages: {
    /** `msg_…`, sent as `webhook-id`, the same on every attempt so receivers can drop duplicates. */
    id: string;
    event_type: string;
    /** The exact JSON body that is signed and sent (or, with `body_sealed`, its redacted form for the log). */
    body: string;
    /** The body sent, sealed, when it carries a secret the delivery log must not show (a callback token). */
    body_sealed: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
    created_at: DefaultedTimestamp;
  };
  webhook_deliveries: {
    id: Generated<string>;
    seq: Generated<number>;
    message_id: string;
    endpoint_id: string;
    event_type: string;
    status: ColumnType<DeliveryStatus, DeliveryStatus | undefined, DeliveryStatus>;
    attempts: Generated<number>;
    round: Generated<number>;
    round_attempts: Generated<number>;
    next_attempt_at: NullableTimestamp;
    last_attempt_at: NullableTimestamp;
    last_status_code: number | null;
    last_error: string | null;
    delivered_at: NullableTimestamp;
    dead_lettered_at: NullableTimestamp;
    created_at: DefaultedTimestamp;
    updated_at: DefaultedTimestamp;
  };
  webhook_delivery_attempts: {
    delivery_id: string;
    attempt: number;
    round: number;
    attempted_at: Timestamp;
    duration_ms: number;
    status_code: number | null;
    error: string | null;
    response_snippet: string | null;
  };
};
