import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { JobSender } from '../../jobs/job-sender.js';
import type { Clock } from '../../lib/clock.js';
import { pageOf, timeIdCursor } from '../../lib/paging.js';
import type { SealedBox } from '../../lib/sealed-box.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { MailRow, MailStore } from './mail-store.js';
import type { MailStatus } from './mail-tables.js';
import { deliveryErrorCode, type MailTransport } from './mail-transport.js';

export const mailSendJobName = 'mail.send';
/** Delivery attempts of one message before it is marked failed (the job's retries plus the first run). */
export const maxDeliveryAttempts = 6;

/** A message as a module hands it over. `kind` and `reference` are metadata and carry no personal data. */
export type MailMessage = {
  kind: string;
  to: string;
  subject: string;
  text: string;
  reference?: { type: string; id: string } | undefined;
};

/** A message as the outbox shows it to an operator: content only while it is not delivered. */
export type OutboxEntry = {
  id: string;
  kind: string;
  status: MailStatus;
  reference: { type: string; id: string } | null;
  content: { to: string; subject: string; text: string } | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
};

type Deps = {
  db: Kysely<DB>;
  store: MailStore;
  /** Seals message content at rest, under a key of the outbox's own. */
  box: SealedBox;
  jobs: JobSender;
  /** Unset when no SMTP server is configured: messages are then held in the outbox. */
  transport: MailTransport | undefined;
  audit: AuditWriter;
  clock: Clock;
  settings: { from: string; retentionMs: number };
};

const aadOf = (id: string) => `custos.mail.v1:${id}`;

/**
 * Outgoing e-mail. Messages are written to the outbox (sealed) in the caller's transaction; with SMTP
 * configured a `mail.send` job, enqueued in the same transaction, delivers each one and deletes its
 * content; without SMTP they are held for operators to read and pass on.
 */
export function mailService({ db, store, box, jobs, transport, audit, clock, settings }: Deps) {
  function seal(id: string, message: MailMessage): Buffer {
    const content = { to: message.to, subject: message.subject, text: message.text };
    return box.seal(Buffer.from(JSON.stringify(content), 'utf8'), aadOf(id));
  }

  function openContent(row: MailRow): OutboxEntry['content'] {
    if (!row.sealed) return null;
    return JSON.parse(box.open(row.sealed, aadOf(row.id)).toString('utf8'));
  }

  /** Queues a message in the caller's transaction, so it goes out exactly when the change commits. */
  async function enqueue(tx: Executor, message: MailMessage): Promise<string> {
    const id = randomUUID();
    await store.insert(tx, {
      id,
      kind: message.kind,
      status: transport ? 'queued' : 'held',
      sealed: seal(id, message),
      reference_type: message.reference?.type ?? null,
      reference_id: message.reference?.id ?? null,
      created_at: clock.now(),
    });
    if (transport) await jobs.send(mailSendJobName, { id }, { tx });
    return id;
  }

  /**
   * Delivers one queued message (the `mail.send` job). A failure is recorded by its error code and
   * rethrown so the job is retried; after the last attempt the message is marked failed and kept, with
   * its content, for an operator.
   */
  async function deliver(id: string): Promise<'sent' | 'held' | 'failed' | 'skipped'> {
    const row = await store.find(db, id);
    if (row?.status !== 'queued') return 'skipped';
    if (!transport) {
      await store.hold(db, id);
      return 'held';
    }
    const content = openContent(row);
    if (!content) return 'skipped';
    try {
      await transport.send({ from: settings.from, ...content });
    } catch (error) {
      const final = row.attempts + 1 >= maxDeliveryAttempts;
      await store.recordFailure(db, id, deliveryErrorCode(error), final ? 'failed' : 'queued');
      if (final) return 'failed';
      throw error;
    }
    await store.markSent(db, id, clock.now());
    return 'sent';
  }

  /** The outbox, newest first, with content of undelivered messages. Every read is audited. */
  async function readOutbox(
    context: AuditContext,
    filters: { status?: MailStatus | undefined; kind?: string | undefined },
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: OutboxEntry[]; nextCursor: string | null }> {
    const after = cursor ? timeIdCursor.decode(cursor) : undefined;
    const rows = await store.page(db, filters, after && { createdAt: after.at, id: after.id }, limit + 1);
    const page = pageOf(
      rows,
      limit,
      (row) => ({
        id: row.id,
        kind: row.kind,
        status: row.status,
        reference:
          row.reference_type && row.reference_id ? { type: row.reference_type, id: row.reference_id } : null,
        content: openContent(row),
        attempts: row.attempts,
        lastError: row.last_error,
        createdAt: row.created_at,
        sentAt: row.sent_at,
      }),
      (row) => timeIdCursor.encode(row.created_at, row.id),
    );
    const { items } = page;
    await audit.record(context, {
      action: 'mail.outbox.read',
      outcome: 'success',
      details: {
        messages: items.length,
        withContent: items.filter((item) => item.content !== null).length,
        ...(filters.status ? { status: filters.status } : {}),
      },
    });
    return page;
  }

  return {
    enqueue,
    deliver,
    readOutbox,
    /**
     * Erasure: removes the content of undelivered messages about the given subjects or requests (metadata
     * stays, status `erased`), in the erasure's transaction. Kinds in `keep` are left: the answer to an
     * erasure request must still reach the person (GDPR Art. 12(3)), and goes with delivery or retention.
     */
    eraseContentAbout: (
      tx: Executor,
      references: readonly { type: string; id: string }[],
      keep: readonly string[] = [],
    ) => store.eraseContentAbout(tx, references, keep),
    /** Whether mail goes out over SMTP (otherwise it is held in the outbox). */
    delivers: () => transport !== undefined,
    /** Deletes outbox rows older than the retention period (maintenance prune task). */
    pruneExpired: () => store.deleteCreatedBefore(db, new Date(clock.now().getTime() - settings.retentionMs)),
  };
}

export type MailService = ReturnType<typeof mailService>;
