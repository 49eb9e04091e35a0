import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { JobSender } from '../../jobs/job-sender.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { PdfRenderer } from '../../lib/documents/pdf.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { MailService } from '../mail/mail-service.js';
import type { NoticeAddresses } from '../vault/notice-addresses.js';
import {
  type AuthorityNoticeDocument,
  authorityNoticeHtml,
  authorityNoticeOf,
  type NoticeDataMap,
} from './authority-notice.js';
import { isLate } from './breach-clock.js';
import type { BreachRegister, BreachWork } from './breach-register.js';
import type { BreachRow, BreachStore } from './breach-store.js';
import type { NoticePhase } from './breach-tables.js';
import { type IndividualNotice, individualNoticeOf } from './individual-notice.js';

export const individualNoticesJobName = 'breaches.individual_notices';

type Deps = {
  db: Kysely<DB>;
  store: BreachStore;
  register: BreachRegister;
  audit: Pick<AuditWriter, 'append'>;
  clock: Clock;
  jobs: JobSender;
  dataMap: () => Promise<NoticeDataMap>;
  pdf: PdfRenderer;
  mail: Pick<MailService, 'enqueue'>;
  addresses: Pick<NoticeAddresses, 'readNoticeAddressesDecrypted'>;
  settings: { batchSize: number };
};

export type NoticeFormat = 'json' | 'html' | 'pdf';

export type RenderedNotice =
  | { kind: 'json'; document: AuthorityNoticeDocument }
  | { kind: 'file'; content: Buffer; contentType: string };

function assertNotDismissed(breach: BreachRow) {
  if (breach.status === 'dismissed') {
    throw new AppError('invalid_transition', 'This breach was dismissed: there is nothing to notify.');
  }
}

/**
 * The notifications of a breach: the notice to the supervisory authority (Art. 33), one version per
 * phase with what was submitted, and the notices to individuals (Art. 34), sent through the mail outbox
 * in batches, or the public communication that replaces them (Art. 34(3)(c)).
 */
