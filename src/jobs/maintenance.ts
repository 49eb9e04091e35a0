import type { Logger } from '../logger.js';
import type { JobDefinition } from './queue.js';

/** One kind of expired row a module wants pruned; returns how many rows it removed. */
export type PruneTask = { name: string; prune: () => Promise<number> };

export const maintenanceJobName = 'maintenance.prune';

/**
 * The periodic clean-up: every module that keeps expiring rows (stale instances, expired sessions, used
 * one-time codes) contributes a prune task; one scheduled job runs them all, each in its own statement.
 */
export function maintenanceJob(tasks: PruneTask[], logger: Logger): JobDefinition {
  return {
    name: maintenanceJobName,
    schedule: '*/10 * * * *',
    retryLimit: 1,
    handler: async () => {
      const pruned: Record<string, number> = {};
      for (const task of tasks) pruned[task.name] = await task.prune();
      logger.info({ pruned }, 'maintenance prune finished');
    },
  };
}
