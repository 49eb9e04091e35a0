import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from '../../db/schema.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/**
 * `held`: no SMTP server is configured, the message waits in the outbox for an operator to read;
 * `queued`: a `mail.send` job will deliver it; `sent`: delivered, its content deleted;
 * `failed`: every delivery attempt failed, its content kept for an operator;
 * `erased`: its content was removed when the subject it was about was erased (migration 0020_erasure_reach).
 */
export type MailStatus = 'held' | 'queued' | 'sent' | 'failed' | 'erased';

/** Rows of the mail outbox (created by migration 0009_requests). */
export type MailTables = {
  mail_outbox: {
    id: string;
    /** What the message is (`request.verification_code`, …): no personal data. */
    kind: string;
    status: MailStatus;
    /** Recipient, subject and body as JSON, sealed under the outbox key; null once delivered or erased. */
    sealed: Buffer | null;
    /** What the message is about, pseudonymously (`request` and its id). */
    reference_type: string | null;
    reference_id: string | null;
    attempts: Generated<number>;
    /** The last delivery error's code (`ECONNECTION`, `EAUTH`, …), never the server's full answer. */
    last_error: string | null;
    created_at: Timestamp;
    sent_at: NullableTimestamp;
  };
};
