/**
 * The hourly review job: re-screens every activity (so a changed one is noticed even when nobody reads
 * it), flags approved DPIAs whose activity changed, and reminds the DPO of reviews falling due, by mail to
 * the DPO contact of the organization profile. Each reminder is recorded in the reminder's transaction
 * (`review_reminded_for`), so two workers send it once, and a crash before the commit sends it again.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { JobDefinition } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../logger.js';
import type { AuditWriter } from '../audit/audit-types.js';
import type { DataMap } from '../inventory/inventory-model.js';
import type { MailService } from '../mail/mail-service.js';
import type { AssessmentRegister } from './assessment-register.js';
import type { AssessmentStore } from './assessment-store.js';
import type { ScreeningService } from './screening-service.js';

export const reviewJobName = 'assessments.review';

type Deps = {
  db: Kysely<DB>;
  store: AssessmentStore;
  clock: Clock;
  audit: AuditWriter;
  screenings: Pick<ScreeningService, 'list'>;
  register: Pick<AssessmentRegister, 'list'>;
  mail: Pick<MailService, 'enqueue'>;
  dataMap: () => Promise<DataMap>;
  settings: { reminderDays: number };
};

const looksLikeAddress = (text: string) => /^[^\s@]+@[^\s@]+$/.test(text);

export function reviewRun({ db, store, clock, audit, screenings, register, mail, dataMap, settings }: Deps) {
  return async function runReviews(): Promise<{ reminded: number }> {
    await screenings.list();
    await register.list();
    const by = new Date(clock.now().getTime() + settings.reminderDays * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const due = await store.reviewsDue(db, by);
    if (due.length === 0) return { reminded: 0 };
    const dpo = (await dataMap()).organization.dpoContact;
    let reminded = 0;
    for (const candidate of due) {
      reminded += await db.transaction().execute(async (tx) => {
        const row = await store.lock(tx, candidate.id);
        if (row?.status !== 'approved' || !row.review_due || row.review_reminded_for === row.review_due)
          return 0;
        if (looksLikeAddress(dpo))
          await mail.enqueue(tx, {
            kind: 'assessments.review_due',
            to: dpo,
            subject: `DPIA review due on ${row.review_due}`,
            text: `The DPIA "${row.title}" (version ${row.version}) is due for review on ${row.review_due}. Open the console's assessments page to revise it.`,
            reference: { type: 'assessment', id: row.id },
          });
        await store.update(tx, row.id, { review_reminded_for: row.review_due });
        await audit.append(
          tx,
          { actor: { type: 'system', id: reviewJobName }, requestId: null, ip: null },
          {
            action: 'assessments.dpia.review_reminded',
            outcome: 'success',
            target: { type: 'assessment', id: row.id },
            details: { reviewDue: row.review_due, mailed: looksLikeAddress(dpo) },
          },
        );
        return 1;
      });
    }
    return { reminded };
  };
}

/** Hourly: re-screening, review flags and reminders. */
export function reviewJob(runReviews: () => Promise<{ reminded: number }>, logger: Logger): JobDefinition {
  return {
    name: reviewJobName,
    schedule: '17 * * * *',
    retryLimit: 1,
    handler: async (_data, job) => {
      const { reminded } = await runReviews();
      if (reminded > 0)
        logger.info({ job: reviewJobName, jobId: job.id, reminded }, 'DPIA review reminders sent');
    },
  };
}
