import type { Kysely } from 'kysely';
import type { Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { JobDefinition } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../logger.js';
import { type ClockStage, clockStageAt } from './breach-clock.js';
import { type BreachNotices, individualNoticesJobName } from './breach-notices.js';
import type { BreachStore } from './breach-store.js';

export const clockJobName = 'breaches.clock';

/** What raising a clock alert needs: the breach, the stage reached and its deadline. */
export type ClockAlert = (
  tx: Tx,
  breach: { id: string; stage: Exclude<ClockStage, 0>; deadlineAt: Date },
) => Promise<unknown>;

/**
 * Raises the clock's alerts: at 24 hours left, at 6 hours left and once overdue, each once per breach
 * (`clock_alerted` records the last one raised, in the alert's transaction, so two workers checking at
 * once raise it once).
 */
export function breachClockAlerts({
  db,
  store,
  clock,
  raise,
}: {
  db: Kysely<DB>;
  store: BreachStore;
  clock: Clock;
  raise: ClockAlert;
}) {
  return async function checkClocks(): Promise<number> {
    const now = clock.now();
    const due = await store.openWithClockRunning(db, new Date(now.getTime() + 24 * 3_600_000));
    let raised = 0;
    for (const candidate of due) {
      if (clockStageAt(candidate.deadline_at, now) <= candidate.clock_alerted) continue;
      raised += await db.transaction().execute(async (tx) => {
        const breach = await store.lock(tx, candidate.id);
        if (!breach || breach.authority_notified_at) return 0;
        const stage = clockStageAt(breach.deadline_at, now);
        if (stage === 0 || stage <= breach.clock_alerted) return 0;
        await raise(tx, { id: breach.id, stage, deadlineAt: breach.deadline_at });
        await store.update(tx, breach.id, { clock_alerted: stage });
        return 1;
      });
    }
    return raised;
  };
}

/** Every five minutes: the 72-hour clocks' alerts. */
export function clockJob(checkClocks: () => Promise<number>, logger: Logger): JobDefinition {
  return {
    name: clockJobName,
    schedule: '*/5 * * * *',
    retryLimit: 1,
    handler: async (_data, job) => {
      const raised = await checkClocks();
      if (raised > 0) logger.info({ job: clockJobName, jobId: job.id, raised }, 'breach clock alerts raised');
    },
  };
}

/**
 * Sends a breach's individual notices batch by batch until none is left. Each batch commits on its own,
 * so a run stopped anywhere (a crash, a lost lease) is resumed by the retry from where it stopped.
 */
export function individualNoticesJob(
  notices: Pick<BreachNotices, 'sendBatch'>,
  logger: Logger,
): JobDefinition<object> {
  return {
    name: individualNoticesJobName,
    retryLimit: 10,
    retryDelaySeconds: 30,
    handler: async (data, job) => {
      const breachId = 'breachId' in data && typeof data.breachId === 'string' ? data.breachId : undefined;
      if (!breachId) {
        logger.warn({ job: individualNoticesJobName, jobId: job.id }, 'notice job without a breach; dropped');
        return;
      }
      const context = {
        actor: { type: 'system' as const, id: individualNoticesJobName },
        requestId: job.id,
        ip: null,
      };
      let handled = 0;
      for (;;) {
        if (job.signal?.aborted) return;
        const batch = await notices.sendBatch(context, breachId);
        if (batch === 0) break;
        handled += batch;
      }
      logger.info(
        { job: individualNoticesJobName, jobId: job.id, breach: breachId, handled },
        'breach notices queued',
      );
    },
  };
}
