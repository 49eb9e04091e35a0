import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { AuditContext } from '../audit/audit-types.js';
import { type KeysService, rewrapJobName } from './keys-service.js';

const progressLogEveryMs = 5000;

/**
 * `keys.rewrap`, enqueued by every rotation: moves all data keys to the current master key version, in
 * batches of their own transactions. If it stops (crash, deploy, expiry), pg-boss retries it and the
 * retry continues with what is left. Rows another transaction holds locked are skipped; the job then
 * fails on purpose so that the retry picks them up.
 */
export function rewrapJob(
  keys: Pick<KeysService, 'rewrap'>,
  logger: Logger,
): JobDefinition<{ version?: number }> {
  return {
    name: rewrapJobName,
    retryLimit: 20,
    retryDelaySeconds: 30,
    expireInSeconds: 4 * 3600,
    handler: async (_data, job) => {
      const log = logger.child({ job: rewrapJobName, jobId: job.id });
      const context: AuditContext = {
        actor: { type: 'system', id: rewrapJobName },
        requestId: job.id,
        ip: null,
      };
      let lastLine = 0;
      const result = await keys.rewrap(context, {
        onProgress: (done, total) => {
          if (done < total && performance.now() - lastLine < progressLogEveryMs) return;
          lastLine = performance.now();
          log.info({ done, total }, 'rewrapping data keys');
        },
      });
      if (result.remaining > 0) {
        throw new Error(
          `${result.remaining} data key(s) were locked by other transactions; the retry rewraps them`,
        );
      }
      log.info(
        { version: result.version, rewrapped: result.rewrapped, batches: result.batches },
        'rewrap finished',
      );
    },
  };
}