export function breachNotices({
  db,
  store,
  register,
  audit,
  clock,
  jobs,
  dataMap,
  pdf,
  mail,
  addresses,
  settings,
}: Deps) {
  /** Generates the next version of the authority notice; the first is the initial phase, later ones follow up. */
  async function generate(context: AuditContext, id: string, phase: NoticePhase) {
    const map = await dataMap();
    return register.change(context, id, async ({ tx, now, breach, record }) => {
      assertNotDismissed(breach);
      const earlier = await store.notices(tx, id);
      if (earlier.length === 0 && phase !== 'initial') {
        throw new AppError('unprocessable', 'The first notice to the authority is the initial one.');
      }
      if (earlier.length > 0 && phase === 'initial') {
        throw new AppError('conflict', 'This breach has an initial notice already: generate a follow-up.');
      }
      const version = earlier.length + 1;
      const document = authorityNoticeOf({
        breach,
        tasks: await store.tasks(tx, id),
        map,
        version,
        phase,
        earlier: earlier.map((row) => ({
          version: row.version,
          phase: row.phase,
          submittedAt: row.submitted_at?.toISOString() ?? null,
          reference: row.submission_reference,
        })),
        now,
      });
      const row = await store.insertNotice(tx, {
        id: randomUUID(),
        breach_id: id,
        version,
        phase,
        document: JSON.stringify(document),
        created_by: context.actor.id,
        created_at: now,
      });
      await record('notice_generated', { details: { version, phase } });
      return row;
    });
  }

  /** Records that a version was submitted to the authority; after the deadline it needs the reasons. */
  function recordSubmission(
    context: AuditContext,
    id: string,
    version: number,
    submission: { submittedAt: Date; reference: string; channel: string; lateReasons?: string | undefined },
  ) {
    return register.change(context, id, async ({ tx, now, breach, record }) => {
      assertNotDismissed(breach);
      const notice = await store.notice(tx, id, version);
      if (!notice) throw new AppError('not_found', 'This breach has no notice of that version.');
      if (notice.submitted_at)
        throw new AppError('conflict', 'This version was recorded as submitted already.');
      if (submission.submittedAt.getTime() > now.getTime() + 60_000) {
        throw new AppError('unprocessable', 'A submission cannot be recorded before it happened.');
      }
      const lateReasons = submission.lateReasons ?? breach.late_reasons;
      const late = !breach.authority_notified_at && isLate(breach.deadline_at, submission.submittedAt);
      if (late && !lateReasons) {
        throw new AppError(
          'unprocessable',
          'This notification is later than 72 hours after awareness: give the reasons for the delay (Art. 33(1)).',
          { extensions: { deadlineAt: breach.deadline_at.toISOString() } },
        );
      }
      const updated = await store.recordSubmission(tx, notice.id, {
        at: submission.submittedAt,
        reference: submission.reference,
        channel: submission.channel,
      });
      await store.update(tx, id, {
        authority_notified_at: breach.authority_notified_at ?? submission.submittedAt,
        late_reasons: lateReasons,
        updated_at: now,
      });
      await record('notice_submitted', { details: { version, phase: notice.phase, late } });
      return updated;
    });
  }

  /** A version of the authority notice as JSON, HTML or PDF, all rendered from the stored snapshot. */
  async function render(id: string, version: number, format: NoticeFormat): Promise<RenderedNotice> {
    const notice = await store.notice(db, id, version);
    if (!notice) throw new AppError('not_found', 'This breach has no notice of that version.');
    const document = notice.document as unknown as AuthorityNoticeDocument;
    if (format === 'json') return { kind: 'json', document };
    const html = authorityNoticeHtml(document);
    if (format === 'html') {
      return { kind: 'file', content: Buffer.from(html, 'utf8'), contentType: 'text/html; charset=utf-8' };
    }
    return { kind: 'file', content: await pdf(html), contentType: 'application/pdf' };
  }

  /** The notice individuals would get, and how many are in the affected set and were sent one. */
  async function preview(id: string, advice: string) {
    const breach = await register.get(id);
    const frozen = breach.individual_notice;
    const notice: IndividualNotice = frozen
      ? { subject: frozen.subject, text: frozen.text }
      : individualNoticeOf(breach, (await dataMap()).organization, advice);
    return { notice, frozen: frozen !== null, progress: await store.deliveryCounts(db, id) };
  }

  /**
   * Starts (or resumes) sending the individual notices: the text is frozen on first start, so everyone
   * gets the same, and the job sends batch by batch until every affected subject has a delivery row.
   */
  async function start(context: AuditContext, id: string, advice: string) {
    const map = await dataMap();
    return register.change(context, id, async ({ tx, now, breach, record }) => {
      assertNotDismissed(breach);
      const affected = await store.affectedSummary(tx, id);
      if (affected.subjects === 0) {
        throw new AppError(
          'unprocessable',
          'The breach has no affected subjects to notify: attach its affected set (the blast radius) first, or record a public communication.',
        );
      }
      const frozen = breach.individual_notice ?? {
        ...individualNoticeOf(breach, map.organization, advice),
        startedAt: now.toISOString(),
      };
      await store.update(tx, id, { individual_notice: JSON.stringify(frozen), updated_at: now });
      await jobs.send(individualNoticesJobName, { breachId: id }, { tx, singletonKey: id });
      await record(breach.individual_notice ? 'individual_notices_resumed' : 'individual_notices_started', {
        details: { subjects: affected.subjects },
      });
      return store.deliveryCounts(tx, id);
    });
  }

  /**
   * Sends one batch: the next affected subjects without a delivery row, their addresses decrypted for this
   * purpose only, a message queued in the outbox for each reachable one, and a delivery row for every one
   * (queued, or unreachable when no address is held) — all in one transaction, so a crash leaves either
   * the whole batch recorded and queued or none of it, and a resumed run never sends anyone a second one.
   * Returns how many subjects it handled (0 when done).
   */
  async function sendBatch(context: AuditContext, id: string): Promise<number> {
    return db.transaction().execute(async (tx) => {
      const breach = await store.find(tx, id);
      if (!breach?.individual_notice || breach.status === 'dismissed') return 0;
      const subjectIds = await store.unsentAffected(tx, id, settings.batchSize);
      if (subjectIds.length === 0) return 0;
      const found = await addresses.readNoticeAddressesDecrypted(tx, context, subjectIds, id);
      const now = clock.now();
      const rows = [];
      for (const subjectId of subjectIds) {
        const to = found.get(subjectId);
        const mailId = to
          ? await mail.enqueue(tx, {
              kind: 'breach.individual_notice',
              to,
              subject: breach.individual_notice.subject,
              text: breach.individual_notice.text,
              reference: { type: 'breach', id },
            })
          : null;
        rows.push({
          breach_id: id,
          subject_id: subjectId,
          outcome: to ? ('queued' as const) : ('unreachable' as const),
          mail_id: mailId,
          at: now,
        });
      }
      await store.recordDeliveries(tx, rows);
      const queued = rows.filter((row) => row.outcome === 'queued').length;
      await audit.append(tx, context, {
        action: 'breach.individual_notices.sent',
        outcome: 'success',
        target: { type: 'breach', id },
        details: { queued, unreachable: rows.length - queued },
      });
      return subjectIds.length;
    });
  }

  /** Records a public communication instead of individual notices (Art. 34(3)(c)), with why. */
  function recordPublicCommunication(
    context: AuditContext,
    id: string,
    communication: { publishedAt: string; channel: string; reference: string; reason: string },
  ) {
    return register.change(context, id, async ({ tx, now, breach, record }: BreachWork) => {
      assertNotDismissed(breach);
      const updated = await store.update(tx, id, {
        public_communication: JSON.stringify(communication),
        updated_at: now,
      });
      await record('public_communication_recorded', { fields: ['publicCommunication'] });
      return updated;
    });
  }

  return {
    generate,
    recordSubmission,
    render,
    preview,
    start,
    sendBatch,
    recordPublicCommunication,
    notices: (id: string) => store.notices(db, id),
    progress: (id: string) => store.deliveryCounts(db, id),
  };
}

export type BreachNotices = ReturnType<typeof breachNotices>;
