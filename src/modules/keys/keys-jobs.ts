import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { AuditContext } from '../audit/audit-types.js';
import { type KeysService, rewrapJobName } from './keys-service.js';

const progressLogEveryMs = 5000;

/**
 * `keys.rewrap`, enqueued by every rotation: moves all data keys to the current master key version, in
 * batches of their own transactions. If its process dies, the job's lease runs out and another process
 * takes it up (see `jobs/queue.ts`); each batch moves only keys still under an older version, so the
 * retry continues with what is left and no key is rewrapped twice. Rows another transaction holds locked
 * are skipped; the job then fails on purpose so that the retry picks them up.
 */
export function rewrapJob(
  keys: Pick<KeysService, 'rewrap'>,
  logger: Logger,
): JobDefinition<{ version?: number }> {
  return {
    name: rewrapJobName,
    retryLimit: 20,
    // Soon after a failure or a dead process: the retry only continues what is left.
    retryDelaySeconds: 5,
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
        signal: job.signal,
        onProgress: (done, total) => {
          if (done < total && performance.now() - lastLine < progressLogEveryMs) return;
          lastLine = performance.now();
          log.info({ done, total }, 'rewrapping data keys');
        },
      });
      if (job.signal?.aborted)
        throw new Error('rewrap stopped: this process lost the job (the retry continues)');
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
